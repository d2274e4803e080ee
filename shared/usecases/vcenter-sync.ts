import { createHash } from 'node:crypto';
import {
  containerViewSpec,
  InvalidCollectorVersionFault,
  ManagedObjectNotFoundFault,
  type MoRef,
  objectsSpec,
  type ObjectContent,
  type PropertyFilterSpec,
  type VSphereClient,
  VSphereSessionLostError,
} from '../adapters/vsphere';
import { type ErrorDetail, ValidationError } from '../domain/errors';
import { newId } from '../domain/ids';
import { config } from '../config';
import type { SyncChanges, SyncCounts, SyncProgress, SyncRun, SyncType, VCenterInstance } from '../domain/vcenter';
import { logger } from '../observability/logger';
import {
  deleteInventory,
  getInventory,
  type InventoryKind,
  type InventoryRecord,
  inventoryHashes,
  listInventoryPage,
  putInventory,
  syncRuns,
  vcenterInstances,
} from '../records/vcenter';
import { recordObservation } from '../records/ip-observations';
import type { Deps } from './deps';

export type SyncDeps = Pick<Deps, 'store' | 'secrets' | 'clock' | 'queue'>;
export const VCENTER_SYNC_POOL = 'vcenter-sync';
const iso = (deps: Pick<Deps, 'clock'>) => new Date(deps.clock.now()).toISOString();

/** The properties EIO reads, per managed object type (add a vim-schema.ts line for new nested ones). */
export const SYNC_PATHS: Record<string, string[]> = {
  Datacenter: ['name'],
  ClusterComputeResource: ['name', 'configurationEx', 'host'],
  HostSystem: [
    'name',
    'runtime.connectionState',
    'runtime.powerState',
    'runtime.inMaintenanceMode',
    'hardware.systemInfo',
    'config.network.vnic',
    'parent',
  ],
  VirtualMachine: [
    'name',
    'config.uuid',
    'config.instanceUuid',
    'runtime.powerState',
    'runtime.host',
    'guest.hostName',
    'guest.net',
    'guest.toolsRunningStatus',
    'datastore',
    'config.hardware.device',
  ],
  Datastore: ['name', 'summary.type', 'summary.multipleHostAccess', 'summary.capacity', 'summary.freeSpace'],
};

const KIND_OF_TYPE: Record<string, InventoryKind> = {
  Datacenter: 'datacenter',
  ClusterComputeResource: 'cluster',
  HostSystem: 'host',
  VirtualMachine: 'vm',
  Datastore: 'datastore',
};

const COUNT_KEY: Record<InventoryKind, keyof SyncCounts> = {
  datacenter: 'datacenters',
  cluster: 'clusters',
  host: 'hosts',
  vm: 'vms',
  datastore: 'datastores',
};

// ---------------------------------------------------------------------------------------------------------
// Requests

export async function requestSync(
  deps: SyncDeps,
  input: { instance_ids: string[]; sync_type: SyncType },
  actor: string,
): Promise<SyncRun[]> {
  const problems: ErrorDetail[] = [];
  await Promise.all(
    input.instance_ids.map(async (id, i) => {
      if (!(await vcenterInstances.exists(deps.store, id)))
        problems.push({ path: `body.instance_ids[${i}]`, message: `vCenter instance '${id}' does not exist` });
    }),
  );
  if (problems.length) {
    problems.sort((a, b) => a.path.localeCompare(b.path, 'en', { numeric: true }));
    throw new ValidationError(`Unknown vCenter instance(s): ${problems.map((p) => p.message.split("'")[1]).join(', ')}`, problems);
  }
  const runs: SyncRun[] = [];
  for (const instanceId of [...new Set(input.instance_ids)]) runs.push(await enqueueSync(deps, instanceId, input.sync_type, actor));
  return runs;
}

async function enqueueSync(deps: SyncDeps, instanceId: string, syncType: SyncType, actor: string): Promise<SyncRun> {
  const run = await syncRuns.create(deps.store, {
    id: newId('sync_run', deps.clock.now()),
    instance_id: instanceId,
    sync_type: syncType,
    status: 'queued',
    requested_by: actor,
    requested_at: iso(deps),
    attempts: 0,
    max_attempts: config().vcenter.syncMaxAttempts,
    version: 1,
  });
  await deps.queue.send(VCENTER_SYNC_POOL, [
    { body: JSON.stringify({ instance_id: instanceId, sync_type: syncType, sync_run_id: run.id }) },
  ]);
  return run;
}

