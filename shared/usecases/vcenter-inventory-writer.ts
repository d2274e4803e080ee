/**
 * Writes one sync's inventory objects as the vCenter port hands them over: fills in the names of related
 * objects, hashes each record, and sends what changed (records, then their IP observations, then the
 * hosts' iDRAC links: host-idrac-links.ts) to the store in batches while the port reads on. An object whose
 * related objects this read has not shown yet waits until they come or the read ends (then the stored
 * records name them), so its record is the same whatever order vCenter sends the objects in. At the end it
 * deletes what is gone and tells what it did.
 *
 * A full sync writes thousands of IP observations: instead of reconciling each address (a handful of store
 * reads each, more than the sync's own writes), it queues one IPAM full pass when it wrote any. A delta
 * reconciles the few addresses it writes one by one.
 *
 * A full sync also re-confirms unchanged objects whose record was written more than half of IPAM's live window
 * ago (`reconfirmAfterMs`): their record and IP observations are written again with the time of this sync, so
 * a VM that never changes keeps counting as live in IPAM, while a re-sync soon after another writes nothing.
 */

import { createHash } from 'node:crypto';
import {
  type InventoryKind,
  type InventoryObject,
  type InventoryRef,
  inventoryTargetId,
  type SyncChanges,
  type SyncCounts,
  type VCenterInstance,
} from '../domain/vcenter';
import { isoNow } from '../ports/clock';
import { recordObservations } from '../records/ip-observations';
import {
  deleteInventoryRecords,
  type EncodedInventoryRecord,
  getInventory,
  inventoryDataText,
  putInventoryRecords,
  type StoredState,
} from '../records/vcenter';
import type { Deps } from './deps';
import { linkSyncedHosts, unlinkHosts } from './host-idrac-links';
import { requestIpamReconciliation } from './ipam-reconciliation';

export type WriterDeps = Pick<Deps, 'store' | 'clock' | 'queue'>;

export const COUNT_KEY: Record<InventoryKind, keyof SyncCounts> = {
  datacenter: 'datacenters',
  cluster: 'clusters',
  host: 'hosts',
  vm: 'vms',
  datastore: 'datastores',
};

export const emptyCounts = (): SyncCounts => ({ datacenters: 0, clusters: 0, hosts: 0, vms: 0, datastores: 0 });
export const emptyChanges = (): SyncChanges => ({ written: 0, reconfirmed: 0, unchanged: 0, deleted: 0, ip_observations: 0 });

/** What a sync did: what it read (`counts`), wrote, and created and deleted per kind (for a delta's totals). */
export type Written = { counts: SyncCounts; changes: SyncChanges; created: SyncCounts; deleted: SyncCounts };

export interface InventoryWriter {
  /** Takes objects as they arrive; their writes start in the background, in order. Throws once a write failed. */
  add(objects: InventoryObject[]): Promise<void>;
  /**
   * After the last object: writes those still waiting, deletes `gone` and, in a full sync, every stored object
   * it did not see; throws the first failed write.
   */
  finish(gone: InventoryRef[]): Promise<Written>;
  /** The read failed: waits for the writes already started, so none outlives the sync. */
  abandon(): Promise<void>;
}

type HostInfo = { name: string; cluster?: string; cluster_name?: string };

/**
 * `stored` is what the instance's records hold (`<kind>#<moref>` → state): every record for a full sync, whose
 * unseen records are then deleted; for a delta, at least those of the objects it will add. `reconfirmAfterMs`
 * (full syncs only): unchanged records older than this are written again.
 */
