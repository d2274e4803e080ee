/**
 * The preflight evacuation plan of host maintenance. For each cluster (or standalone host) it is given what
 * vCenter reports and the hosts to put into maintenance, in order, `max_hosts_in_maintenance` at a time; it
 * walks through those steps and says per host which VMs move where and which cannot move (one reason each,
 * evacuation-reasons.ts), and per cluster whether the hosts left can carry the load (N-1 capacity, HA
 * admission control), refusing the plan when not. Placement is simple and deterministic: the largest VMs
 * first, each to the eligible host with the most free memory, preferring hosts that are not themselves still
 * to be evacuated (a VM placed there would have to move again). Pure, like the rest of the domain: hashing
 * with node:crypto is computation, not I/O.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ValidationError } from './errors';
import {
  type BlockReason,
  deviceAction,
  drsActions,
  faultToleranceAction,
  freeCapacityAction,
  makeHostAvailableAction,
  relaxRuleAction,
  type SuggestedAction,
  stopActions,
  storageAction,
} from './evacuation-reasons';

export type Evacuation = 'migrate' | 'drs';
export type VmPowerState = 'poweredOn' | 'poweredOff' | 'suspended';
export type DrsBehavior = 'fullyAutomated' | 'partiallyAutomated' | 'manual';
export type HostDeviceKind = 'pci_passthrough' | 'sriov_nic' | 'usb' | 'serial_port' | 'parallel_port' | 'cdrom';

export type PlanHost = {
  id: string;
  name: string;
  /** Connected to vCenter and powered on: it can run VMs. */
  connected: boolean;
  in_maintenance: boolean;
  cpu_capacity_mhz: number;
  memory_capacity_mb: number;
  cpu_usage_mhz: number;
  memory_usage_mb: number;
  /** The datastores it mounts. */
  datastores: string[];
};

export type PlanVm = {
  id: string;
  name: string;
  host: string;
  power_state: VmPowerState;
  /** What it needs on a destination while running. */
  cpu_demand_mhz: number;
  memory_demand_mb: number;
  /** The datastores of its disks and files. */
  datastores: string[];
  /** Devices of its host it is connected to (passthrough, USB, serial, CD-ROM, ...). */
  host_devices: { kind: HostDeviceKind; label: string }[];
  fault_tolerance?: { role: 'primary' | 'secondary'; group: string };
  /** Its own DRS automation where it overrides the cluster's; `disabled`: DRS leaves it alone. */
  drs_override?: DrsBehavior | 'disabled';
};

/** An enabled, mandatory ("must") VM-host rule, its groups resolved. */
export type VmHostRule = { name: string; vms: string[]; host_group: string; hosts: string[]; relation: 'run_on' | 'not_run_on' };
/** An enabled VM-VM anti-affinity rule: no two of its running VMs on one host. */
export type AntiAffinityRule = { name: string; vms: string[] };
export type HaAdmissionControl =
  | { policy: 'host_failures'; failover_level: number }
  | { policy: 'resource_percentage'; cpu_percent: number; memory_percent: number }
  | { policy: 'failover_hosts'; hosts: string[] };

export type PlanCluster = {
  id: string;
  name: string;
  drs?: { enabled: boolean; behavior: DrsBehavior };
  /** Set when HA admission control is on. */
  ha_admission_control?: HaAdmissionControl;
  vm_host_rules: VmHostRule[];
  anti_affinity_rules: AntiAffinityRule[];
};

/** One cluster (or a standalone host): all its hosts and VMs, and which of its hosts go into maintenance, in order. */
export type EvacuationScope = { cluster?: PlanCluster; hosts: PlanHost[]; vms: PlanVm[]; targets: string[] };

/**
 * How to evacuate: by EIO's migrations or by DRS; powered-off and suspended VMs moved with the others or left
 * registered on the host (vSphere's default); how many hosts of a cluster at a time; and whether a host leaves
 * maintenance (and can take VMs again) before the next step.
 */
