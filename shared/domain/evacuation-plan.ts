/**
 * The preflight evacuation plan of host maintenance. For each cluster (or standalone host) it is given what
 * vCenter reports and the hosts to put into maintenance, in order, `max_hosts_in_maintenance` at a time; it
 * walks through those steps and says per host which VMs move where and which cannot move (one reason each,
 * evacuation-checks.ts), and per cluster whether the hosts left can carry the load (N-1 capacity, HA
 * admission control: evacuation-findings.ts), refusing the plan when not. Placement is simple and deterministic
 * (evacuation-placement.ts): the largest VMs first, each to the eligible host with the most free memory,
 * preferring hosts that are not themselves still to be evacuated (a VM placed there would have to move again).
 * Pure, like the rest of the domain: hashing with node:crypto is computation, not I/O.
 */
import { createHash } from 'node:crypto';
import { ValidationError } from './errors';
import { destinationsOf } from './evacuation-checks';
import { capacityShort, haShortfall, notConnected } from './evacuation-findings';
import { byName, Placement } from './evacuation-placement';
import type {
  Evacuation,
  EvacuationOptions,
  EvacuationPlan,
  EvacuationScope,
  HostPlan,
  PlanFinding,
  PlanHost,
  PlanVm,
} from './evacuation-plan-types';
import { stopActions } from './evacuation-reasons';

export type {
  AntiAffinityRule,
  BlockedVm,
  DrsBehavior,
  Evacuation,
  EvacuationPlan,
  EvacuationScope,
  Figure,
  HaAdmissionControl,
  HostDeviceKind,
  HostPlan,
  LeftVm,
  PlanCluster,
  PlanFinding,
  PlanHost,
  PlanVm,
  VmHostRule,
  VmMove,
  VmPowerState,
} from './evacuation-plan-types';
export { EvacuationOptions } from './evacuation-plan-types';

export function planEvacuation(scopes: EvacuationScope[], options: EvacuationOptions): EvacuationPlan {
  const hosts: HostPlan[] = [];
  const findings: PlanFinding[] = [];
  for (const scope of scopes) {
    const planned = new ScopePlanner(scope, options).plan();
    hosts.push(...planned.hosts);
    findings.push(...planned.findings);
  }
  const refused = findings.length > 0;
  return { evacuation: options.evacuation, hosts, findings, refused, hash: planHash(options.evacuation, hosts, findings) };
}

/**
 * The plan's material content: which hosts, which VMs move where (under DRS only that they move: DRS picks the
 * host), which block and why, what is refused. Names, sentences and figures are left out, so a plan that says
 * the same in other words (or with other free memory) keeps its hash.
 */
function planHash(evacuation: Evacuation, hosts: HostPlan[], findings: PlanFinding[]): string {
  const byId = <T extends { vm_id: string }>(a: T, b: T) => (a.vm_id < b.vm_id ? -1 : a.vm_id > b.vm_id ? 1 : 0);
  const material = {
    evacuation,
    hosts: hosts.map((h) => ({
      host: h.host_id,
      step: h.step,
      moves: [...h.moves].sort(byId).map((m) => [m.vm_id, evacuation === 'drs' ? null : m.destination]),
      blocked: [...h.blocked].sort(byId).map((b) => [b.vm_id, b.reason]),
      left: [...h.left].sort(byId).map((l) => l.vm_id),
    })),
    findings: findings.map((f) => [f.code, f.cluster_id ?? null, f.hosts]),
  };
  return createHash('sha256').update(JSON.stringify(material)).digest('hex');
}

/** One scope's rolling maintenance, step by step. */
class ScopePlanner {
  private readonly placement: Placement;
  /** Hosts that cannot take VMs whatever the step: disconnected, already in maintenance, HA failover hosts. */
  private readonly unavailable = new Set<string>();

