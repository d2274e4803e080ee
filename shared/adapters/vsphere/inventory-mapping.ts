/**
 * From vSphere properties to the inventory objects EIO keeps: which managed object types it reads, which
 * properties of each (add a vim-schema.ts line when a new nested one is read), and the fields it keeps of
 * them. The key order of `data` is part of its hash (the sync writes only what changed), so keep it stable.
 */
import type { HostDeviceKind } from '../../domain/evacuation-plan';
import type { InventoryKind, InventoryObject, IpSighting } from '../../domain/vcenter';
import type { MoRef, ObjectContent } from './types';

/** The properties EIO reads, per managed object type. */
export const SYNC_PATHS: Record<string, string[]> = {
  Datacenter: ['name'],
  ClusterComputeResource: ['name', 'configurationEx', 'host'],
  HostSystem: [
    'name',
    'runtime.connectionState',
    'runtime.powerState',
    'runtime.inMaintenanceMode',
    'hardware.systemInfo',
    // The BMC vCenter knows of (set for DPM, often unset): one of the ways a host finds its iDRAC.
    'config.ipmi',
    'config.network.vnic',
    'parent',
    'datastore',
    'summary.hardware.memorySize',
    'summary.hardware.numCpuCores',
    'summary.hardware.cpuMhz',
    'summary.quickStats.overallCpuUsage',
    'summary.quickStats.overallMemoryUsage',
  ],
  VirtualMachine: [
    'name',
    'config.uuid',
    'config.instanceUuid',
    'runtime.powerState',
    'runtime.host',
    'guest.hostName',
    'guest.net',
    'guest.toolsRunningStatus',
    'datastore',
    'config.hardware.device',
    'config.hardware.numCPU',
    'config.hardware.memoryMB',
    'config.ftInfo',
    'runtime.faultToleranceState',
  ],
  Datastore: ['name', 'summary.type', 'summary.multipleHostAccess', 'summary.capacity', 'summary.freeSpace'],
};

export const KIND_OF_TYPE: Record<string, InventoryKind> = {
  Datacenter: 'datacenter',
  ClusterComputeResource: 'cluster',
  HostSystem: 'host',
  VirtualMachine: 'vm',
  Datastore: 'datastore',
};

type Props = Record<string, unknown>;
const MB = 1024 * 1024;
const propsOf = (o: ObjectContent): Props => Object.fromEntries(o.propSet.map((p) => [p.name, p.val]));
const ref = (v: unknown) => (v && typeof v === 'object' && 'value' in v ? String((v as MoRef).value) : undefined);
const arr = <T = Record<string, any>>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : v == null ? [] : [v as T]);

/** One retrieved object as an inventory object; undefined for a type EIO does not keep. */
export function inventoryObjectOf(o: ObjectContent): InventoryObject | undefined {
  const kind = KIND_OF_TYPE[o.obj.type];
  if (!kind) return undefined;
  const p = propsOf(o);
  return { kind, moref: o.obj.value, name: String(p.name ?? o.obj.value), ...fields(kind, p) };
}

function fields(kind: InventoryKind, p: Props): Pick<InventoryObject, 'data' | 'ips' | 'placement'> {
  switch (kind) {
    case 'datacenter':
      return { data: { name: p.name }, ips: [] };
    case 'datastore':
      return {
        data: {
          name: p.name,
          type: p['summary.type'],
          shared: p['summary.multipleHostAccess'] === true,
          capacity_bytes: p['summary.capacity'],
          free_bytes: p['summary.freeSpace'],
        },
        ips: [],
      };
    case 'cluster':
      return cluster(p);
    case 'host':
      return host(p);
    case 'vm':
      return vm(p);
  }
}

