/**
 * The inventory over the PropertyCollector: a full read (a private collector with a filter over the
 * ContainerViews, whose initial WaitForUpdatesEx answer is the inventory, in pages of 1,000), and deltas — the
 * same filter advanced by WaitForUpdatesEx from a stored version, whose changed objects are read afresh by
 * reference (cost grows with the changes, not the inventory). What a later container needs to continue is
 * the checkpoint's opaque `session`.
 * Also the live read of some hosts and their VMs, for jobs that must plan from what vCenter says now.
 */
import type { InventoryObject, InventoryRef } from '../../domain/vcenter';
import { type DeltaCheckpoint, type InventoryChanges, type InventorySnapshot, VSphereSessionLostError } from '../../ports/vcenter';
import type { VSphereClient } from './client';
import { inventoryObjectOf, KIND_OF_TYPE, SYNC_PATHS } from './inventory-mapping';
import { containerViewsSpec, objectsAndRelatedSpec, objectsSpec } from './specs';
import type { MoRef, ObjectContent, ObjectUpdate } from './types';

const PAGE = 1000;
const WAIT = { maxWaitSeconds: 0, maxObjectUpdates: 1000 };

/** The views of a full read, in the order the filter spec names them (see readInventory). */
const VIEW_TYPES = [Object.keys(SYNC_PATHS).filter((t) => t !== 'VirtualMachine'), ['VirtualMachine']];

/** The checkpoint's `session`: the cookie and the session-scoped references, which embed the session key. */
type DeltaSession = { cookie: string; collector: string; filter: string; views: string[] };

const collectorRef = (value: string): MoRef => ({ type: 'PropertyCollector', value });

function parseSession(session: string): DeltaSession | undefined {
  try {
    const s = JSON.parse(session) as Partial<DeltaSession> & { view?: string };
    if (typeof s.cookie !== 'string' || typeof s.collector !== 'string') return undefined;
    // A checkpoint kept before the full read used two views named its one view `view`.
    const views = Array.isArray(s.views) ? s.views.filter((v) => typeof v === 'string') : typeof s.view === 'string' ? [s.view] : [];
    return views.length ? { cookie: s.cookie, collector: s.collector, filter: String(s.filter ?? ''), views } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The full read is the delta filter's initial update: a private collector with one filter over two
 * ContainerViews, and WaitForUpdatesEx from version '' in pages of maxObjectUpdates until it is no longer
 * truncated. Every object enters with all its properties, and the version the read ends at is the next
 * delta's checkpoint, so vCenter sends the inventory once per full sync. The first view holds what VMs are
 * placed on (datacenters, clusters, hosts, datastores) and the second the VMs: a server that answers in the
 * spec's order (vcsim does) hands over the hosts before the VMs that name them, so those can be written
 * while the rest is read.
 */
export async function readInventory(
  vc: VSphereClient,
  onPage?: (objects: InventoryObject[], retrieved: number) => Promise<void>,
): Promise<InventorySnapshot> {
  const views: MoRef[] = [];
  let collector: MoRef | undefined;
  const discard = async () => {
    if (collector) await vc.destroyPropertyCollector(collector).catch(() => undefined);
    for (const view of views) await vc.destroyView(view).catch(() => undefined);
  };
  try {
    for (const types of VIEW_TYPES) views.push(await vc.createContainerView(types));
    collector = await vc.createPropertyCollector();
    const filter = await vc.createFilter(collector, containerViewsSpec(views, SYNC_PATHS), false);
    const objects: InventoryObject[] = [];
    let version = '';
    for (;;) {
      const update = await vc.waitForUpdatesEx(collector, version, WAIT);
      const page: InventoryObject[] = [];
      for (const f of update.filterSet) {
        for (const o of f.objectSet) {
          const object = inventoryObjectOf(enteredContent(o));
          if (object) page.push(object);
        }
      }
      objects.push(...page);
      version = update.version;
      if (page.length) await onPage?.(page, objects.length);
      if (!update.truncated) break;
    }
    if (objects.length === 0) await sessionStillKnown(vc, 'retry the sync');
    const cookie = vc.session.exportCookie();
    if (!cookie) throw new Error('no session cookie to keep');
    const session: DeltaSession = { cookie, collector: collector.value, filter: filter.value, views: views.map((v) => v.value) };
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
  for (const value of s.views) await vc.destroyView({ type: 'ContainerView', value }).catch(() => undefined);
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
