/**
 * One sync of one instance's inventory, full or delta, through its vCenter client: the objects the port
 * reads become inventory records (written only when their hash changed) and IP observations; stored objects
 * that are gone are deleted; all three go to the store in batches. The delta checkpoint is kept, its version
 * on the instance and its session part as a secret: a full read hands it over with the inventory, a delta
 * moves it on. A delta that cannot continue from its checkpoint falls back to a full sync and says why.
 */

import { createHash } from 'node:crypto';
import type {
  InventoryKind,
  InventoryObject,
  InventoryRef,
  SyncChanges,
  SyncCounts,
  SyncProgress,
  VCenterInstance,
} from '../domain/vcenter';
import { logger } from '../observability/logger';
import { isoNow } from '../ports/clock';
import {
  type DeltaCheckpoint,
  InvalidCollectorVersionFault,
  type InventorySnapshot,
  ManagedObjectNotFoundFault,
  type VCenterClient,
  VSphereSessionLostError,
} from '../ports/vcenter';
import { recordObservations } from '../records/ip-observations';
import {
  deleteInventoryRecords,
  getInventory,
  type InventoryRecord,
  inventoryHashes,
  putInventoryRecords,
  storedHashes,
  vcenterInstances,
} from '../records/vcenter';
import type { Deps } from './deps';

export type SyncDeps = Pick<Deps, 'store' | 'secrets' | 'clock'>;
export type SyncResult = { counts: SyncCounts; changes: SyncChanges };
/** Reports where a running sync is (phase, objects retrieved so far). */
export type Progress = (phase: SyncProgress['phase'], objectsRetrieved: number) => Promise<void>;

const COUNT_KEY: Record<InventoryKind, keyof SyncCounts> = {
  datacenter: 'datacenters',
  cluster: 'clusters',
  host: 'hosts',
  vm: 'vms',
  datastore: 'datastores',
};

export const emptyCounts = (): SyncCounts => ({ datacenters: 0, clusters: 0, hosts: 0, vms: 0, datastores: 0 });
export const emptyChanges = (): SyncChanges => ({ written: 0, unchanged: 0, deleted: 0, ip_observations: 0 });

const sessionSecretRef = (instanceId: string) => `vcenter-sessions/${instanceId}`;

/** The checkpoint's session part, kept only in the Secrets port; undefined when it is gone. */
const readSession = (deps: SyncDeps, ref: string): Promise<string | undefined> => deps.secrets.get(ref).catch(() => undefined);

// ---------------------------------------------------------------------------------------------------------
// Full sync

export async function fullSync(deps: SyncDeps, vc: VCenterClient, instance: VCenterInstance, progress?: Progress): Promise<SyncResult> {
  await dropCheckpoint(deps, vc, instance);
  await progress?.('retrieving', 0);
  // The stored hashes are read while vCenter prepares the inventory, not after.
  const stored = inventoryHashes(deps.store, instance.id);
  stored.catch(() => undefined);
  let snapshot: InventorySnapshot;
  try {
    snapshot = await vc.readInventory(async (retrieved) => progress?.('retrieving', retrieved));
  } catch (e) {
    await stored.catch(() => undefined);
    throw e;
  }
  await progress?.('writing', snapshot.objects.length);
  let result: SyncResult;
  try {
    result = await applyObjects(deps, instance, snapshot.objects, { full: true, stored: await stored });
  } catch (e) {
    await snapshot.discard();
    throw e;
  }
  await progress?.('preparing_delta', snapshot.objects.length);
  await keepCheckpoint(deps, vc, instance, snapshot.checkpoint).catch((e: unknown) =>
    logger.warn('Could not keep the delta checkpoint; the next delta will run as full', { instance_id: instance.id, error: e as Error }),
  );
  return result;
}

/** The full read's checkpoint: its session part as a secret, its version on the instance. */
async function keepCheckpoint(deps: SyncDeps, vc: VCenterClient, instance: VCenterInstance, checkpoint: DeltaCheckpoint): Promise<void> {
  try {
    const ref = sessionSecretRef(instance.id);
    await deps.secrets.put(ref, checkpoint.session);
    await vcenterInstances.update(deps.store, instance.id, (c) => ({
      ...c,
      sync_state: { collector_version: checkpoint.version, session_secret_ref: ref, prepared_at: isoNow(deps.clock) },
    }));
  } catch (e) {
    await vc.releaseCheckpoint(checkpoint.session);
    throw e;
  }
}

