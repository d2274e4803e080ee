/**
 * Plain shapes of the vSphere Web Services API objects the client reads and writes (vim25 namespace).
 * Decoded property values are plain JS: see decode.ts for how xsi:types map to values.
 */

/** A reference to a managed object, e.g. { type: 'VirtualMachine', value: 'vm-42' }. */
export interface MoRef {
  type: string;
  value: string;
}

export interface PropertySpec {
  type: string;
  /** Defaults to false: only `pathSet` is fetched. */
  all?: boolean;
  pathSet?: string[];
}

/** A reference, by name, to a TraversalSpec declared elsewhere in the same filter spec. */
export interface SelectionSpec {
  name: string;
}

export interface TraversalSpec {
  name?: string;
  type: string;
  path: string;
  skip?: boolean;
  selectSet?: (TraversalSpec | SelectionSpec)[];
}

export interface ObjectSpec {
  obj: MoRef;
  skip?: boolean;
  selectSet?: (TraversalSpec | SelectionSpec)[];
}

export interface PropertyFilterSpec {
  propSet: PropertySpec[];
  objectSet: ObjectSpec[];
  reportMissingObjectsInResults?: boolean;
}

export interface DynamicProperty {
  name: string;
  val: unknown;
}

/** A fault carried inside a result rather than thrown, e.g. NotAuthenticated in a missingSet. */
export interface FaultInfo {
  /** The fault's xsi:type, e.g. 'NotAuthenticated'. */
  type: string;
  message?: string;
  detail: Record<string, unknown>;
}

export interface MissingProperty {
  path: string;
  fault: FaultInfo;
}

export interface ObjectContent {
  obj: MoRef;
  propSet: DynamicProperty[];
  missingSet: MissingProperty[];
}

export interface RetrievePage {
  objects: ObjectContent[];
  /** Present when more objects remain: pass it once to continueRetrievePropertiesEx on the same session. */
  token?: string;
}

export type PropertyChangeOp = 'add' | 'remove' | 'assign' | 'indirectRemove';

export interface PropertyChange {
  name: string;
  op: PropertyChangeOp;
  /** Absent for remove and indirectRemove. */
  val?: unknown;
}

export type ObjectUpdateKind = 'enter' | 'modify' | 'leave';

export interface ObjectUpdate {
  kind: ObjectUpdateKind;
  obj: MoRef;
  changeSet: PropertyChange[];
  missingSet: MissingProperty[];
}

export interface PropertyFilterUpdate {
  filter: MoRef;
  objectSet: ObjectUpdate[];
  /** Objects of the filter spec that no longer exist. */
  missingSet: MoRef[];
}

export interface UpdateSet {
  /** Pass to the next waitForUpdatesEx. Unchanged when the wait ended without changes. */
  version: string;
  /** More updates are owed for this version: call again at once with it (a truncated version works once). */
  truncated: boolean;
  filterSet: PropertyFilterUpdate[];
}

export interface WaitOptions {
  /** 0 computes the changes once and returns at once; keep it well below the request timeout. */
  maxWaitSeconds: number;
  maxObjectUpdates?: number;
}

export interface AboutInfo {
  name: string;
  fullName: string;
  vendor: string;
  version: string;
  build: string;
  apiType: string;
  apiVersion: string;
  instanceUuid?: string;
  [field: string]: unknown;
}

export interface ServiceContent {
  rootFolder: MoRef;
  propertyCollector: MoRef;
  viewManager: MoRef;
  sessionManager: MoRef;
  about: AboutInfo;
  [field: string]: unknown;
}

export interface UserSession {
  key: string;
  userName: string;
  loginTime?: string;
  [field: string]: unknown;
}

export interface TaskInfo {
  key: string;
  task: MoRef;
  state: 'queued' | 'running' | 'success' | 'error';
  result?: unknown;
  error?: { localizedMessage?: string; fault?: unknown };
  [field: string]: unknown;
}

export const isMoRef = (v: unknown): v is MoRef => {
  if (typeof v !== 'object' || v === null) return false;
  const keys = Object.keys(v);
  return keys.length === 2 && typeof (v as MoRef).type === 'string' && typeof (v as MoRef).value === 'string';
};