  constructor(
    private readonly scope: EvacuationScope,
    private readonly options: EvacuationOptions,
  ) {
    this.placement = new Placement(scope);
    for (const h of scope.hosts) if (!h.connected || h.in_maintenance) this.unavailable.add(h.id);
    const ha = scope.cluster?.ha_admission_control;
    if (ha?.policy === 'failover_hosts') for (const id of ha.hosts) this.unavailable.add(id);
    const unknown = scope.targets.filter((t) => !this.placement.hosts.has(t));
    if (unknown.length) throw new ValidationError(`hosts to evacuate are not in the planning input: ${unknown.join(', ')}`);
  }

  plan(): { hosts: HostPlan[]; findings: PlanFinding[] } {
    const { cluster } = this.scope;
    const out: HostPlan[] = [];
    const findings: PlanFinding[] = [];
    const size = Math.max(1, this.options.max_hosts_in_maintenance);
    const steps: string[][] = [];
    for (let i = 0; i < this.scope.targets.length; i += size) steps.push(this.scope.targets.slice(i, i + size));
    const stillToGo = new Set(this.scope.targets);
    for (const [index, step] of steps.entries()) {
      for (const t of step) stillToGo.delete(t);
      const inStep = new Set(step);
      const plans = new Map(step.map((t) => [t, this.hostPlan(t, index + 1)]));
      const disconnected = step.filter((t) => !this.placement.hosts.get(t)!.connected);
      if (disconnected.length) findings.push(notConnected(disconnected, step, this.placement, cluster));
      const destinations = [...this.placement.hosts.values()].filter((h) => !inStep.has(h.id) && !this.unavailable.has(h.id)).sort(byName);
      const short: PlanVm[] = [];
      for (const vm of this.placement.vms) {
        const from = this.placement.hostOf(vm.id)!;
        const plan = plans.get(from);
        if (!plan || disconnected.includes(from)) continue;
        this.place(vm, plan, destinations, stillToGo, short);
      }
      if (short.length) findings.push(capacityShort(short, destinations, step, this.placement, cluster));
      const ha = haShortfall(destinations, step, this.placement, cluster);
      if (ha) findings.push(ha);
      out.push(...step.map((t) => plans.get(t)!));
      if (!this.options.exit_maintenance) for (const t of step) this.unavailable.add(t);
    }
    return { hosts: out, findings };
  }

  private hostPlan(id: string, step: number): HostPlan {
    const h = this.placement.hosts.get(id)!;
    return { host_id: id, host_name: h.name, cluster_id: this.scope.cluster?.id, step, moves: [], blocked: [], left: [] };
  }

  private place(vm: PlanVm, plan: HostPlan, destinations: PlanHost[], stillToGo: Set<string>, short: PlanVm[]): void {
    if (vm.power_state !== 'poweredOn' && this.options.powered_off_vms === 'leave') {
      plan.left.push({ vm_id: vm.id, name: vm.name, power_state: vm.power_state });
      return;
    }
    const context = { placement: this.placement, cluster: this.scope.cluster, evacuation: this.options.evacuation };
    const chosen = destinationsOf(vm, destinations, context);
    if ('reason' in chosen) {
      if (chosen.reason === 'insufficient_capacity') short.push(vm);
      const suspendable = !vm.fault_tolerance && !vm.host_devices.some((d) => d.kind === 'pci_passthrough' || d.kind === 'sriov_nic');
      plan.blocked.push({
        vm_id: vm.id,
        name: vm.name,
        host: plan.host_id,
        power_state: vm.power_state,
        reason: chosen.reason,
        detail: chosen.detail,
        // The reason's own actions first; one entry per action (a passthrough device already says "shut down").
        suggested_actions: [...chosen.actions, ...stopActions({ name: vm.name, suspendable })].filter(
          (a, i, all) => all.findIndex((b) => b.action === a.action) === i,
        ),
      });
      return;
    }
    const best = this.placement.moveToBest(vm, chosen, stillToGo);
    plan.moves.push({ vm_id: vm.id, name: vm.name, power_state: vm.power_state, destination: best.id, destination_name: best.name });
  }
}
