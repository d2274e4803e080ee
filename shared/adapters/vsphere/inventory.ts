/**
 * The inventory over the PropertyCollector: a full read (a private collector with a filter over one
 * ContainerView, whose initial WaitForUpdatesEx answer is the inventory, in pages of 1,000), and deltas — the
 * same filter advanced by WaitForUpdatesEx from a stored version, whose changed objects are read afresh by
 * reference (cost grows with the changes, not the inventory). What a later container needs to continue is
 * the checkpoint's opaque `session`.
 * Also the live read of some hosts and their VMs, for jobs that must plan from what vCenter says now.
 */
import type { InventoryObject, InventoryRef } from '../../domain/vcenter';
import { type DeltaCheckpoint, type InventoryChanges, type InventorySnapshot, VSphereSessionLostError } from '../../ports/vcenter';
import type { VSphereClient } from './client';
import { inventoryObjectOf, KIND_OF_TYPE, SYNC_PATHS } from './inventory-mapping';
import { containerViewSpec, objectsAndRelatedSpec, objectsSpec } from './specs';
import type { MoRef, ObjectContent, ObjectUpdate } from './types';

const PAGE = 1000;
const WAIT = { maxWaitSeconds: 0, maxObjectUpdates: 1000 };

/** The checkpoint's `session`: the cookie and the session-scoped references, which embed the session key. */
type DeltaSession = { cookie: string; collector: string; filter: string; view: string };

const collectorRef = (value: string): MoRef => ({ type: 'PropertyCollector', value });

function parseSession(session: string): DeltaSession | undefined {
  try {
    const s = JSON.parse(session) as Partial<DeltaSession>;
    return typeof s.cookie === 'string' && typeof s.collector === 'string' && typeof s.view === 'string' ? (s as DeltaSession) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The full read is the delta filter's initial update: a private collector with a filter over a ContainerView,
 * and WaitForUpdatesEx from version '' in pages of maxObjectUpdates until it is no longer truncated. Every
 * object enters with all its properties, and the version the read ends at is the next delta's checkpoint, so
 * vCenter sends the inventory once per full sync.
 */
export async function readInventory(vc: VSphereClient, onProgress?: (retrieved: number) => Promise<void>): Promise<InventorySnapshot> {
  const view = await vc.createContainerView(Object.keys(SYNC_PATHS));
  let collector: MoRef | undefined;
  const discard = async () => {
    if (collector) await vc.destroyPropertyCollector(collector).catch(() => undefined);
    await vc.destroyView(view).catch(() => undefined);
  };
  try {
    collector = await vc.createPropertyCollector();
    const filter = await vc.createFilter(collector, containerViewSpec(view, SYNC_PATHS), false);
    const objects: InventoryObject[] = [];
    let version = '';
    let retrieved = 0;
    for (;;) {
      const update = await vc.waitForUpdatesEx(collector, version, WAIT);
      for (const f of update.filterSet) {
        for (const o of f.objectSet) {
          const object = inventoryObjectOf(enteredContent(o));
          if (object) objects.push(object);
          if (++retrieved % PAGE === 0) await onProgress?.(retrieved);
        }
      }
      version = update.version;
      if (!update.truncated) break;
    }
    if (retrieved === 0) await sessionStillKnown(vc, 'retry the sync');
    const cookie = vc.session.exportCookie();
    if (!cookie) throw new Error('no session cookie to keep');
    const session: DeltaSession = { cookie, collector: collector.value, filter: filter.value, view: view.value };
    return { objects, checkpoint: { version, session: JSON.stringify(session) }, discard };
  } catch (e) {
    await discard();
    throw e;
  }
}

/** An object's update in the initial answer as the properties it holds: every property arrives assigned. */
function enteredContent(o: ObjectUpdate): ObjectContent {
  throwIfSilentlyExpired(o);
  const propSet = o.changeSet.filter((c) => c.op === 'assign' && c.val !== undefined).map((c) => ({ name: c.name, val: c.val }));
  return { obj: o.obj, propSet, missingSet: o.missingSet };
}

function throwIfSilentlyExpired(o: ObjectUpdate): void {
  if (o.missingSet.some((m) => m.fault?.type === 'NotAuthenticated'))
    throw new VSphereSessionLostError('NotAuthenticated in missingSet: the session expired silently');
}

/** An expired session can answer an empty result instead of a fault; an empty answer on a live session is a true one. */
async function sessionStillKnown(vc: VSphereClient, advice: string): Promise<void> {
  if (!(await vc.session.currentSession()))
    throw new VSphereSessionLostError(`vCenter returned no objects and no longer knows the session (silently expired); ${advice}`);
}

export async function releaseCheckpoint(vc: VSphereClient, session: string): Promise<void> {
  const s = parseSession(session);
  if (!s || !vc.health().loggedIn) return;
  await vc.destroyPropertyCollector(collectorRef(s.collector)).catch(() => undefined);
  await vc.destroyView({ type: 'ContainerView', value: s.view }).catch(() => undefined);
}

export async function readChanges(vc: VSphereClient, checkpoint: DeltaCheckpoint): Promise<InventoryChanges> {
  const s = parseSession(checkpoint.session);
  if (!s) throw new VSphereSessionLostError('the stored delta session cannot be read; start over');
  // A new container: continue the session that owns the collector.
  if (!vc.health().loggedIn) vc.session.resume(s.cookie);
  const collector = collectorRef(s.collector);
  let version = checkpoint.version;
  const changed = new Map<string, MoRef>();
  const left = new Map<string, MoRef>();
  for (;;) {
    const update = await vc.waitForUpdatesEx(collector, version, WAIT);
    for (const f of update.filterSet) {
      for (const o of f.objectSet) {
        throwIfSilentlyExpired(o);
        const key = `${o.obj.type}#${o.obj.value}`;
        if (o.kind === 'leave') {
          changed.delete(key);
          left.set(key, o.obj);
        } else {
          left.delete(key);
          changed.set(key, o.obj);
        }
      }
    }
    version = update.version;
    if (!update.truncated) break;
  }
  const byType = new Map<string, MoRef[]>();
  for (const r of changed.values()) byType.set(r.type, [...(byType.get(r.type) ?? []), r]);
  const objects: InventoryObject[] = [];
  for (const [type, refs] of byType) {
    if (!SYNC_PATHS[type]) continue;
    for await (const o of vc.retrievePropertiesEx([objectsSpec(refs, SYNC_PATHS[type])], { maxObjects: PAGE })) {
      const object = inventoryObjectOf(o);
      if (object) objects.push(object);
    }
  }
  const removed: InventoryRef[] = [];
  for (const r of left.values()) {
    const kind = KIND_OF_TYPE[r.type];
    if (kind) removed.push({ kind, moref: r.value });
  }
  return { objects, removed, version };
}

export async function readHostsWithVms(vc: VSphereClient, hostIds: string[]): Promise<InventoryObject[]> {
  if (hostIds.length === 0) return [];
  const hosts = [...new Set(hostIds)].map((value): MoRef => ({ type: 'HostSystem', value }));
  const paths = { HostSystem: SYNC_PATHS.HostSystem!, VirtualMachine: SYNC_PATHS.VirtualMachine! };
  const objects: InventoryObject[] = [];
  for await (const o of vc.retrievePropertiesEx([objectsAndRelatedSpec(hosts, 'vm', paths)], { maxObjects: PAGE })) {
    const object = inventoryObjectOf(o);
    if (object) objects.push(object);
  }
  // No host at all may mean they are gone, or that the session expired silently: only the first is an answer.
  if (objects.length === 0) await sessionStillKnown(vc, 'read again');
  return objects;
}