/** Forget the previous checkpoint (and free its collector on vCenter when it is still ours). */
async function dropCheckpoint(deps: SyncDeps, vc: VCenterClient, instance: VCenterInstance): Promise<void> {
  const state = (await vcenterInstances.get(deps.store, instance.id)).sync_state;
  if (!state?.session_secret_ref) return;
  const session = await readSession(deps, state.session_secret_ref);
  if (session) await vc.releaseCheckpoint(session);
  await vcenterInstances.update(deps.store, instance.id, (c) => ({ ...c, sync_state: undefined }));
}

// ---------------------------------------------------------------------------------------------------------
// Delta sync

/** Why a delta cannot continue from its checkpoint (then a full sync runs), or undefined for other failures. */
function fallbackReason(e: unknown, version: string): string | undefined {
  if (e instanceof VSphereSessionLostError) return `VSphereSessionLostError: ${e.message}`;
  if (e instanceof InvalidCollectorVersionFault) return `InvalidCollectorVersion: version '${version}' is no longer valid`;
  if (e instanceof ManagedObjectNotFoundFault)
    return `ManagedObjectNotFound: the stored collector or filter no longer exists (${e.message})`;
  return undefined;
}

export async function deltaOrFull(deps: SyncDeps, vc: VCenterClient, instance: VCenterInstance, progress?: Progress) {
  const full = async (fallback: string) => {
    logger.info('Delta sync falls back to full', { instance_id: instance.id, reason: fallback });
    // fullSync frees the old collector and view when the session still holds them, then prepares new ones.
    return { executed: 'full' as const, fallback, ...(await fullSync(deps, vc, instance, progress)) };
  };
  const state = instance.sync_state;
  if (!state?.session_secret_ref || !state.collector_version || state.invalidated)
    return full(state?.invalidated ?? 'no stored collector version (first sync, or the instance changed)');
  const session = await readSession(deps, state.session_secret_ref);
  if (!session) return full('session lost: no stored session to resume');
  try {
    return {
      executed: 'delta' as const,
      ...(await deltaSync(deps, vc, instance, { version: state.collector_version, session }, progress)),
    };
  } catch (e) {
    const reason = fallbackReason(e, state.collector_version);
    if (!reason) throw e;
    return full(reason);
  }
}

