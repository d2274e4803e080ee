/** Decoders for the PropertyCollector's result structures, walked directly for speed on large pages. */
import { decodeMoRef, decodeValue } from './decode';
import { localizedFault } from './envelope';
import type {
  DynamicProperty,
  MissingProperty,
  MoRef,
  ObjectContent,
  ObjectUpdate,
  ObjectUpdateKind,
  PropertyChange,
  PropertyChangeOp,
  PropertyFilterUpdate,
  RetrievePage,
  UpdateSet,
} from './types';
import type { XmlNode } from './xml-parse';

export function retrieveResult(node: XmlNode | undefined): RetrievePage {
  const page: RetrievePage = { objects: [] };
  if (!node) return page; // vCenter sends no returnval when nothing matched
  for (const c of node.children) {
    if (c.name === 'objects') page.objects.push(objectContent(c));
    else if (c.name === 'token') page.token = c.text;
  }
  return page;
}

export function objectContent(node: XmlNode): ObjectContent {
  let obj: MoRef | undefined;
  const propSet: DynamicProperty[] = [];
  const missingSet: MissingProperty[] = [];
  for (const c of node.children) {
    if (c.name === 'obj') obj = decodeMoRef(c);
    else if (c.name === 'propSet') propSet.push(dynamicProperty(c));
    else if (c.name === 'missingSet') missingSet.push(missingProperty(c));
  }
  return { obj: obj ?? { type: '', value: '' }, propSet, missingSet };
}

function dynamicProperty(node: XmlNode): DynamicProperty {
  let name = '';
  let val: unknown;
  for (const c of node.children) {
    if (c.name === 'name') name = c.text;
    else if (c.name === 'val') val = decodeValue(c);
  }
  return { name, val };
}

function missingProperty(node: XmlNode): MissingProperty {
  let path = '';
  let fault: MissingProperty['fault'] = { type: 'MethodFault', detail: {} };
  for (const c of node.children) {
    if (c.name === 'path') path = c.text;
    else if (c.name === 'fault') fault = localizedFault(c);
  }
  return { path, fault };
}

/** A WaitForUpdatesEx answer; none (the wait ended without changes) keeps the caller's version. */
export function updateSet(node: XmlNode | undefined, version: string): UpdateSet {
  const set: UpdateSet = { version, truncated: false, filterSet: [] };
  if (!node) return set;
  for (const c of node.children) {
    if (c.name === 'version') set.version = c.text;
    else if (c.name === 'truncated') set.truncated = c.text === 'true';
    else if (c.name === 'filterSet') set.filterSet.push(filterUpdate(c));
  }
  return set;
}

function filterUpdate(node: XmlNode): PropertyFilterUpdate {
  const update: PropertyFilterUpdate = { filter: { type: 'PropertyFilter', value: '' }, objectSet: [], missingSet: [] };
  for (const c of node.children) {
    if (c.name === 'filter') update.filter = decodeMoRef(c);
    else if (c.name === 'objectSet') update.objectSet.push(objectUpdate(c));
    else if (c.name === 'missingSet') {
      const obj = c.children.find((x) => x.name === 'obj');
      if (obj) update.missingSet.push(decodeMoRef(obj));
    }
  }
  return update;
}

function objectUpdate(node: XmlNode): ObjectUpdate {
  const update: ObjectUpdate = { kind: 'modify', obj: { type: '', value: '' }, changeSet: [], missingSet: [] };
  for (const c of node.children) {
    if (c.name === 'kind') update.kind = c.text as ObjectUpdateKind;
    else if (c.name === 'obj') update.obj = decodeMoRef(c);
    else if (c.name === 'changeSet') update.changeSet.push(propertyChange(c));
    else if (c.name === 'missingSet') update.missingSet.push(missingProperty(c));
  }
  return update;
}

function propertyChange(node: XmlNode): PropertyChange {
  const change: PropertyChange = { name: '', op: 'assign' };
  for (const c of node.children) {
    if (c.name === 'name') change.name = c.text;
    else if (c.name === 'op') change.op = c.text as PropertyChangeOp;
    else if (c.name === 'val') change.val = decodeValue(c);
  }
  return change;
}
