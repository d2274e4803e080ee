/**
 * What refuses a step of the plan for its cluster: a host to evacuate that is not connected, VMs the hosts left
 * cannot carry (N-1 capacity), and a load on the hosts left that HA admission control would not allow.
 */

import { demand, type Placement } from './evacuation-placement';
import type { Figure, PlanCluster, PlanFinding, PlanHost, PlanVm } from './evacuation-plan-types';

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

export function notConnected(hostIds: string[], step: string[], placement: Placement, cluster: PlanCluster | undefined): PlanFinding {
  return {
    code: 'host_not_connected',
    cluster_id: cluster?.id,
    hosts: step,
    detail: `${placement.names(hostIds)} ${hostIds.length === 1 ? 'is' : 'are'} not connected to vCenter: no VM can be moved off it`,
    figures: [],
  };
}

export function capacityShort(
  short: PlanVm[],
  destinations: PlanHost[],
  step: string[],
  placement: Placement,
  cluster: PlanCluster | undefined,
): PlanFinding {
  const need = short.map(demand);
  const figures: Figure[] = [
    {
      resource: 'memory',
      unit: 'MB',
      needed: sum(need.map((n) => n.memory)),
      available: sum(destinations.map((h) => Math.max(0, placement.free(h).memory))),
    },
    {
      resource: 'cpu',
      unit: 'MHz',
      needed: sum(need.map((n) => n.cpu)),
      available: sum(destinations.map((h) => Math.max(0, placement.free(h).cpu))),
    },
  ];
  const [memory, cpu] = figures as [Figure, Figure];
  return {
    code: 'insufficient_capacity',
    cluster_id: cluster?.id,
    hosts: step,
    detail:
      `With ${placement.names(step)} in maintenance, ${short.length} VM${short.length === 1 ? '' : 's'} ` +
      `needing ${memory.needed} MB of memory ` +
      `and ${cpu.needed} MHz of CPU do not fit: the ${destinations.length} other host${destinations.length === 1 ? '' : 's'} ` +
      `have ${memory.available} MB and ${cpu.available} MHz left`,
    figures,
  };
}

/** HA admission control after the step's moves: the load on the hosts left against what the policy lets it use. */
export function haShortfall(
  destinations: PlanHost[],
  step: string[],
  placement: Placement,
  cluster: PlanCluster | undefined,
): PlanFinding | undefined {
  const ha = cluster?.ha_admission_control;
  if (!ha || ha.policy === 'failover_hosts') return undefined; // its failover hosts already take no VMs
  const usable = (capacity: (h: PlanHost) => number, percent: number | undefined) => {
    const all = destinations.map(capacity).sort((a, b) => b - a);
    return ha.policy === 'host_failures' ? sum(all.slice(ha.failover_level)) : Math.floor((sum(all) * (100 - (percent ?? 0))) / 100);
  };
  const figures: Figure[] = [
    {
      resource: 'memory',
      unit: 'MB',
      needed: sum(destinations.map((h) => placement.loadOn(h.id).memory)),
      available: usable((h) => h.memory_capacity_mb, ha.policy === 'resource_percentage' ? ha.memory_percent : undefined),
    },
    {
      resource: 'cpu',
      unit: 'MHz',
      needed: sum(destinations.map((h) => placement.loadOn(h.id).cpu)),
      available: usable((h) => h.cpu_capacity_mhz, ha.policy === 'resource_percentage' ? ha.cpu_percent : undefined),
    },
  ];
  const over = figures.filter((f) => f.needed > f.available);
  if (!over.length) return undefined;
  const reserve =
    ha.policy === 'host_failures'
      ? `tolerating ${ha.failover_level} host failure${ha.failover_level === 1 ? '' : 's'}`
      : `reserving ${ha.cpu_percent}% CPU and ${ha.memory_percent}% memory for failover`;
  return {
    code: 'ha_failover_capacity',
    cluster_id: cluster?.id,
    hosts: step,
    detail:
      `With ${placement.names(step)} in maintenance, HA admission control (${reserve}) would be violated on cluster ${cluster?.name}: ` +
      over.map((f) => `${f.resource} in use ${f.needed} ${f.unit}, usable ${f.available} ${f.unit}`).join('; '),
    figures,
  };
}