function cluster(p: Props): Pick<InventoryObject, 'data' | 'ips' | 'placement'> {
  const cfg = (p.configurationEx ?? {}) as Record<string, any>;
  const hosts = arr<MoRef>(p.host).map((h) => h.value);
  return {
    data: {
      name: p.name,
      hosts,
      drs: cfg.drsConfig ? { enabled: cfg.drsConfig.enabled ?? false, behavior: cfg.drsConfig.defaultVmBehavior } : undefined,
      ha: cfg.dasConfig
        ? {
            enabled: cfg.dasConfig.enabled ?? false,
            admission_control: cfg.dasConfig.admissionControlEnabled,
            host_monitoring: cfg.dasConfig.hostMonitoring,
            ...admissionPolicy(cfg.dasConfig),
          }
        : undefined,
      drs_vm_overrides: arr(cfg.drsVmConfig).map((o) => ({ vm: ref(o.key), behavior: o.behavior, enabled: o.enabled })),
      ha_vm_overrides: arr(cfg.dasVmConfig).map((o) => ({
        vm: ref(o.key),
        restart_priority: o.dasSettings?.restartPriority ?? o.restartPriority,
      })),
      rules: arr(cfg.rule).map((r) => ({
        type: r._type,
        name: r.name,
        enabled: r.enabled,
        mandatory: r.mandatory,
        vms: arr<MoRef>(r.vm).map((v) => v.value),
        vm_group: r.vmGroupName,
        host_group: r.affineHostGroupName ?? r.antiAffineHostGroupName,
        host_group_rule: r.affineHostGroupName ? 'run_on' : r.antiAffineHostGroupName ? 'not_run_on' : undefined,
      })),
      groups: arr(cfg.group).map((g) => ({
        type: g._type,
        name: g.name,
        members: [...arr<MoRef>(g.vm), ...arr<MoRef>(g.host)].map((m) => m.value),
      })),
    },
    ips: [],
    placement: { hosts },
  };
}

const POLICY_OF_TYPE: Record<string, string> = {
  ClusterFailoverLevelAdmissionControlPolicy: 'host_failures',
  ClusterFailoverResourcesAdmissionControlPolicy: 'resource_percentage',
  ClusterFailoverHostAdmissionControlPolicy: 'failover_hosts',
};

/** HA admission control's policy; every key undefined without one, so the record's hash does not move. */
type AdmissionPolicy = {
  _type?: string;
  failoverLevel?: number;
  cpuFailoverResourcesPercent?: number;
  memoryFailoverResourcesPercent?: number;
  failoverHosts?: MoRef[];
};

function admissionPolicy(das: { admissionControlPolicy?: AdmissionPolicy; failoverLevel?: number }) {
  const policy: AdmissionPolicy = das.admissionControlPolicy ?? {};
  return {
    admission_policy: policy._type ? POLICY_OF_TYPE[policy._type] : undefined,
    failover_level: policy.failoverLevel ?? das.failoverLevel,
    cpu_failover_percent: policy.cpuFailoverResourcesPercent,
    memory_failover_percent: policy.memoryFailoverResourcesPercent,
    failover_hosts: policy.failoverHosts ? arr<MoRef>(policy.failoverHosts).map((h) => h.value) : undefined,
  };
}

function host(p: Props): Pick<InventoryObject, 'data' | 'ips' | 'placement'> {
  const info = (p['hardware.systemInfo'] ?? {}) as Record<string, any>;
  const ids = arr(info.otherIdentifyingInfo);
  const serviceTag =
    info.serialNumber ??
    ids.find((i) => i.identifierType?.key === 'ServiceTag' || i.identifierType?.key === 'EnclosureSerialNumberTag')?.identifierValue;
  const ipmi = (p['config.ipmi'] ?? {}) as { bmcIpAddress?: string; bmcMacAddress?: string };
  const parent = p.parent as MoRef | undefined;
  const cluster = parent?.type === 'ClusterComputeResource' ? parent.value : undefined;
  const vnics = arr(p['config.network.vnic']).map((n) => ({
    device: n.device,
    portgroup: n.portgroup || undefined,
    ip: n.spec?.ip?.ipAddress || undefined,
    mac: n.spec?.mac,
  }));
  const data = {
    name: p.name,
    connection_state: p['runtime.connectionState'],
    power_state: p['runtime.powerState'],
    in_maintenance_mode: p['runtime.inMaintenanceMode'] === true,
    hardware_uuid: info.uuid,
    service_tag: serviceTag,
    bmc_address: ipmi.bmcIpAddress || undefined,
    bmc_mac: ipmi.bmcMacAddress || undefined,
    cluster,
    cluster_name: undefined,
    vmknics: vnics,
    datastores: arr<MoRef>(p.datastore).map((d) => d.value),
    memory_mb: typeof p['summary.hardware.memorySize'] === 'number' ? Math.floor(p['summary.hardware.memorySize'] / MB) : undefined,
    cpu_cores: p['summary.hardware.numCpuCores'],
    cpu_mhz: p['summary.hardware.cpuMhz'],
    cpu_usage_mhz: p['summary.quickStats.overallCpuUsage'],
    memory_usage_mb: p['summary.quickStats.overallMemoryUsage'],
  };
  const hardware_ids: Record<string, string> = {};
  if (info.uuid) hardware_ids.system_uuid = info.uuid;
  if (serviceTag) hardware_ids.service_tag = serviceTag;
  return {
    data,
    ips: vnics.filter((v) => v.ip).map((v) => ({ address: v.ip!, mac: v.mac, hostname: String(p.name), hardware_ids })),
    placement: { cluster },
  };
}

