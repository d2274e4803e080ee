/**
 * The evacuation plan for putting hosts of one vCenter instance into maintenance, from what vCenter sync
 * stored: the given hosts (grouped by cluster, in the order given) or every host of one cluster (by name).
 * Nothing is started; the plan and its hash come back for the operator, an approval or a job to use.
 */
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors';
import { type EvacuationOptions, type EvacuationPlan, type EvacuationScope, planEvacuation as plan } from '../domain/evacuation-plan';
import { allItems } from '../records/paging';
import { type InventoryRecord, listInventoryPage, vcenterInstances } from '../records/vcenter';
import type { Deps } from './deps';
import { hasCapacityFigures, scopeOf } from './evacuation-input';

export type EvacuationRequest = { instance_id: string; options: EvacuationOptions } & (
  | { host_ids: string[]; cluster_id?: undefined }
  | { cluster_id: string; host_ids?: undefined }
);

const byName = (a: InventoryRecord, b: InventoryRecord) => a.name.localeCompare(b.name) || a.moref.localeCompare(b.moref);

/**
 * What vCenter says now about some hosts and every VM on them, read live: it replaces what the sync stored
 * for those hosts, and a stored VM said to be on one of them that the live read did not find there is gone.
 */
export type LiveHosts = { hosts: InventoryRecord[]; vms: InventoryRecord[] };

export async function planEvacuation(deps: Pick<Deps, 'store'>, req: EvacuationRequest, live?: LiveHosts): Promise<EvacuationPlan> {
  const read = (kind: 'host' | 'vm' | 'cluster') =>
    allItems((cursor) => listInventoryPage(deps.store, req.instance_id, kind, { limit: 500, cursor }));
  const [instance, stored, clusters] = await Promise.all([
    vcenterInstances.get(deps.store, req.instance_id),
    read('host'),
    read('cluster'),
  ]);
  // A live read of every host of the clusters concerned already holds all their VMs: the instance's stored
  // VMs (thousands) are read only when it does not.
  const scopeHosts = scopeHostIds(stored, req);
  const liveCovers = live !== undefined && scopeHosts.every((id) => live.hosts.some((h) => h.moref === id));
  const { hosts, vms } = liveCovers
    ? { hosts: overlay(stored, [], live).hosts, vms: live.vms }
    : live
      ? overlay(stored, await read('vm'), live)
      : { hosts: stored, vms: await read('vm') };
  const hostById = new Map(hosts.map((h) => [h.moref, h]));
  const clusterById = new Map(clusters.map((c) => [c.moref, c]));
  const clusterOf = (h: InventoryRecord) => h.data.cluster as string | undefined;

  let targets: InventoryRecord[];
  if (req.cluster_id !== undefined) {
    if (!clusterById.has(req.cluster_id)) throw new NotFoundError('cluster', req.cluster_id);
    targets = hosts.filter((h) => clusterOf(h) === req.cluster_id).sort(byName);
  } else {
    const unknown = req.host_ids.filter((id) => !hostById.has(id));
    if (unknown.length)
      throw new ValidationError(`hosts not in the inventory of ${instance.id}: ${unknown.join(', ')}`, [
        { path: 'host_ids', message: `unknown: ${unknown.join(', ')}` },
      ]);
    targets = [...new Set(req.host_ids)].map((id) => hostById.get(id)!);
  }

  // One scope per cluster, in the order its first target appears; a standalone host is a scope of its own.
  const groups = new Map<string, InventoryRecord[]>();
  for (const t of targets) {
    const key = clusterOf(t) ?? `standalone:${t.moref}`;
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  const scopes: EvacuationScope[] = [];
  for (const [key, members] of groups) {
    const cluster = clusterById.get(key);
    const scopeHosts = cluster ? hosts.filter((h) => clusterOf(h) === key) : members;
    const stale = scopeHosts.filter((h) => !hasCapacityFigures(h));
    if (stale.length)
      throw new ConflictError(
        `the stored inventory of ${instance.id} has no capacity figures for ${stale.map((h) => h.name).join(', ')} ` +
          '(synced before EIO read them): run a full sync first',
      );
    scopes.push(
      scopeOf(
        members.map((m) => m.moref),
        scopeHosts,
        vms,
        cluster,
      ),
    );
  }
  return plan(scopes, req.options);
}

/** Every host whose VMs the plan looks at: the targets and the other hosts of their clusters. */
function scopeHostIds(hosts: InventoryRecord[], req: EvacuationRequest): string[] {
  const clusterOf = (h: InventoryRecord) => h.data.cluster as string | undefined;
  const targets =
    req.cluster_id !== undefined
      ? hosts.filter((h) => clusterOf(h) === req.cluster_id)
      : hosts.filter((h) => req.host_ids.includes(h.moref));
  const clusters = new Set(targets.map(clusterOf).filter((c): c is string => c !== undefined));
  return hosts.filter((h) => targets.includes(h) || clusters.has(clusterOf(h) ?? '')).map((h) => h.moref);
}

function overlay(hosts: InventoryRecord[], vms: InventoryRecord[], live: LiveHosts): { hosts: InventoryRecord[]; vms: InventoryRecord[] } {
  const liveHosts = new Map(live.hosts.map((h) => [h.moref, h]));
  const liveVms = new Map(live.vms.map((v) => [v.moref, v]));
  const vmHost = (v: InventoryRecord) => String(v.data.host ?? '');
  return {
    hosts: hosts.map((h) => liveHosts.get(h.moref) ?? h),
    vms: [...vms.filter((v) => !liveVms.has(v.moref) && !liveHosts.has(vmHost(v))), ...live.vms],
  };
}