async function deltaSync(deps: SyncDeps, vc: VCenterClient, instance: VCenterInstance, checkpoint: DeltaCheckpoint, progress?: Progress) {
  await progress?.('retrieving', 0);
  try {
    const changes = await vc.readChanges(checkpoint);
    await progress?.('writing', changes.objects.length);
    const result = await applyObjects(deps, instance, changes.objects, { full: false, removed: changes.removed });
    await vcenterInstances.update(deps.store, instance.id, (c) => ({
      ...c,
      sync_state: c.sync_state ? { ...c.sync_state, collector_version: changes.version } : c.sync_state,
    }));
    return result;
  } catch (e) {
    // Updates may have been handed out (a timed-out WaitForUpdatesEx, a failure while writing) and not
    // applied: resuming from the stored version could skip them, so the next sync runs full.
    const why = `the previous delta attempt failed after asking vCenter for updates (${(e as Error).name}: ${(e as Error).message})`;
    await vcenterInstances
      .update(deps.store, instance.id, (c) => ({ ...c, sync_state: c.sync_state ? { ...c.sync_state, invalidated: why } : c.sync_state }))
      .catch((err: unknown) => logger.warn('Could not invalidate the delta state', { instance_id: instance.id, error: err as Error }));
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Records

type HostInfo = { name: string; cluster?: string; cluster_name?: string };

/**
 * Fills in what the port leaves to the sync (see InventoryObject): the names of a VM's host and cluster and of
 * a host's cluster, from this batch when it holds them, else from the stored inventory.
 */
function relatedNames(deps: SyncDeps, instance: VCenterInstance, objects: InventoryObject[]) {
  const names = new Map<string, string>(); // moref → name, for clusters and hosts in this batch
  const hostCluster = new Map<string, string>();
  for (const o of objects) {
    if (o.kind === 'cluster' || o.kind === 'host') names.set(o.moref, o.name);
    for (const h of o.placement?.hosts ?? []) hostCluster.set(h, o.moref);
    if (o.kind === 'host' && o.placement?.cluster) hostCluster.set(o.moref, o.placement.cluster);
  }
  const storedHosts = new Map<string, Promise<HostInfo | undefined>>(); // a delta's VMs often share their host
  const storedHost = async (moref: string): Promise<HostInfo | undefined> => {
    const stored = await getInventory(deps.store, instance.id, 'host', moref);
    if (!stored) return undefined;
    return {
      name: stored.name,
      cluster: stored.data.cluster as string | undefined,
      cluster_name: stored.data.cluster_name as string | undefined,
    };
  };
  const hostInfo = async (moref: string | undefined): Promise<HostInfo | undefined> => {
    if (!moref) return undefined;
    const cluster = hostCluster.get(moref);
    if (names.has(moref)) return { name: names.get(moref)!, cluster, cluster_name: cluster ? names.get(cluster) : undefined };
    if (!storedHosts.has(moref)) storedHosts.set(moref, storedHost(moref));
    return storedHosts.get(moref);
  };
  const clusterName = async (moref: string | undefined) =>
    moref ? (names.get(moref) ?? (await getInventory(deps.store, instance.id, 'cluster', moref))?.name) : undefined;
  // Spreading keeps the keys where the port put them, so the hash of unchanged data stays the same.
  return async (o: InventoryObject): Promise<Record<string, unknown>> => {
    if (o.kind === 'vm') {
      const host = await hostInfo(o.placement?.host);
      return { ...o.data, host_name: host?.name, cluster: host?.cluster, cluster_name: host?.cluster_name };
    }
    if (o.kind === 'host') return { ...o.data, cluster_name: await clusterName(o.placement?.cluster) };
    return o.data;
  };
}

/** Writes what changed; deletes what is gone (a full sync: what it did not see; a delta: what left). */
async function applyObjects(
  deps: SyncDeps,
  instance: VCenterInstance,
  objects: InventoryObject[],
  mode: { full: true; stored: Map<string, string> } | { full: false; removed: InventoryRef[] },
): Promise<SyncResult> {
  const now = isoNow(deps.clock);
  const counts = emptyCounts();
  const changes = emptyChanges();
  const previous = mode.full ? mode.stored : await storedHashes(deps.store, instance.id, objects);
  const dataOf = relatedNames(deps, instance, objects);
  const seen = new Set<string>();
  const created = emptyCounts();
  const records: InventoryRecord[] = [];
  const observations: Parameters<typeof recordObservations>[1] = [];
  for (const o of objects) {
    counts[COUNT_KEY[o.kind]]++;
    const key = `${o.kind}#${o.moref}`;
    seen.add(key);
    const data = await dataOf(o);
    const hash = createHash('sha256').update(JSON.stringify(data)).digest('base64url').slice(0, 22);
    const before = previous.get(key);
    if (before === undefined) created[COUNT_KEY[o.kind]]++;
    if (before === hash) {
      changes.unchanged++;
      continue;
    }
    records.push({ instance_id: instance.id, kind: o.kind, moref: o.moref, name: o.name, hash, data, synced_at: now });
    for (const ip of o.ips) {
      observations.push({
        address: ip.address,
        source: 'vcenter',
        source_ref: `${instance.id}/${o.moref}`,
        entity_kind: o.kind === 'host' ? 'host' : 'vm',
        entity_ref: `${instance.id}/${o.moref}`,
        mac: ip.mac,
        hostname: ip.hostname,
        site_id: instance.site_id,
        hardware_ids: ip.hardware_ids,
        last_seen: now,
      });
    }
  }
  const toDelete: InventoryRef[] = mode.full ? [] : [...mode.removed];
  for (const key of mode.full ? mode.stored.keys() : []) {
    if (seen.has(key)) continue;
    const i = key.indexOf('#');
    toDelete.push({ kind: key.slice(0, i) as InventoryKind, moref: key.slice(i + 1) });
  }
  // Records first: an observation names its record, and a failure after them leaves the next sync to write them again.
  await putInventoryRecords(deps.store, records);
  changes.written = records.length;
  await recordObservations(deps.store, observations);
  changes.ip_observations = observations.length;
  await deleteInventoryRecords(deps.store, instance.id, toDelete);
  changes.deleted = toDelete.length;
  const deleted = emptyCounts();
  for (const d of toDelete) deleted[COUNT_KEY[d.kind]]++;
  if (mode.full) return { counts, changes };
  // A delta reports the stored totals afterwards: the last sync's, moved by what this one created and
  // removed (counting every stored record would make a delta's cost grow with the inventory).
  const totals = emptyCounts();
  if (instance.inventory_counts) {
    for (const k of Object.keys(totals) as (keyof SyncCounts)[])
      totals[k] = Math.max(0, (instance.inventory_counts[k] ?? 0) + created[k] - deleted[k]);
  } else {
    for (const key of (await inventoryHashes(deps.store, instance.id)).keys())
      totals[COUNT_KEY[key.slice(0, key.indexOf('#')) as InventoryKind]]++;
  }
  return { counts: totals, changes };
}