/** A schedule's message: one sync run per registered instance. */
export async function scheduleSyncAll(deps: SyncDeps, syncType: SyncType): Promise<SyncRun[]> {
  const runs: SyncRun[] = [];
  let cursor: string | undefined;
  do {
    const page = await vcenterInstances.list(deps.store, { limit: 100, cursor });
    for (const i of page.items) runs.push(await enqueueSync(deps, i.id, syncType, 'schedule'));
    cursor = page.cursor;
  } while (cursor);
  return runs;
}

export const getSyncRun = (deps: Pick<Deps, 'store'>, id: string) => syncRuns.get(deps.store, id);

/** Sync runs newest first: all of them (gsi1), or one instance's (gsi2); both ordered by request time. */
export const listSyncRuns = (deps: Pick<Deps, 'store'>, q: { instance_id?: string }, page: { limit: number; cursor?: string }) =>
  q.instance_id
    ? syncRuns.listBy(deps.store, `SYNCRUNS#${q.instance_id}`, { ...page, descending: true })
    : syncRuns.list(deps.store, { ...page, descending: true });

export const emptyCounts = (): SyncCounts => ({ datacenters: 0, clusters: 0, hosts: 0, vms: 0, datastores: 0 });
export const emptyChanges = (): SyncChanges => ({ written: 0, unchanged: 0, deleted: 0, ip_observations: 0 });

// ---------------------------------------------------------------------------------------------------------
// Full sync

/** Reports where a running sync is (phase, objects retrieved so far). */
export type Progress = (phase: SyncProgress['phase'], objectsRetrieved: number) => Promise<void>;

const PAGE = 1000;

export async function fullSync(deps: SyncDeps, vc: VSphereClient, instance: VCenterInstance, progress?: Progress) {
  await dropDeltaState(deps, vc, instance);
  const view = await vc.createContainerView(Object.keys(SYNC_PATHS));
  const spec = containerViewSpec(view, SYNC_PATHS);
  const objects: ObjectContent[] = [];
  try {
    await progress?.('retrieving', 0);
    for await (const o of vc.retrievePropertiesEx([spec], { maxObjects: PAGE })) {
      objects.push(o);
      if (objects.length % PAGE === 0) await progress?.('retrieving', objects.length);
    }
    if (objects.length === 0 && !(await vc.session.currentSession()))
      throw new Error('vCenter returned no objects and no longer knows the session (silently expired); retry the sync');
  } catch (e) {
    await vc.destroyView(view).catch(() => undefined);
    throw e;
  }
  await progress?.('writing', objects.length);
  const result = await applyObjects(deps, instance, objects, { full: true });
  await progress?.('preparing_delta', objects.length);
  // Prime delta sync: a private collector and filter over the same view, advanced to "now".
  await primeDelta(deps, vc, instance, view, spec).catch(async (e: unknown) => {
    logger.warn('Could not prepare delta sync; the next delta will run as full', { instance_id: instance.id, error: e as Error });
    await vc.destroyView(view).catch(() => undefined);
  });
  return result;
}

const sessionSecretRef = (instanceId: string) => `vcenter-sessions/${instanceId}`;

async function primeDelta(deps: SyncDeps, vc: VSphereClient, instance: VCenterInstance, view: MoRef, spec: PropertyFilterSpec) {
  const collector = await vc.createPropertyCollector();
  try {
    const filter = await vc.createFilter(collector, spec, false);
    let version = '';
    for (;;) {
      const update = await vc.waitForUpdatesEx(collector, version, { maxWaitSeconds: 0, maxObjectUpdates: 1000 });
      version = update.version;
      if (!update.truncated) break;
    }
    const cookie = vc.session.exportCookie();
    if (!cookie) throw new Error('no session cookie to keep');
    const ref = sessionSecretRef(instance.id);
    // Session-scoped references embed the session key, so they are kept with the cookie, as a secret.
    const session: SessionSecret = { cookie, collector: collector.value, filter: filter.value, view: view.value };
    await deps.secrets.put(ref, JSON.stringify(session));
    await vcenterInstances.update(deps.store, instance.id, (c) => ({
      ...c,
      sync_state: { collector_version: version, session_secret_ref: ref, prepared_at: iso(deps) },
    }));
  } catch (e) {
    await vc.destroyPropertyCollector(collector).catch(() => undefined);
    throw e;
  }
}

