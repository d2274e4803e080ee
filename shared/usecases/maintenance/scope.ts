/**
 * Which hosts a host_maintenance job works on: its targets are hosts and clusters (`vc-001/host-21`,
 * `vc-001/domain-c7`); a cluster means all of its hosts, by name, rolling. Hosts are grouped per vCenter
 * instance and per cluster, in the order the targets name them, each group maintained
 * `max_hosts_in_maintenance` at a time.
 */
import { ValidationError } from '../../domain/errors';
import { inventoryTargetId, parseInventoryTarget } from '../../domain/vcenter';
import type { VCenterClient } from '../../ports/vcenter';
import { allItems } from '../../records/paging';
import { type InventoryRecord, listInventoryPage, vcenterInstances } from '../../records/vcenter';
import type { Deps } from '../deps';
import type { LiveHosts } from '../evacuation-plan';
import { vcenterClient } from '../vcenter-clients';

export type ScopeHost = {
  target_id: string;
  instance_id: string;
  moref: string;
  name: string;
  cluster_id?: string;
  /** As last synced. */
  in_maintenance: boolean;
};
/**
 * Hosts maintained together, one at a time or a few: one cluster of one instance, or one standalone host.
 * `members`: every host of that cluster (or the standalone host), which the live reads cover.
 */
export type HostGroup = { key: string; instance_id: string; cluster_id?: string; hosts: ScopeHost[]; members: string[] };

const byName = (a: InventoryRecord, b: InventoryRecord) => a.name.localeCompare(b.name) || a.moref.localeCompare(b.moref);
const readKind = (deps: Pick<Deps, 'store'>, instanceId: string, kind: 'host' | 'cluster') =>
  allItems((cursor) => listInventoryPage(deps.store, instanceId, kind, { limit: 500, cursor }));

/** The hosts behind the targets, grouped per cluster; a host named twice (itself and through its cluster) counts once. */
export async function hostGroups(deps: Pick<Deps, 'store'>, targetIds: string[]): Promise<HostGroup[]> {
  const hostsOf = new Map<string, InventoryRecord[]>();
  const groups = new Map<string, HostGroup>();
  const seen = new Set<string>();
  for (const [i, id] of targetIds.entries()) {
    const t = parseInventoryTarget(id);
    if (!t)
      throw new ValidationError(`'${id}' is not a host or cluster target`, [
        { path: `body.target_ids[${i}]`, message: 'not a host or cluster' },
      ]);
    if (!hostsOf.has(t.instance_id)) hostsOf.set(t.instance_id, (await readKind(deps, t.instance_id, 'host')).sort(byName));
    const all = hostsOf.get(t.instance_id)!;
    const members = t.kind === 'host' ? all.filter((h) => h.moref === t.moref) : all.filter((h) => h.data.cluster === t.moref);
    if (!members.length)
      throw new ValidationError(`${t.kind} '${id}' has no host in the stored inventory`, [
        {
          path: `body.target_ids[${i}]`,
          message: `no ${t.kind === 'host' ? 'such host' : 'host in this cluster'}; sync the instance first`,
        },
      ]);
    for (const h of members) {
      const target = inventoryTargetId(t.instance_id, h.moref);
      if (seen.has(target)) continue;
      seen.add(target);
      const cluster = typeof h.data.cluster === 'string' ? h.data.cluster : undefined;
      const key = cluster ? inventoryTargetId(t.instance_id, cluster) : target;
      const group = groups.get(key) ?? {
        key,
        instance_id: t.instance_id,
        cluster_id: cluster ? key : undefined,
        hosts: [],
        members: cluster ? all.filter((x) => x.data.cluster === cluster).map((x) => x.moref) : [h.moref],
      };
      group.hosts.push({
        target_id: target,
        instance_id: t.instance_id,
        moref: h.moref,
        name: h.name,
        cluster_id: group.cluster_id,
        in_maintenance: h.data.in_maintenance_mode === true,
      });
      groups.set(key, group);
    }
  }
  return [...groups.values()];
}

/** The instance's client, as every maintenance step reaches vCenter. */
export async function instanceClient(
  deps: Pick<Deps, 'store' | 'secrets' | 'clock' | 'vcenter'>,
  instanceId: string,
): Promise<VCenterClient> {
  return vcenterClient(deps, await vcenterInstances.get(deps.store, instanceId));
}

/** What vCenter says now about every host of a cluster (or one standalone host) and the VMs on them. */
export async function readLive(vc: VCenterClient, deps: Pick<Deps, 'clock'>, group: HostGroup): Promise<LiveHosts> {
  const objects = await vc.readHostsWithVms(group.members);
  const at = new Date(deps.clock.now()).toISOString();
  const records = objects.map(
    (o): InventoryRecord => ({
      instance_id: group.instance_id,
      kind: o.kind,
      moref: o.moref,
      name: o.name,
      hash: '',
      data: o.data,
      synced_at: at,
    }),
  );
  return { hosts: records.filter((r) => r.kind === 'host'), vms: records.filter((r) => r.kind === 'vm') };
}
