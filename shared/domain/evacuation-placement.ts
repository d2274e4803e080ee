/**
 * Where the VMs of one scope are and what each host carries as the planner's steps go by, and the choice of a
 * VM's destination: the eligible host with the most free memory, hosts still to be evacuated last.
 */
import type { EvacuationScope, PlanHost, PlanVm } from './evacuation-plan-types';

export type Load = { cpu: number; memory: number };

export const byName = (a: { name: string; id: string }, b: { name: string; id: string }) =>
  a.name.localeCompare(b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** A stopped VM needs no CPU or memory where it is registered. */
export const demand = (vm: PlanVm): Load =>
  vm.power_state === 'poweredOn' ? { cpu: vm.cpu_demand_mhz, memory: vm.memory_demand_mb } : { cpu: 0, memory: 0 };

export class Placement {
  readonly hosts = new Map<string, PlanHost>();
  /** The largest first. */
  readonly vms: PlanVm[];
  private readonly load = new Map<string, Load>();
  /** Where each VM is as the steps go by. */
  private readonly location = new Map<string, string>();

  constructor(scope: EvacuationScope) {
    for (const h of scope.hosts) {
      this.hosts.set(h.id, h);
      this.load.set(h.id, { cpu: h.cpu_usage_mhz, memory: h.memory_usage_mb });
    }
    this.vms = [...scope.vms].sort((a, b) => b.memory_demand_mb - a.memory_demand_mb || byName(a, b));
    for (const v of this.vms) this.location.set(v.id, v.host);
  }

  hostOf(vmId: string): string | undefined {
    return this.location.get(vmId);
  }

  loadOn(hostId: string): Load {
    return this.load.get(hostId)!;
  }

  free(h: PlanHost): Load {
    const l = this.loadOn(h.id);
    return { cpu: h.cpu_capacity_mhz - l.cpu, memory: h.memory_capacity_mb - l.memory };
  }

  names(hostIds: string[]): string {
    return hostIds.map((id) => this.hosts.get(id)!.name).join(', ');
  }

  /** Moves the VM off its host to the best of the hosts it can go to, and returns that host. */
  moveToBest(vm: PlanVm, candidates: PlanHost[], stillToGo: Set<string>): PlanHost {
    // Hosts still to be evacuated come last: a VM placed there would move twice.
    const [best] = [...candidates].sort(
      (a, b) => Number(stillToGo.has(a.id)) - Number(stillToGo.has(b.id)) || this.free(b).memory - this.free(a).memory || byName(a, b),
    );
    const need = demand(vm);
    const from = this.loadOn(this.location.get(vm.id)!);
    const to = this.loadOn(best!.id);
    from.cpu -= need.cpu;
    from.memory -= need.memory;
    to.cpu += need.cpu;
    to.memory += need.memory;
    this.location.set(vm.id, best!.id);
    return best!;
  }
}