export const EvacuationOptions = z.strictObject({
  evacuation: z.enum(['migrate', 'drs']).default('migrate'),
  powered_off_vms: z.enum(['move', 'leave']).default('leave'),
  max_hosts_in_maintenance: z.number().int().min(1).max(64).default(1),
  exit_maintenance: z.boolean().default(true),
});
export type EvacuationOptions = z.output<typeof EvacuationOptions>;

export type VmMove = { vm_id: string; name: string; power_state: VmPowerState; destination: string; destination_name: string };
export type BlockedVm = {
  vm_id: string;
  name: string;
  host: string;
  power_state: VmPowerState;
  reason: BlockReason;
  detail: string;
  suggested_actions: SuggestedAction[];
};
export type LeftVm = { vm_id: string; name: string; power_state: VmPowerState };

export type HostPlan = {
  host_id: string;
  host_name: string;
  cluster_id?: string;
  /** 1-based step of the rolling maintenance the host is in. */
  step: number;
  moves: VmMove[];
  blocked: BlockedVm[];
  /** Powered-off or suspended VMs left registered on the host (powered_off_vms: leave). */
  left: LeftVm[];
};

export type Figure = { resource: 'memory' | 'cpu'; unit: 'MB' | 'MHz'; needed: number; available: number };
/** Each finding refuses the plan. */
export type PlanFinding = {
  code: 'insufficient_capacity' | 'ha_failover_capacity' | 'host_not_connected';
  cluster_id?: string;
  /** The hosts in maintenance at that step. */
  hosts: string[];
  detail: string;
  figures: Figure[];
};

export type EvacuationPlan = { evacuation: Evacuation; hosts: HostPlan[]; findings: PlanFinding[]; refused: boolean; hash: string };

type Load = { cpu: number; memory: number };

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

