/**
 * From the inventory vCenter sync stored to the evacuation planner's input: one scope per cluster (or per
 * standalone host) with all its hosts and VMs, its DRS and HA settings and its "must" and anti-affinity rules.
 * A VM's memory demand is its configured size (what it may use on a destination). Its CPU demand is its share,
 * by vCPUs, of what its host measures: vCenter's per-VM CPU samples change every 20 seconds, and syncing them
 * would rewrite every VM record on every delta sync.
 */
import type {
  AntiAffinityRule,
  DrsBehavior,
  EvacuationScope,
  HaAdmissionControl,
  HostDeviceKind,
  PlanCluster,
  PlanHost,
  PlanVm,
  VmHostRule,
  VmPowerState,
} from '../domain/evacuation-plan';
import type { InventoryRecord } from '../records/vcenter';

type HostData = {
  connection_state?: string;
  power_state?: string;
  in_maintenance_mode?: boolean;
  cluster?: string;
  datastores?: string[];
  memory_mb?: number;
  cpu_cores?: number;
  cpu_mhz?: number;
  cpu_usage_mhz?: number;
  memory_usage_mb?: number;
};
type VmData = {
  power_state?: VmPowerState;
  host?: string;
  datastores?: string[];
  disks?: { datastore?: string }[];
  cpu_count?: number;
  memory_mb?: number;
  fault_tolerance?: { state: string; role: 'primary' | 'secondary'; group: string };
  host_devices?: { kind: HostDeviceKind; label: string }[];
};
type ClusterData = {
  drs?: { enabled: boolean; behavior?: DrsBehavior };
  ha?: {
    enabled: boolean;
    admission_control?: boolean;
    admission_policy?: string;
    failover_level?: number;
    cpu_failover_percent?: number;
    memory_failover_percent?: number;
    failover_hosts?: string[];
  };
  drs_vm_overrides?: { vm?: string; behavior?: DrsBehavior; enabled?: boolean }[];
  rules?: {
    type?: string;
    name: string;
    enabled?: boolean;
    mandatory?: boolean;
    vms: string[];
    vm_group?: string;
    host_group?: string;
    host_group_rule?: 'run_on' | 'not_run_on';
  }[];
  groups?: { name: string; members: string[] }[];
};

/** FT states in which the pair runs (not `notConfigured`, not `disabled`, i.e. turned off). */
const FT_ON = new Set(['enabled', 'needSecondary', 'starting', 'running']);

/** Whether a stored host carries the capacity figures the planner needs (records synced before they were read do not). */
export const hasCapacityFigures = (r: InventoryRecord) => typeof (r.data as HostData).memory_mb === 'number';

export function planHost(r: InventoryRecord): PlanHost {
  const d = r.data as HostData;
  return {
    id: r.moref,
    name: r.name,
    connected: d.connection_state === 'connected' && (d.power_state ?? 'poweredOn') === 'poweredOn',
    in_maintenance: d.in_maintenance_mode === true,
    cpu_capacity_mhz: (d.cpu_cores ?? 0) * (d.cpu_mhz ?? 0),
    memory_capacity_mb: d.memory_mb ?? 0,
    cpu_usage_mhz: d.cpu_usage_mhz ?? 0,
    memory_usage_mb: d.memory_usage_mb ?? 0,
    datastores: d.datastores ?? [],
  };
}

export function planCluster(r: InventoryRecord): PlanCluster {
  const d = r.data as ClusterData;
  const members = new Map((d.groups ?? []).map((g) => [g.name, g.members]));
  const rules = (d.rules ?? []).filter((rule) => rule.enabled !== false);
  const vmHostRules: VmHostRule[] = rules
    .filter((rule) => rule.type === 'ClusterVmHostRuleInfo' && rule.mandatory === true && rule.host_group_rule && rule.host_group)
    .map((rule) => ({
      name: rule.name,
      vms: members.get(rule.vm_group ?? '') ?? [],
      host_group: rule.host_group!,
      hosts: members.get(rule.host_group!) ?? [],
      relation: rule.host_group_rule!,
    }));
  const antiAffinity: AntiAffinityRule[] = rules
    .filter((rule) => rule.type === 'ClusterAntiAffinityRuleSpec')
    .map((rule) => ({ name: rule.name, vms: rule.vms }));
  return {
    id: r.moref,
    name: r.name,
    drs: d.drs ? { enabled: d.drs.enabled, behavior: d.drs.behavior ?? 'fullyAutomated' } : undefined,
    ha_admission_control: admissionControl(d.ha),
    vm_host_rules: vmHostRules,
    anti_affinity_rules: antiAffinity,
  };
}

function admissionControl(ha: ClusterData['ha']): HaAdmissionControl | undefined {
  if (!ha?.enabled || ha.admission_control !== true) return undefined;
  if (ha.admission_policy === 'resource_percentage')
    return { policy: 'resource_percentage', cpu_percent: ha.cpu_failover_percent ?? 0, memory_percent: ha.memory_failover_percent ?? 0 };
  if (ha.admission_policy === 'failover_hosts') return { policy: 'failover_hosts', hosts: ha.failover_hosts ?? [] };
  // vSphere's default policy: tolerate one host failure.
  return { policy: 'host_failures', failover_level: ha.failover_level ?? 1 };
}

/** The VMs of these hosts, their CPU demand estimated from their host's measured usage (see the file's doc). */
export function planVms(vms: InventoryRecord[], hosts: PlanHost[], cluster?: InventoryRecord): PlanVm[] {
  const overrides = new Map(((cluster?.data as ClusterData | undefined)?.drs_vm_overrides ?? []).map((o) => [o.vm, o]));
  const hostOf = new Map(hosts.map((h) => [h.id, h]));
  const mine = vms.filter((v) => hostOf.has((v.data as VmData).host ?? ''));
  const vcpusOn = new Map<string, number>();
  for (const v of mine) {
    const d = v.data as VmData;
    if (d.power_state === 'poweredOn') vcpusOn.set(d.host!, (vcpusOn.get(d.host!) ?? 0) + (d.cpu_count ?? 1));
  }
  return mine.map((v) => {
    const d = v.data as VmData;
    const host = hostOf.get(d.host!)!;
    const override = overrides.get(v.moref);
    const ft = d.fault_tolerance && FT_ON.has(d.fault_tolerance.state) ? d.fault_tolerance : undefined;
    const running = d.power_state === 'poweredOn';
    return {
      id: v.moref,
      name: v.name,
      host: host.id,
      power_state: d.power_state ?? 'poweredOff',
      cpu_demand_mhz: running ? Math.ceil((host.cpu_usage_mhz * (d.cpu_count ?? 1)) / vcpusOn.get(host.id)!) : 0,
      memory_demand_mb: d.memory_mb ?? 0,
      datastores: [...new Set([...(d.datastores ?? []), ...(d.disks ?? []).flatMap((k) => (k.datastore ? [k.datastore] : []))])].sort(),
      host_devices: d.host_devices ?? [],
      fault_tolerance: ft ? { role: ft.role, group: ft.group } : undefined,
      drs_override: override?.enabled === false ? 'disabled' : override?.behavior,
    };
  });
}

/** One cluster's (or one standalone host's) planning input for the given targets. */
export function scopeOf(
  targets: string[],
  hostRecords: InventoryRecord[],
  vmRecords: InventoryRecord[],
  cluster: InventoryRecord | undefined,
): EvacuationScope {
  const hosts = hostRecords.map(planHost);
  return { cluster: cluster ? planCluster(cluster) : undefined, hosts, vms: planVms(vmRecords, hosts, cluster), targets };
}
