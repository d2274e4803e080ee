/**
 * Filter specs: builders for the common shapes, and encoding into the element order the vim25 schema
 * requires (vCenter rejects out-of-order elements), whatever order the caller wrote the fields in.
 */
import type { MoRef, ObjectSpec, PropertyFilterSpec, SelectionSpec, TraversalSpec } from './types';

/**
 * Everything a ContainerView holds, with only the listed properties per type — the full-inventory shape
 * (TraversalSpec on `view`, the view itself skipped).
 */
export function containerViewSpec(view: MoRef, paths: Record<string, string[]>): PropertyFilterSpec {
  return {
    propSet: Object.entries(paths).map(([type, pathSet]) => ({ type, all: false, pathSet })),
    objectSet: [{ obj: view, skip: true, selectSet: [{ name: 'traverseView', type: 'ContainerView', path: 'view', skip: false }] }],
  };
}

/** The listed properties of whatever a ListView holds (the view itself skipped): a set that changes without a new filter. */
export function listViewSpec(view: MoRef, type: string, pathSet: string[]): PropertyFilterSpec {
  return {
    propSet: [{ type, all: false, pathSet }],
    objectSet: [{ obj: view, skip: true, selectSet: [{ name: 'traverseList', type: 'ListView', path: 'view', skip: false }] }],
  };
}

/** Everything several ContainerViews hold, view after view, with only the listed properties per type. */
export function containerViewsSpec(views: MoRef[], paths: Record<string, string[]>): PropertyFilterSpec {
  return {
    propSet: Object.entries(paths).map(([type, pathSet]) => ({ type, all: false, pathSet })),
    objectSet: views.map((view, i) => ({
      obj: view,
      skip: true,
      selectSet: [{ name: `traverseView${i + 1}`, type: 'ContainerView', path: 'view', skip: false }],
    })),
  };
}

/** Properties of known objects, all of one type. */
export function objectsSpec(objects: MoRef[], pathSet: string[]): PropertyFilterSpec {
  const types = [...new Set(objects.map((o) => o.type))];
  return {
    propSet: types.map((type) => ({ type, all: false, pathSet })),
    objectSet: objects.map((obj) => ({ obj })),
  };
}

/**
 * Known objects of one type and the objects each names in `path` (e.g. a host's `vm`), with the listed
 * properties per type. An object that no longer exists is left out of the result instead of failing the call.
 */
export function objectsAndRelatedSpec(objects: MoRef[], path: string, paths: Record<string, string[]>): PropertyFilterSpec {
  return {
    propSet: Object.entries(paths).map(([type, pathSet]) => ({ type, all: false, pathSet })),
    objectSet: objects.map((obj) => ({ obj, skip: false, selectSet: [{ type: obj.type, path, skip: false }] })),
    reportMissingObjectsInResults: true,
  };
}

const isTraversal = (s: TraversalSpec | SelectionSpec): s is TraversalSpec => 'path' in s;

function encodeSelection(s: TraversalSpec | SelectionSpec): Record<string, unknown> {
  if (!isTraversal(s)) return { name: s.name };
  return {
    _type: 'TraversalSpec',
    name: s.name,
    type: s.type,
    path: s.path,
    skip: s.skip ?? false,
    selectSet: s.selectSet?.map(encodeSelection),
  };
}

function encodeObjectSpec(o: ObjectSpec): Record<string, unknown> {
  return { obj: o.obj, skip: o.skip, selectSet: o.selectSet?.map(encodeSelection) };
}

export function encodeFilterSpec(spec: PropertyFilterSpec): Record<string, unknown> {
  return {
    propSet: spec.propSet.map((p) => ({ type: p.type, all: p.all ?? false, pathSet: p.pathSet })),
    objectSet: spec.objectSet.map(encodeObjectSpec),
    reportMissingObjectsInResults: spec.reportMissingObjectsInResults,
  };
}

/**
 * Whether a value mentions a session-scoped managed object. vCenter names views, private collectors and
 * filters `session[<session id>]<id>`: they exist only in the session that made them.
 */
export function mentionsSessionObject(value: unknown, depth = 0): boolean {
  if (depth > 12 || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((v) => mentionsSessionObject(v, depth + 1));
  const v = value as Record<string, unknown>;
  if (typeof v.type === 'string' && typeof v.value === 'string' && v.value.startsWith('session[')) return true;
  return Object.values(v).some((x) => mentionsSessionObject(x, depth + 1));
}