export function inventoryWriter(
  deps: WriterDeps,
  instance: VCenterInstance,
  stored: () => Promise<Map<string, StoredState>>,
  mode: { full: true; reconfirmAfterMs: number } | { full: false },
): InventoryWriter {
  const now = isoNow(deps.clock);
  const reconfirmBefore = mode.full ? new Date(deps.clock.now() - mode.reconfirmAfterMs).toISOString() : undefined;
  const names = new Map<string, string>(); // moref → name, for the clusters and hosts this read showed
  const hostCluster = new Map<string, string>();
  const waiting: InventoryObject[] = [];
  const seen = new Set<string>();
  const result: Written = { counts: emptyCounts(), changes: emptyChanges(), created: emptyCounts(), deleted: emptyCounts() };
  let previous: Map<string, StoredState> | undefined;
  let writing: Promise<void> = Promise.resolve();
  let failure: { error: unknown } | undefined;

  const queue = (write: () => Promise<void>) => {
    writing = writing.then(() => (failure ? undefined : write())).catch((error: unknown) => void (failure ??= { error }));
  };
  // Host links (a handful of reads and writes per host) go on a chain of their own, each once its hosts'
  // records are stored, so the VM pages that follow are not written behind them.
  let linking: Promise<void> = Promise.resolve();
  const link = (after: Promise<void>, write: () => Promise<void>) => {
    linking = Promise.all([linking, after])
      .then(() => (failure ? undefined : write()))
      .catch((error: unknown) => void (failure ??= { error }));
  };

  /** Whether this read already showed the objects whose names `o` needs. */
  const related = (o: InventoryObject): boolean => {
    if (o.kind === 'host') return !o.placement?.cluster || names.has(o.placement.cluster);
    if (o.kind !== 'vm' || !o.placement?.host) return true;
    const cluster = hostCluster.get(o.placement.host);
    return names.has(o.placement.host) && (!cluster || names.has(cluster));
  };

  const storedHosts = new Map<string, Promise<HostInfo | undefined>>(); // a delta's VMs often share their host
  const storedHost = async (moref: string): Promise<HostInfo | undefined> => {
    const record = await getInventory(deps.store, instance.id, 'host', moref);
    if (!record) return undefined;
    return {
      name: record.name,
      cluster: record.data.cluster as string | undefined,
      cluster_name: record.data.cluster_name as string | undefined,
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
  /** What the port leaves to the sync (see InventoryObject): the names of a VM's host and cluster, of a host's cluster. */
  const dataOf = async (o: InventoryObject): Promise<Record<string, unknown>> => {
    // Spreading keeps the keys where the port put them, so the hash of unchanged data stays the same.
    if (o.kind === 'vm') {
      const host = await hostInfo(o.placement?.host);
      return { ...o.data, host_name: host?.name, cluster: host?.cluster, cluster_name: host?.cluster_name };
    }
    if (o.kind === 'host') return { ...o.data, cluster_name: await clusterName(o.placement?.cluster) };
    return o.data;
  };

  /** Hashes the objects and queues the writes of those that changed: records first, then their observations. */
  const write = async (objects: InventoryObject[]) => {
    const records: EncodedInventoryRecord[] = [];
    const observations: Parameters<typeof recordObservations>[1] = [];
    const hosts: Parameters<typeof linkSyncedHosts>[2] = [];
    for (const o of objects) {
      const data = await dataOf(o);
      // Unchanged hosts too: their link is checked in the same batched read, so a host never linked gets one.
      if (o.kind === 'host') hosts.push({ moref: o.moref, name: o.name, data });
      const text = inventoryDataText(data);
      const hash = createHash('sha256').update(text).digest('base64url').slice(0, 22);
      const before = previous!.get(`${o.kind}#${o.moref}`);
      if (before === undefined) result.created[COUNT_KEY[o.kind]]++;
      if (before?.hash === hash) {
        // A record from before write times were stored has no synced_at: it is re-confirmed once.
        const reconfirm = reconfirmBefore !== undefined && (before.synced_at ?? '') < reconfirmBefore;
        if (!reconfirm) {
          result.changes.unchanged++;
          continue;
        }
        result.changes.reconfirmed++;
      }
      records.push({ instance_id: instance.id, kind: o.kind, moref: o.moref, name: o.name, hash, data: text, synced_at: now });
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
    result.changes.written += records.length;
    result.changes.ip_observations += observations.length;
    if (records.length) queue(() => putInventoryRecords(deps.store, records));
    const reconcile = mode.full ? 'full pass queued' : 'each address';
    if (observations.length) queue(() => recordObservations(deps.store, observations, { reconcile }));
    if (hosts.length) link(writing, () => linkSyncedHosts(deps, instance.id, hosts));
  };

  return {
    async add(objects) {
      if (failure) throw failure.error; // no use reading on when the store refuses what was read
      previous ??= await stored();
      for (const o of objects) {
        result.counts[COUNT_KEY[o.kind]]++;
        seen.add(`${o.kind}#${o.moref}`);
        if (o.kind === 'cluster' || o.kind === 'host') names.set(o.moref, o.name);
        for (const h of o.placement?.hosts ?? []) hostCluster.set(h, o.moref);
        if (o.kind === 'host' && o.placement?.cluster) hostCluster.set(o.moref, o.placement.cluster);
      }
      waiting.push(...objects);
      const ready = waiting.filter(related);
      if (ready.length === 0) return;
      const still = waiting.filter((o) => !related(o));
      waiting.splice(0, waiting.length, ...still);
      await write(ready);
    },

    async finish(gone) {
      previous ??= await stored();
      await write(waiting.splice(0));
      const toDelete = [...gone];
      for (const key of mode.full ? previous.keys() : []) {
        if (seen.has(key)) continue;
        const i = key.indexOf('#');
        toDelete.push({ kind: key.slice(0, i) as InventoryKind, moref: key.slice(i + 1) });
      }
      if (toDelete.length) queue(() => deleteInventoryRecords(deps.store, instance.id, toDelete));
      const goneHosts = toDelete.filter((d) => d.kind === 'host').map((d) => inventoryTargetId(instance.id, d.moref));
      if (goneHosts.length) link(writing, () => unlinkHosts(deps, goneHosts));
      await Promise.all([writing, linking]);
      if (failure) throw failure.error;
      if (mode.full && result.changes.ip_observations)
        await requestIpamReconciliation(deps, `full sync of ${instance.id} wrote ${result.changes.ip_observations} IP observation(s)`);
      result.changes.deleted = toDelete.length;
      for (const d of toDelete) result.deleted[COUNT_KEY[d.kind]]++;
      return result;
    },

    async abandon() {
      await Promise.all([writing, linking]);
    },
  };
}