function vm(p: Props): Pick<InventoryObject, 'data' | 'ips' | 'placement'> {
  const hostRef = ref(p['runtime.host']);
  const nics = arr(p['guest.net']).map((n) => ({
    mac: n.macAddress,
    network: n.network,
    connected: n.connected,
    ips: arr<string>(n.ipAddress),
  }));
  const devices = arr(p['config.hardware.device']);
  const disks = devices
    .filter((d) => d._type === 'VirtualDisk')
    .map((d) => ({ key: d.key, capacity_kb: d.capacityInKB, datastore: ref(d.backing?.datastore), file: d.backing?.fileName }));
  const nicDevices = devices
    .filter((d) => typeof d.macAddress === 'string')
    .map((d) => ({ key: d.key, type: d._type, mac: d.macAddress, network: d.deviceInfo?.summary }));
  const passthrough = devices.filter((d) => /Passthrough|Usb|Serial|Parallel/.test(String(d._type))).map((d) => d._type);
  const cdroms = devices.filter((d) => d._type === 'VirtualCdrom' && d.connectable?.connected).length;
  const uuid = p['config.uuid'] as string | undefined;
  const data = {
    name: p.name,
    uuid,
    instance_uuid: p['config.instanceUuid'],
    power_state: p['runtime.powerState'],
    host: hostRef,
    host_name: undefined,
    cluster: undefined,
    cluster_name: undefined,
    guest_hostname: p['guest.hostName'],
    tools_status: p['guest.toolsRunningStatus'],
    nics,
    datastores: arr<MoRef>(p.datastore).map((d) => d.value),
    disks,
    nic_devices: nicDevices,
    vmotion_blockers: [...passthrough, ...(cdroms ? ['connected CD-ROM'] : [])],
    cpu_count: p['config.hardware.numCPU'],
    memory_mb: p['config.hardware.memoryMB'],
    fault_tolerance: faultTolerance(p),
    host_devices: devices.flatMap(hostDevice),
  };
  const hardware_ids: Record<string, string> = {};
  if (uuid) hardware_ids.vm_uuid = uuid;
  if (typeof p['config.instanceUuid'] === 'string') hardware_ids.instance_uuid = p['config.instanceUuid'];
  const ips: IpSighting[] = [];
  for (const n of nics)
    for (const address of n.ips)
      ips.push({ address, mac: n.mac, hostname: (p['guest.hostName'] as string | undefined) ?? String(p.name), hardware_ids });
  return { data, ips, placement: { host: hostRef } };
}

/** A Fault Tolerance group member (group: the primary's instance UUID); undefined when FT was never turned on. */
function faultTolerance(p: Props) {
  const state = p['runtime.faultToleranceState'] as string | undefined;
  const info = p['config.ftInfo'] as { role?: number; instanceUuids?: string[] } | undefined;
  if (!info || !state || state === 'notConfigured') return undefined;
  return { state, role: info.role === 1 ? 'primary' : 'secondary', group: arr<string>(info.instanceUuids)[0] };
}

/** Backings that are a device of the host the VM runs on (not a file, a network service or the client). */
const HOST_BACKED: Record<string, HostDeviceKind> = {
  VirtualUSBUSBBackingInfo: 'usb',
  VirtualSerialPortDeviceBackingInfo: 'serial_port',
  VirtualParallelPortDeviceBackingInfo: 'parallel_port',
  VirtualCdromAtapiBackingInfo: 'cdrom',
  VirtualCdromPassthroughBackingInfo: 'cdrom',
};

/** A device that ties a running VM to its host: PCI passthrough, SR-IOV, or a connected host USB/serial/parallel/CD-ROM device. */
type Device = {
  _type?: string;
  deviceInfo?: { label?: string };
  backing?: { _type?: string };
  connectable?: { connected?: boolean };
  connected?: boolean;
};

function hostDevice(d: Device): { kind: HostDeviceKind; label: string }[] {
  const label = String(d.deviceInfo?.label ?? d._type);
  if (d._type === 'VirtualPCIPassthrough') return [{ kind: 'pci_passthrough', label }];
  if (d._type === 'VirtualSriovEthernetCard') return [{ kind: 'sriov_nic', label }];
  const kind = d.backing?._type ? HOST_BACKED[d.backing._type] : undefined;
  const connected = d.connectable ? d.connectable.connected === true : d.connected !== false;
  return kind && connected ? [{ kind, label }] : [];
}
