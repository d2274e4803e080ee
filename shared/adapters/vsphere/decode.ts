/**
 * Turns a vim25 XML value into plain JS, driven by xsi:type where the XML carries one and by the hints in
 * vim-schema.ts where it does not:
 *   xsd:string, enums → string; xsd:int/short/byte/double/float → number; xsd:long → number (bigint beyond
 *   2^53); xsd:boolean → boolean; xsd:dateTime → ISO string (as sent); ManagedObjectReference → {type, value};
 *   ArrayOfX → X[]; any other complex type → a plain object of its fields, with `_type` set to the xsi:type
 *   when the XML named one (so VirtualDisk and VirtualE1000 in one device list stay distinguishable).
 */
import type { MoRef } from './types';
import { VIM_BASE, VIM_FIELDS } from './vim-schema';
import type { XmlNode } from './xml-parse';

type Field = { type: string | undefined; array: boolean };

const PRIMITIVES: Record<string, (s: string) => unknown> = {
  string: (s) => s,
  int: Number,
  short: Number,
  byte: Number,
  double: Number,
  float: Number,
  long: (s) => {
    const n = Number(s);
    return Number.isSafeInteger(n) || !/^-?\d+$/.test(s) ? n : BigInt(s);
  },
  boolean: (s) => s === 'true' || s === '1',
  dateTime: (s) => s,
  base64Binary: (s) => s,
  anyURI: (s) => s,
  TypeName: (s) => s,
  MethodName: (s) => s,
  PropertyPath: (s) => s,
};

// ArrayOfString holds <string> items, ArrayOfLong <long> items, ...: the element type starts upper-case.
const ARRAY_ITEM: Record<string, string> = { AnyType: 'anyType', DateTime: 'dateTime' };
const itemType = (name: string): string =>
  ARRAY_ITEM[name] ?? (PRIMITIVES[name[0]!.toLowerCase() + name.slice(1)] ? name[0]!.toLowerCase() + name.slice(1) : name);

const fieldCache = new Map<string, Map<string, Field>>();

/** Field hints of a type, its supertypes' included. */
function fieldsOf(type: string): Map<string, Field> {
  let fields = fieldCache.get(type);
  if (fields) return fields;
  fields = new Map();
  for (let t: string | undefined = type; t; t = VIM_BASE[t]) {
    for (const [name, spec] of Object.entries(VIM_FIELDS[t] ?? {})) {
      if (fields.has(name)) continue;
      const array = spec.endsWith('[]');
      fields.set(name, { type: array ? spec.slice(0, -2) : spec, array });
    }
  }
  fieldCache.set(type, fields);
  return fields;
}

const isDataObject = (type: string) => VIM_FIELDS[type] !== undefined || VIM_BASE[type] !== undefined;

const stripPrefix = (t: string) => {
  const i = t.indexOf(':');
  return i < 0 ? t : t.slice(i + 1);
};

export function xsiType(node: XmlNode): string | undefined {
  const t = node.attrs?.['xsi:type'];
  return t === undefined ? undefined : stripPrefix(t);
}

export function decodeMoRef(node: XmlNode): MoRef {
  return { type: node.attrs?.type ?? '', value: node.text };
}

/** Decodes one element. `declared` is the schema type of the field it sits in, when known. */
export function decodeValue(node: XmlNode, declared?: string): unknown {
  const xsi = xsiType(node);
  const type = xsi ?? declared;
  if (type !== undefined) {
    if (type.startsWith('ArrayOf')) return decodeArray(node, itemType(type.slice(7)));
    const primitive = PRIMITIVES[type];
    if (primitive) return primitive(node.text);
    if (type === 'ManagedObjectReference') return decodeMoRef(node);
  }
  if (node.children.length === 0) {
    if (node.attrs?.type !== undefined) return decodeMoRef(node);
    // An enum value (text), or a data object with no fields set.
    if (node.text === '' && type !== undefined && type !== 'anyType' && (xsi !== undefined || isDataObject(type))) {
      return xsi === undefined ? {} : { _type: xsi };
    }
    return node.text;
  }
  return decodeObject(node, type, xsi);
}

function decodeArray(node: XmlNode, item: string): unknown[] {
  const out = new Array<unknown>(node.children.length);
  for (let i = 0; i < node.children.length; i++) out[i] = decodeValue(node.children[i]!, item);
  return out;
}

function decodeObject(node: XmlNode, type: string | undefined, xsi: string | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = xsi === undefined ? {} : { _type: xsi };
  const fields = type === undefined ? undefined : fieldsOf(type);
  let lists: Set<string> | undefined; // fields collected as arrays in this object
  for (const c of node.children) {
    if (c.name === '__proto__') continue; // never let upstream data set a prototype
    const field = fields?.get(c.name);
    const value = decodeValue(c, field?.type);
    if (lists?.has(c.name)) (out[c.name] as unknown[]).push(value);
    else if (field?.array) {
      out[c.name] = [value];
      (lists ??= new Set()).add(c.name);
    } else if (Object.hasOwn(out, c.name)) {
      // Repeated without a hint: a list after all (add a hint in vim-schema.ts to make it one always).
      out[c.name] = [out[c.name], value];
      (lists ??= new Set()).add(c.name);
    } else out[c.name] = value;
  }
  return out;
}