/** Forget the previous delta state (and free its collector on vCenter when it is still ours). */
async function dropDeltaState(deps: SyncDeps, vc: VSphereClient, instance: VCenterInstance) {
  const state = (await vcenterInstances.get(deps.store, instance.id)).sync_state;
  if (!state?.session_secret_ref) return;
  const session = await readSessionSecret(deps, state.session_secret_ref);
  if (session && vc.health().loggedIn) {
    await vc.destroyPropertyCollector({ type: 'PropertyCollector', value: session.collector }).catch(() => undefined);
    await vc.destroyView({ type: 'ContainerView', value: session.view }).catch(() => undefined);
  }
  await vcenterInstances.update(deps.store, instance.id, (c) => ({ ...c, sync_state: undefined }));
}

// ---------------------------------------------------------------------------------------------------------
// Delta sync

class DeltaStateLost extends Error {}

/** What a later invocation needs to continue a delta sync, kept only in the Secrets port. */
type SessionSecret = { cookie: string; collector: string; filter: string; view: string };

async function readSessionSecret(deps: SyncDeps, ref: string): Promise<SessionSecret | undefined> {
  try {
    return JSON.parse(await deps.secrets.get(ref)) as SessionSecret;
  } catch {
    return undefined;
  }
}

export async function deltaOrFull(deps: SyncDeps, vc: VSphereClient, instance: VCenterInstance, progress?: Progress) {
  const state = instance.sync_state;
  if (!state?.session_secret_ref || !state.collector_version || state.invalidated) {
    const fallback = state?.invalidated ?? 'no stored collector version (first sync, or the instance changed)';
    return { executed: 'full' as const, fallback, ...(await fullSync(deps, vc, instance, progress)) };
  }
  try {
    return { executed: 'delta' as const, ...(await deltaSync(deps, vc, instance, progress)) };
  } catch (e) {
    let reason: string | undefined;
    if (e instanceof VSphereSessionLostError) reason = `VSphereSessionLostError: ${e.message}`;
    else if (e instanceof DeltaStateLost) reason = `session lost: ${e.message}`;
    else if (e instanceof InvalidCollectorVersionFault) reason = `InvalidCollectorVersion: version '${state.collector_version}' is no longer valid`;
    else if (e instanceof ManagedObjectNotFoundFault) reason = `ManagedObjectNotFound: the stored collector or filter no longer exists (${e.message})`;
    if (!reason) throw e;
    logger.info('Delta sync falls back to full', { instance_id: instance.id, reason });
    // fullSync frees the old collector and view when the session still holds them, then prepares new ones.
    return { executed: 'full' as const, fallback: reason, ...(await fullSync(deps, vc, instance, progress)) };
  }
}