const byName = (a: { name: string; id: string }, b: { name: string; id: string }) =>
  a.name.localeCompare(b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** A rejection of a VM for one reason; the planner turns it into a BlockedVm. */
type Refusal = { reason: BlockReason; detail: string; actions: SuggestedAction[] };

class ScopePlanner {
  private readonly hosts = new Map<string, PlanHost>();
  private readonly load = new Map<string, Load>();
  /** Where each VM is as the steps go by. */
  private readonly location = new Map<string, string>();
  private readonly vms: PlanVm[];
  /** Hosts that cannot take VMs whatever the step: disconnected, already in maintenance, HA failover hosts. */
  private readonly unavailable = new Set<string>();
  private readonly clusterName: string | undefined;

  constructor(
    private readonly scope: EvacuationScope,
    private readonly options: EvacuationOptions,
  ) {
    for (const h of scope.hosts) {
      this.hosts.set(h.id, h);
      this.load.set(h.id, { cpu: h.cpu_usage_mhz, memory: h.memory_usage_mb });
      if (!h.connected || h.in_maintenance) this.unavailable.add(h.id);
    }
    const ha = scope.cluster?.ha_admission_control;
    if (ha?.policy === 'failover_hosts') for (const id of ha.hosts) this.unavailable.add(id);
    const unknown = scope.targets.filter((t) => !this.hosts.has(t));
    if (unknown.length) throw new ValidationError(`hosts to evacuate are not in the planning input: ${unknown.join(', ')}`);
    this.vms = [...scope.vms].sort((a, b) => b.memory_demand_mb - a.memory_demand_mb || byName(a, b));
    for (const v of this.vms) this.location.set(v.id, v.host);
    this.clusterName = scope.cluster?.name;
  }

  plan(): { hosts: HostPlan[]; findings: PlanFinding[] } {
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
      const disconnected = step.filter((t) => !this.hosts.get(t)!.connected);
      if (disconnected.length) findings.push(this.notConnected(disconnected, step));
      const destinations = [...this.hosts.values()].filter((h) => !inStep.has(h.id) && !this.unavailable.has(h.id)).sort(byName);
      const short: PlanVm[] = [];
      for (const vm of this.vms) {
        const from = this.location.get(vm.id)!;
        const plan = plans.get(from);
        if (!plan || disconnected.includes(from)) continue;
        this.place(vm, plan, destinations, stillToGo, short);
      }
      if (short.length) findings.push(this.capacityShort(short, destinations, step));
      const ha = this.haShortfall(destinations, step);
      if (ha) findings.push(ha);
      out.push(...step.map((t) => plans.get(t)!));
      if (!this.options.exit_maintenance) for (const t of step) this.unavailable.add(t);
    }
    return { hosts: out, findings };
  }

  private hostPlan(id: string, step: number): HostPlan {
    const h = this.hosts.get(id)!;
    return { host_id: id, host_name: h.name, cluster_id: this.scope.cluster?.id, step, moves: [], blocked: [], left: [] };
  }

  private place(vm: PlanVm, plan: HostPlan, destinations: PlanHost[], stillToGo: Set<string>, short: PlanVm[]): void {
    const running = vm.power_state === 'poweredOn';
    if (!running && this.options.powered_off_vms === 'leave') {
      plan.left.push({ vm_id: vm.id, name: vm.name, power_state: vm.power_state });
      return;
    }
    const chosen = this.destinationOf(vm, running, destinations);
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
    // Hosts still to be evacuated come last: a VM placed there would move twice.
    const [best] = [...chosen].sort(
      (a, b) => Number(stillToGo.has(a.id)) - Number(stillToGo.has(b.id)) || this.free(b).memory - this.free(a).memory || byName(a, b),
    );
    const need = this.demand(vm);
    const from = this.load.get(plan.host_id)!;
    const to = this.load.get(best!.id)!;
    from.cpu -= need.cpu;
    from.memory -= need.memory;
    to.cpu += need.cpu;
    to.memory += need.memory;
    this.location.set(vm.id, best!.id);
    plan.moves.push({ vm_id: vm.id, name: vm.name, power_state: vm.power_state, destination: best!.id, destination_name: best!.name });
  }

  /** The hosts the VM could go to, or the one reason it cannot move (checks in order; the first that fails names it). */
  private destinationOf(vm: PlanVm, running: boolean, destinations: PlanHost[]): PlanHost[] | Refusal {
    if (!destinations.length)
      return {
        reason: 'no_destination_host',
        detail: this.clusterName
          ? `No other host of cluster ${this.clusterName} is connected and out of maintenance mode to take it`
          : 'The host is not in a cluster: there is no other host to move it to',
        actions: [makeHostAvailableAction(this.clusterName)],
      };
    // A stopped VM holds no host device and runs no FT pair; DRS automation applies only to running VMs.
    if (running) {
      const device = vm.host_devices[0];
      if (device)
        return {
          reason: 'host_device',
          detail: `It uses ${device.label} (${DEVICE_WORDS[device.kind]}), a device of its host that vMotion cannot take along`,
          actions: vm.host_devices.map((d) => deviceAction(vm.name, d.label, d.kind)),
        };
      if (vm.fault_tolerance && this.options.evacuation === 'migrate')
        return {
          reason: 'fault_tolerance',
          detail: `It is the Fault Tolerance ${vm.fault_tolerance.role} VM of an FT pair, which EIO's migrations cannot move`,
          actions: [faultToleranceAction(vm.name)],
        };
      if (this.options.evacuation === 'drs') {
        const why = this.drsWillNotMove(vm);
        if (why) return { reason: 'drs_disabled', detail: why, actions: drsActions(vm.name, this.clusterName) };
      }
    }
    let candidates = destinations.filter((h) => vm.datastores.every((ds) => h.datastores.includes(ds)));
    if (!candidates.length) return this.datastoreRefusal(vm, destinations);
    if (running && vm.fault_tolerance) {
      candidates = candidates.filter((h) => !this.runsFtPartner(vm, h.id));
      if (!candidates.length)
        return {
          reason: 'fault_tolerance',
          detail: 'Every host it could go to already runs the other VM of its Fault Tolerance pair',
          actions: [faultToleranceAction(vm.name)],
        };
    }
    const hostRules = (this.scope.cluster?.vm_host_rules ?? []).filter((r) => r.vms.includes(vm.id));
    candidates = candidates.filter((h) => hostRules.every((r) => r.hosts.includes(h.id) === (r.relation === 'run_on')));
    if (!candidates.length)
      return {
        reason: 'vm_host_rule',
        detail: `${hostRules.map(ruleWords).join('; ')}: no host that is left qualifies`,
        actions: [relaxRuleAction(hostRules.map((r) => r.name))],
      };
    if (running) {
      const antiRules = (this.scope.cluster?.anti_affinity_rules ?? []).filter((r) => r.vms.includes(vm.id));
      candidates = candidates.filter((h) => antiRules.every((r) => !this.runsAnyOf(r.vms, vm.id, h.id)));
      if (!candidates.length)
        return {
          reason: 'anti_affinity_rule',
          detail: `Anti-affinity ${antiRules.map((r) => `rule '${r.name}'`).join(', ')} keeps it apart from VMs already on every host left`,
          actions: [relaxRuleAction(antiRules.map((r) => r.name))],
        };
    }
    const need = this.demand(vm);
    const fitting = candidates.filter((h) => this.free(h).memory >= need.memory && this.free(h).cpu >= need.cpu);
    if (!fitting.length) {
      const roomiest = [...candidates].sort((a, b) => this.free(b).memory - this.free(a).memory || byName(a, b))[0]!;
      const room = this.free(roomiest);
      return {
        reason: 'insufficient_capacity',
        detail:
          `It needs ${need.memory} MB of memory and ${need.cpu} MHz of CPU; the most any host it could go to has left is ` +
          `${Math.max(0, room.memory)} MB and ${Math.max(0, room.cpu)} MHz (${roomiest.name})`,
        actions: [freeCapacityAction()],
      };
    }
    return fitting;
  }

  private drsWillNotMove(vm: PlanVm): string | undefined {
    const drs = this.scope.cluster?.drs;
    if (!this.scope.cluster) return 'The host is not in a cluster, so there is no DRS to move it';
    if (!drs?.enabled) return `DRS is turned off on cluster ${this.clusterName}`;
    if (vm.drs_override === 'disabled') return 'DRS is disabled for this VM (a VM override), so DRS leaves it where it is';
    const behavior = vm.drs_override ?? drs.behavior;
    if (behavior === 'fullyAutomated') return undefined;
    const source = vm.drs_override ? 'its VM override' : `cluster ${this.clusterName}'s default`;
    return `DRS automation for this VM is ${behavior} (${source}): DRS would only recommend the move, not make it`;
  }

  private datastoreRefusal(vm: PlanVm, destinations: PlanHost[]): Refusal {
    const missing = vm.datastores.filter((ds) => !destinations.some((h) => h.datastores.includes(ds)));
    const named = missing.length ? missing : vm.datastores;
    const here = this.location.get(vm.id);
    const elsewhere = [...this.hosts.values()].filter((h) => h.id !== here && named.every((ds) => h.datastores.includes(ds)));
    const detail = elsewhere.length
      ? `Its files are on ${named.join(', ')}, which only ${elsewhere.map((h) => h.name).join(', ')} also mount, and those are ` +
        'in maintenance or not connected'
      : `Its files are on ${named.join(', ')}, which no other host mounts (local storage)`;
    return { reason: 'datastore_unreachable', detail, actions: [storageAction(vm.name, named)] };
  }

  private runsFtPartner(vm: PlanVm, hostId: string): boolean {
    return this.vms.some(
      (o) => o.id !== vm.id && o.fault_tolerance?.group === vm.fault_tolerance!.group && this.location.get(o.id) === hostId,
    );
  }

  private runsAnyOf(vmIds: string[], self: string, hostId: string): boolean {
    return this.vms.some(
      (o) => o.id !== self && o.power_state === 'poweredOn' && vmIds.includes(o.id) && this.location.get(o.id) === hostId,
    );
  }

  /** A stopped VM needs no CPU or memory where it is registered. */
  private demand(vm: PlanVm): Load {
    return vm.power_state === 'poweredOn' ? { cpu: vm.cpu_demand_mhz, memory: vm.memory_demand_mb } : { cpu: 0, memory: 0 };
  }

  private free(h: PlanHost): Load {
    const l = this.load.get(h.id)!;
    return { cpu: h.cpu_capacity_mhz - l.cpu, memory: h.memory_capacity_mb - l.memory };
  }

  private notConnected(hostIds: string[], step: string[]): PlanFinding {
    const names = hostIds.map((id) => this.hosts.get(id)!.name).join(', ');
    return {
      code: 'host_not_connected',
      cluster_id: this.scope.cluster?.id,
      hosts: step,
      detail: `${names} ${hostIds.length === 1 ? 'is' : 'are'} not connected to vCenter: no VM can be moved off it`,
      figures: [],
    };
  }

  private capacityShort(short: PlanVm[], destinations: PlanHost[], step: string[]): PlanFinding {
    const need = short.map((v) => this.demand(v));
    const figures: Figure[] = [
      {
        resource: 'memory',
        unit: 'MB',
        needed: sum(need.map((n) => n.memory)),
        available: sum(destinations.map((h) => Math.max(0, this.free(h).memory))),
      },
      {
        resource: 'cpu',
        unit: 'MHz',
        needed: sum(need.map((n) => n.cpu)),
        available: sum(destinations.map((h) => Math.max(0, this.free(h).cpu))),
      },
    ];
    const [memory, cpu] = figures as [Figure, Figure];
    return {
      code: 'insufficient_capacity',
      cluster_id: this.scope.cluster?.id,
      hosts: step,
      detail:
        `With ${this.names(step)} in maintenance, ${short.length} VM${short.length === 1 ? '' : 's'} ` +
        `needing ${memory.needed} MB of memory ` +
        `and ${cpu.needed} MHz of CPU do not fit: the ${destinations.length} other host${destinations.length === 1 ? '' : 's'} ` +
        `have ${memory.available} MB and ${cpu.available} MHz left`,
      figures,
    };
  }

  /** HA admission control after the step's moves: the load on the hosts left against what the policy lets it use. */
  private haShortfall(destinations: PlanHost[], step: string[]): PlanFinding | undefined {
    const ha = this.scope.cluster?.ha_admission_control;
    if (!ha || ha.policy === 'failover_hosts') return undefined; // its failover hosts already take no VMs
    const usable = (capacity: (h: PlanHost) => number, percent: number | undefined) => {
      const all = destinations.map(capacity).sort((a, b) => b - a);
      return ha.policy === 'host_failures' ? sum(all.slice(ha.failover_level)) : Math.floor((sum(all) * (100 - (percent ?? 0))) / 100);
    };
    const figures: Figure[] = [
      {
        resource: 'memory',
        unit: 'MB',
        needed: sum(destinations.map((h) => this.load.get(h.id)!.memory)),
        available: usable((h) => h.memory_capacity_mb, ha.policy === 'resource_percentage' ? ha.memory_percent : undefined),
      },
      {
        resource: 'cpu',
        unit: 'MHz',
        needed: sum(destinations.map((h) => this.load.get(h.id)!.cpu)),
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
      cluster_id: this.scope.cluster?.id,
      hosts: step,
      detail:
        `With ${this.names(step)} in maintenance, HA admission control (${reserve}) would be violated on cluster ${this.clusterName}: ` +
        over.map((f) => `${f.resource} in use ${f.needed} ${f.unit}, usable ${f.available} ${f.unit}`).join('; '),
      figures,
    };
  }

  private names(ids: string[]): string {
    return ids.map((id) => this.hosts.get(id)!.name).join(', ');
  }
}

const DEVICE_WORDS: Record<HostDeviceKind, string> = {
  pci_passthrough: 'PCI passthrough',
  sriov_nic: 'SR-IOV network adapter',
  usb: 'USB device of the host',
  serial_port: 'serial port of the host',
  parallel_port: 'parallel port of the host',
  cdrom: 'CD/DVD drive of the host, connected',
};

const ruleWords = (r: VmHostRule) =>
  `Rule '${r.name}' says it must ${r.relation === 'run_on' ? '' : 'not '}run on hosts in ${r.host_group}`;
