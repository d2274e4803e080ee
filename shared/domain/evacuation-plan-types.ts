/**
 * What the evacuation planner is given and what it answers: per cluster (or standalone host) the hosts, VMs and
 * rules vCenter reports and the hosts to put into maintenance; the operator's options; and the plan, per host
 * which VMs move where, which are blocked and which are left, with the findings that refuse it.
 */
import { z } from 'zod';
import type { BlockReason, SuggestedAction } from './evacuation-reasons';

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
