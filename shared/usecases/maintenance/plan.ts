/**
 * The preflight plan of a host_maintenance job: the evacuation plan of every host it targets, per vCenter
 * instance, with hosts, clusters and VMs named by the ids the API uses (`vc-001/host-21`). `POST /jobs/plan`
 * answers it from the synced inventory without starting anything; the job's first step computes it from what
 * vCenter says at that moment and stores it; an approval binds to its hash.
 */
import { createHash } from 'node:crypto';
import type { EvacuationPlan, HostPlan, PlanFinding } from '../../domain/evacuation-plan';
import type { HostMaintenanceParams } from '../../domain/maintenance';
import { inventoryTargetId } from '../../domain/vcenter';
import type { Deps } from '../deps';
import { type LiveHosts, planEvacuation } from '../evacuation-plan';
import { type HostGroup, hostGroups, instanceClient, readLive } from './scope';

export type MaintenancePlan = {
  hash: string;
  refused: boolean;
  /** Where the facts came from: the synced inventory, or vCenter read when the job started. */
  source: 'inventory' | 'vcenter';
  groups: { key: string; instance_id: string; cluster_id?: string; hosts: string[] }[];
  hosts: HostPlan[];
  findings: PlanFinding[];
  /** Hosts already in maintenance mode when the plan was made. */
  in_maintenance: string[];
};

type PlanDeps = Pick<Deps, 'store' | 'secrets' | 'clock' | 'vcenter'>;

function withTargetIds(instanceId: string, plan: EvacuationPlan): Pick<MaintenancePlan, 'hosts' | 'findings'> {
  const id = (moref: string) => inventoryTargetId(instanceId, moref);
  return {
    hosts: plan.hosts.map((h) => ({
      ...h,
      host_id: id(h.host_id),
      cluster_id: h.cluster_id ? id(h.cluster_id) : undefined,
      moves: h.moves.map((m) => ({ ...m, destination: id(m.destination) })),
      blocked: h.blocked.map((b) => ({ ...b, host: id(b.host) })),
    })),
    findings: plan.findings.map((f) => ({ ...f, cluster_id: f.cluster_id ? id(f.cluster_id) : undefined, hosts: f.hosts.map(id) })),
  };
}

/** The plan for these targets; `live` reads every affected cluster from vCenter first. */
export async function planMaintenance(
  deps: PlanDeps,
  targetIds: string[],
  params: HostMaintenanceParams,
  opts: { live: boolean },
): Promise<MaintenancePlan & { groupsOf: HostGroup[] }> {
  const groups = await hostGroups(deps, targetIds);
  const instances = [...new Set(groups.map((g) => g.instance_id))];
  const hosts: HostPlan[] = [];
  const findings: PlanFinding[] = [];
  const hashes: string[] = [];
  const inMaintenance: string[] = [];
  for (const instanceId of instances) {
    const mine = groups.filter((g) => g.instance_id === instanceId);
    let live: LiveHosts | undefined;
    if (opts.live) {
      const vc = await instanceClient(deps, instanceId);
      const reads = await Promise.all(mine.map((g) => readLive(vc, deps, g)));
      live = { hosts: reads.flatMap((r) => r.hosts), vms: reads.flatMap((r) => r.vms) };
    }
    const liveState = new Map(live?.hosts.map((h) => [h.moref, h.data.in_maintenance_mode === true]));
    for (const h of mine.flatMap((g) => g.hosts)) if (liveState.get(h.moref) ?? h.in_maintenance) inMaintenance.push(h.target_id);
    const plan = await planEvacuation(
      deps,
      { instance_id: instanceId, host_ids: mine.flatMap((g) => g.hosts.map((h) => h.moref)), options: params },
      live,
    );
    const named = withTargetIds(instanceId, plan);
    hosts.push(...named.hosts);
    findings.push(...named.findings);
    hashes.push(`${instanceId}:${plan.hash}`);
  }
  return {
    hash: createHash('sha256').update(hashes.join('\n')).digest('hex'),
    refused: findings.length > 0,
    source: opts.live ? 'vcenter' : 'inventory',
    groups: groups.map((g) => ({
      key: g.key,
      instance_id: g.instance_id,
      cluster_id: g.cluster_id,
      hosts: g.hosts.map((h) => h.target_id),
    })),
    hosts,
    findings,
    in_maintenance: inMaintenance,
    groupsOf: groups,
  };
}