async function deltaSync(deps: SyncDeps, vc: VSphereClient, instance: VCenterInstance, progress?: Progress) {
  const state = instance.sync_state!;
  await progress?.('retrieving', 0);
  const session = await readSessionSecret(deps, state.session_secret_ref!);
  if (!session) throw new DeltaStateLost('no stored session to resume');
  if (!vc.health().loggedIn) {
    // A new container: continue the session that owns the collector.
    vc.session.resume(session.cookie);
  }
  const collector = { type: 'PropertyCollector', value: session.collector };
  try {
    return await applyUpdates(deps, vc, instance, collector, state.collector_version!, progress);
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

async function applyUpdates(deps: SyncDeps, vc: VSphereClient, instance: VCenterInstance, collector: MoRef, from: string, progress?: Progress) {
  let version = from;
  const changed = new Map<string, MoRef>();
  const left = new Map<string, MoRef>();
  for (;;) {
    const update = await vc.waitForUpdatesEx(collector, version, { maxWaitSeconds: 0, maxObjectUpdates: 1000 });
    for (const f of update.filterSet) {
      for (const o of f.objectSet) {
        const key = `${o.obj.type}#${o.obj.value}`;
        const notAuth = o.missingSet.some((m) => m.fault?.type === 'NotAuthenticated');
        if (notAuth) throw new DeltaStateLost('NotAuthenticated in missingSet (the session expired silently)');
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
  // Read the changed objects afresh: cost grows with the number of changes, not the inventory.
  const objects: ObjectContent[] = [];
  const byType = new Map<string, MoRef[]>();
  for (const ref of changed.values()) byType.set(ref.type, [...(byType.get(ref.type) ?? []), ref]);
  for (const [type, refs] of byType) {
    if (!SYNC_PATHS[type]) continue;
    for await (const o of vc.retrievePropertiesEx([objectsSpec(refs, SYNC_PATHS[type])], { maxObjects: 1000 })) objects.push(o);
  }
  await progress?.('writing', objects.length);
  const result = await applyObjects(deps, instance, objects, { full: false, removed: [...left.values()] });
  await vcenterInstances.update(deps.store, instance.id, (c) => ({
    ...c,
    sync_state: c.sync_state ? { ...c.sync_state, collector_version: version } : c.sync_state,
  }));
  return result;
}

// ---------------------------------------------------------------------------------------------------------
// Records

type Props = Record<string, unknown>;
const propsOf = (o: ObjectContent): Props => Object.fromEntries(o.propSet.map((p) => [p.name, p.val]));
const ref = (v: unknown) => (v && typeof v === 'object' && 'value' in v ? String((v as MoRef).value) : undefined);
const arr = <T = Record<string, any>>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : v == null ? [] : [v as T]);

type HostInfo = { name: string; cluster?: string; cluster_name?: string };

async function applyObjects(
  deps: SyncDeps,
  instance: VCenterInstance,
  objects: ObjectContent[],
  mode: { full: boolean; removed?: MoRef[] },
): Promise<{ counts: SyncCounts; changes: SyncChanges }> {
  const now = iso(deps);
  const counts = emptyCounts();
  const changes = emptyChanges();
  const existing = mode.full ? await inventoryHashes(deps.store, instance.id) : undefined;
  const names = new Map<string, string>(); // moref → name, for clusters and hosts in this batch
  const hostCluster = new Map<string, string>();
  for (const o of objects) {
    const p = propsOf(o);
    if (typeof p.name === 'string') names.set(o.obj.value, p.name);
    if (o.obj.type === 'ClusterComputeResource') for (const h of arr<MoRef>(p.host)) hostCluster.set(h.value, o.obj.value);
    if (o.obj.type === 'HostSystem' && (p.parent as MoRef | undefined)?.type === 'ClusterComputeResource')
      hostCluster.set(o.obj.value, (p.parent as MoRef).value);
  }
  const hostInfo = async (moref: string | undefined): Promise<HostInfo | undefined> => {
    if (!moref) return undefined;
    const cluster = hostCluster.get(moref);
    if (names.has(moref)) return { name: names.get(moref)!, cluster, cluster_name: cluster ? names.get(cluster) : undefined };
    const stored = await getInventory(deps.store, instance.id, 'host', moref);
    if (!stored) return undefined;
    return { name: stored.name, cluster: stored.data.cluster as string | undefined, cluster_name: stored.data.cluster_name as string | undefined };
  };
  const clusterName = async (moref: string | undefined) =>
    moref ? (names.get(moref) ?? (await getInventory(deps.store, instance.id, 'cluster', moref))?.name) : undefined;

  const seen = new Set<string>();
  const created = emptyCounts();
  for (const o of objects) {
    const kind = KIND_OF_TYPE[o.obj.type];
    if (!kind) continue;
    counts[COUNT_KEY[kind]]++;
    const key = `${kind}#${o.obj.value}`;
    seen.add(key);
    const p = propsOf(o);
    const { data, ips } = await buildRecord(kind, o.obj.value, p, { hostInfo, clusterName });
    const hash = createHash('sha256').update(JSON.stringify(data)).digest('base64url').slice(0, 22);
    const previous = existing ? existing.get(key) : (await getInventory(deps.store, instance.id, kind, o.obj.value))?.hash;
    if (previous === undefined) created[COUNT_KEY[kind]]++;
    if (previous === hash) {
      changes.unchanged++;
      continue;
    }
    const record: InventoryRecord = { instance_id: instance.id, kind, moref: o.obj.value, name: String(p.name ?? o.obj.value), hash, data, synced_at: now };
    await putInventory(deps.store, record);
    changes.written++;
    for (const ip of ips) {
      await recordObservation(deps.store, {
        address: ip.address,
        source: 'vcenter',
        source_ref: `${instance.id}/${o.obj.value}`,
        entity_kind: kind === 'host' ? 'host' : 'vm',
        entity_ref: `${instance.id}/${o.obj.value}`,
        mac: ip.mac,
        hostname: ip.hostname,
        site_id: instance.site_id,
        hardware_ids: ip.hardware_ids,
        last_seen: now,
      });
      changes.ip_observations++;
    }
  }
  const toDelete: { kind: InventoryKind; moref: string }[] = [];
  if (existing) {
    for (const key of existing.keys()) {
      if (seen.has(key)) continue;
      const i = key.indexOf('#');
      toDelete.push({ kind: key.slice(0, i) as InventoryKind, moref: key.slice(i + 1) });
    }
  }
  for (const r of mode.removed ?? []) {
    const kind = KIND_OF_TYPE[r.type];
    if (kind) toDelete.push({ kind, moref: r.value });
  }
  const deleted = emptyCounts();
  for (const d of toDelete) {
    await deleteInventory(deps.store, instance.id, d.kind, d.moref);
    changes.deleted++;
    deleted[COUNT_KEY[d.kind]]++;
  }
  if (!mode.full) {
    // A delta reports the stored totals afterwards: the last sync's, moved by what this one created and
    // removed (counting every stored record would make a delta's cost grow with the inventory).
    const totals = emptyCounts();
    if (instance.inventory_counts) {
      for (const k of Object.keys(totals) as (keyof SyncCounts)[]) totals[k] = Math.max(0, (instance.inventory_counts[k] ?? 0) + created[k] - deleted[k]);
    } else {
      for (const key of (await inventoryHashes(deps.store, instance.id)).keys()) totals[COUNT_KEY[key.slice(0, key.indexOf('#')) as InventoryKind]]++;
    }
    return { counts: totals, changes };
  }
  return { counts, changes };
}

type Ip = { address: string; mac?: string; hostname?: string; hardware_ids?: Record<string, string> };

/** One object's record and the IP observations it yields (exported for unit tests). */
export async function buildRecord(
  kind: InventoryKind,
  moref: string,
  p: Props,
  lookup: { hostInfo: (m: string | undefined) => Promise<HostInfo | undefined>; clusterName: (m: string | undefined) => Promise<string | undefined> },
): Promise<{ data: Record<string, unknown>; ips: Ip[] }> {
  switch (kind) {
    case 'datacenter':
      return { data: { name: p.name }, ips: [] };
    case 'datastore':
      return {
        data: {
          name: p.name,
          type: p['summary.type'],
          shared: p['summary.multipleHostAccess'] === true,
          capacity_bytes: p['summary.capacity'],
          free_bytes: p['summary.freeSpace'],
        },
        ips: [],
      };
    case 'cluster': {
      const cfg = (p.configurationEx ?? {}) as Record<string, any>;
      return {
        data: {
          name: p.name,
          hosts: arr<MoRef>(p.host).map((h) => h.value),
          drs: cfg.drsConfig ? { enabled: cfg.drsConfig.enabled ?? false, behavior: cfg.drsConfig.defaultVmBehavior } : undefined,
          ha: cfg.dasConfig
            ? { enabled: cfg.dasConfig.enabled ?? false, admission_control: cfg.dasConfig.admissionControlEnabled, host_monitoring: cfg.dasConfig.hostMonitoring }
            : undefined,
          drs_vm_overrides: arr(cfg.drsVmConfig).map((o) => ({ vm: ref(o.key), behavior: o.behavior, enabled: o.enabled })),
          ha_vm_overrides: arr(cfg.dasVmConfig).map((o) => ({ vm: ref(o.key), restart_priority: o.dasSettings?.restartPriority ?? o.restartPriority })),
          rules: arr(cfg.rule).map((r) => ({
            type: r._type,
            name: r.name,
            enabled: r.enabled,
            mandatory: r.mandatory,
            vms: arr<MoRef>(r.vm).map((v) => v.value),
            vm_group: r.vmGroupName,
            host_group: r.affineHostGroupName ?? r.antiAffineHostGroupName,
          })),
          groups: arr(cfg.group).map((g) => ({
            type: g._type,
            name: g.name,
            members: [...arr<MoRef>(g.vm), ...arr<MoRef>(g.host)].map((m) => m.value),
          })),
        },
        ips: [],
      };
    }
    case 'host': {
      const info = (p['hardware.systemInfo'] ?? {}) as Record<string, any>;
      const ids = arr(info.otherIdentifyingInfo);
      const serviceTag =
        info.serialNumber ?? ids.find((i) => i.identifierType?.key === 'ServiceTag' || i.identifierType?.key === 'EnclosureSerialNumberTag')?.identifierValue;
      const parent = p.parent as MoRef | undefined;
      const cluster = parent?.type === 'ClusterComputeResource' ? parent.value : undefined;
      const vnics = arr(p['config.network.vnic']).map((n) => ({
        device: n.device,
        portgroup: n.portgroup || undefined,
        ip: n.spec?.ip?.ipAddress || undefined,
        mac: n.spec?.mac,
      }));
      const data = {
        name: p.name,
        connection_state: p['runtime.connectionState'],
        power_state: p['runtime.powerState'],
        in_maintenance_mode: p['runtime.inMaintenanceMode'] === true,
        hardware_uuid: info.uuid,
        service_tag: serviceTag,
        cluster,
        cluster_name: await lookup.clusterName(cluster),
        vmknics: vnics,
      };
      const hardware_ids: Record<string, string> = {};
      if (info.uuid) hardware_ids.system_uuid = info.uuid;
      if (serviceTag) hardware_ids.service_tag = serviceTag;
      return {
        data,
        ips: vnics.filter((v) => v.ip).map((v) => ({ address: v.ip!, mac: v.mac, hostname: String(p.name), hardware_ids })),
      };
    }
    case 'vm': {
      const hostRef = ref(p['runtime.host']);
      const host = await lookup.hostInfo(hostRef);
      const nics = arr(p['guest.net']).map((n) => ({
        mac: n.macAddress,
        network: n.network,
        connected: n.connected,
        ips: arr<string>(n.ipAddress),
      }));
      const devices = arr(p['config.hardware.device']);
      const disks = devices
        .filter((d) => d._type === 'VirtualDisk')
        .map((d) => ({ key: d.key, capacity_kb: d.capacityInKB, datastore: ref(d.backing?.datastore), file: d.backing?.fileName }));
      const nicDevices = devices
        .filter((d) => typeof d.macAddress === 'string')
        .map((d) => ({ key: d.key, type: d._type, mac: d.macAddress, network: d.deviceInfo?.summary }));
      const passthrough = devices.filter((d) => /Passthrough|Usb|Serial|Parallel/.test(String(d._type))).map((d) => d._type);
      const cdroms = devices.filter((d) => d._type === 'VirtualCdrom' && d.connectable?.connected).length;
      const uuid = p['config.uuid'] as string | undefined;
      const data = {
        name: p.name,
        uuid,
        instance_uuid: p['config.instanceUuid'],
        power_state: p['runtime.powerState'],
        host: hostRef,
        host_name: host?.name,
        cluster: host?.cluster,
        cluster_name: host?.cluster_name,
        guest_hostname: p['guest.hostName'],
        tools_status: p['guest.toolsRunningStatus'],
        nics,
        datastores: arr<MoRef>(p.datastore).map((d) => d.value),
        disks,
        nic_devices: nicDevices,
        vmotion_blockers: [...passthrough, ...(cdroms ? ['connected CD-ROM'] : [])],
      };
      const hardware_ids: Record<string, string> = {};
      if (uuid) hardware_ids.vm_uuid = uuid;
      const ips: Ip[] = [];
      for (const n of nics)
        for (const address of n.ips)
          ips.push({ address, mac: n.mac, hostname: (p['guest.hostName'] as string | undefined) ?? String(p.name), hardware_ids });
      return { data, ips };
    }
  }
}

/** Lists one instance's inventory of one kind with filters applied per page. */
export async function listInventory(
  deps: Pick<Deps, 'store'>,
  instanceId: string,
  kind: InventoryKind,
  q: { limit: number; next_token?: string; name?: string; power_state?: string; host?: string; cluster?: string },
) {
  await vcenterInstances.get(deps.store, instanceId);
  const matches = (r: InventoryRecord) => {
    const d = r.data;
    if (q.name && !r.name.toLowerCase().includes(q.name.toLowerCase())) return false;
    if (q.power_state && d.power_state !== q.power_state) return false;
    if (q.host && d.host !== q.host && d.host_name !== q.host && r.moref !== q.host && r.name !== q.host) return false;
    if (q.cluster && d.cluster !== q.cluster && d.cluster_name !== q.cluster && !(kind === 'cluster' && (r.moref === q.cluster || r.name === q.cluster)))
      return false;
    return true;
  };
  // Filters apply server-side while reading; keep reading until a page is full or the data ends.
  const items: Record<string, unknown>[] = [];
  let cursor = q.next_token;
  do {
    const page = await listInventoryPage(deps.store, instanceId, kind, { limit: q.limit, cursor });
    for (const r of page.items) if (matches(r)) items.push({ id: r.moref, kind: r.kind, ...r.data, synced_at: r.synced_at });
    cursor = page.cursor;
  } while (cursor && items.length === 0);
  return { items, next_token: cursor ?? null };
}

