/**
 * Whether a VM can leave its host, and for where: the checks run in a fixed order (no destination host, host
 * devices, Fault Tolerance, DRS automation, datastores, VM-host rules, anti-affinity, capacity) and the first
 * that fails is the one reason the VM is blocked.
 */

import { byName, demand, type Placement } from './evacuation-placement';
import type { Evacuation, HostDeviceKind, PlanCluster, PlanHost, PlanVm, VmHostRule } from './evacuation-plan-types';
import {
  type BlockReason,
  deviceAction,
  drsActions,
  faultToleranceAction,
  freeCapacityAction,
  makeHostAvailableAction,
  relaxRuleAction,
  type SuggestedAction,
  storageAction,
} from './evacuation-reasons';

/** A rejection of a VM for one reason; the planner turns it into a BlockedVm. */
export type Refusal = { reason: BlockReason; detail: string; actions: SuggestedAction[] };

/** What the checks read besides the VM: where everything is now, the cluster's settings and rules, how to evacuate. */
export type CheckContext = { placement: Placement; cluster: PlanCluster | undefined; evacuation: Evacuation };

/** The hosts the VM could go to, or the one reason it cannot move (checks in order; the first that fails names it). */
export function destinationsOf(vm: PlanVm, destinations: PlanHost[], ctx: CheckContext): PlanHost[] | Refusal {
  const { placement, cluster } = ctx;
  const clusterName = cluster?.name;
  const running = vm.power_state === 'poweredOn';
  if (!destinations.length)
    return {
      reason: 'no_destination_host',
      detail: clusterName
        ? `No other host of cluster ${clusterName} is connected and out of maintenance mode to take it`
        : 'The host is not in a cluster: there is no other host to move it to',
      actions: [makeHostAvailableAction(clusterName)],
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
    if (vm.fault_tolerance && ctx.evacuation === 'migrate')
      return {
        reason: 'fault_tolerance',
        detail: `It is the Fault Tolerance ${vm.fault_tolerance.role} VM of an FT pair, which EIO's migrations cannot move`,
        actions: [faultToleranceAction(vm.name)],
      };
    if (ctx.evacuation === 'drs') {
      const why = drsWillNotMove(vm, cluster);
      if (why) return { reason: 'drs_disabled', detail: why, actions: drsActions(vm.name, clusterName) };
    }
  }
  let candidates = destinations.filter((h) => vm.datastores.every((ds) => h.datastores.includes(ds)));
  if (!candidates.length) return datastoreRefusal(vm, destinations, placement);
  if (running && vm.fault_tolerance) {
    candidates = candidates.filter((h) => !runsFtPartner(vm, h.id, placement));
    if (!candidates.length)
      return {
        reason: 'fault_tolerance',
        detail: 'Every host it could go to already runs the other VM of its Fault Tolerance pair',
        actions: [faultToleranceAction(vm.name)],
      };
  }
  const hostRules = (cluster?.vm_host_rules ?? []).filter((r) => r.vms.includes(vm.id));
  candidates = candidates.filter((h) => hostRules.every((r) => r.hosts.includes(h.id) === (r.relation === 'run_on')));
  if (!candidates.length)
    return {
      reason: 'vm_host_rule',
      detail: `${hostRules.map(ruleWords).join('; ')}: no host that is left qualifies`,
      actions: [relaxRuleAction(hostRules.map((r) => r.name))],
    };
  if (running) {
    const antiRules = (cluster?.anti_affinity_rules ?? []).filter((r) => r.vms.includes(vm.id));
    candidates = candidates.filter((h) => antiRules.every((r) => !runsAnyOf(r.vms, vm.id, h.id, placement)));
    if (!candidates.length)
      return {
        reason: 'anti_affinity_rule',
        detail: `Anti-affinity ${antiRules.map((r) => `rule '${r.name}'`).join(', ')} keeps it apart from VMs already on every host left`,
        actions: [relaxRuleAction(antiRules.map((r) => r.name))],
      };
  }
  const need = demand(vm);
  const fitting = candidates.filter((h) => placement.free(h).memory >= need.memory && placement.free(h).cpu >= need.cpu);
  if (!fitting.length) {
    const roomiest = [...candidates].sort((a, b) => placement.free(b).memory - placement.free(a).memory || byName(a, b))[0]!;
    const room = placement.free(roomiest);
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

function drsWillNotMove(vm: PlanVm, cluster: PlanCluster | undefined): string | undefined {
  if (!cluster) return 'The host is not in a cluster, so there is no DRS to move it';
  const drs = cluster.drs;
  if (!drs?.enabled) return `DRS is turned off on cluster ${cluster.name}`;
  if (vm.drs_override === 'disabled') return 'DRS is disabled for this VM (a VM override), so DRS leaves it where it is';
  const behavior = vm.drs_override ?? drs.behavior;
  if (behavior === 'fullyAutomated') return undefined;
  const source = vm.drs_override ? 'its VM override' : `cluster ${cluster.name}'s default`;
  return `DRS automation for this VM is ${behavior} (${source}): DRS would only recommend the move, not make it`;
}

function datastoreRefusal(vm: PlanVm, destinations: PlanHost[], placement: Placement): Refusal {
  const missing = vm.datastores.filter((ds) => !destinations.some((h) => h.datastores.includes(ds)));
  const named = missing.length ? missing : vm.datastores;
  const here = placement.hostOf(vm.id);
  const elsewhere = [...placement.hosts.values()].filter((h) => h.id !== here && named.every((ds) => h.datastores.includes(ds)));
  const detail = elsewhere.length
    ? `Its files are on ${named.join(', ')}, which only ${elsewhere.map((h) => h.name).join(', ')} also mount, and those are ` +
      'in maintenance or not connected'
    : `Its files are on ${named.join(', ')}, which no other host mounts (local storage)`;
  return { reason: 'datastore_unreachable', detail, actions: [storageAction(vm.name, named)] };
}

function runsFtPartner(vm: PlanVm, hostId: string, placement: Placement): boolean {
  return placement.vms.some(
    (o) => o.id !== vm.id && o.fault_tolerance?.group === vm.fault_tolerance!.group && placement.hostOf(o.id) === hostId,
  );
}

function runsAnyOf(vmIds: string[], self: string, hostId: string, placement: Placement): boolean {
  return placement.vms.some(
    (o) => o.id !== self && o.power_state === 'poweredOn' && vmIds.includes(o.id) && placement.hostOf(o.id) === hostId,
  );
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
