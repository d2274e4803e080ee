import { describe, expect, it } from 'vitest';
import { inventoryObjectOf, type ObjectContent } from '../../shared/adapters/vsphere';

/** A retrieved object as the PropertyCollector hands it over. */
const retrieved = (type: string, value: string, props: Record<string, unknown>): ObjectContent => ({
  obj: { type, value },
  propSet: Object.entries(props).map(([name, val]) => ({ name, val })),
  missingSet: [],
});

describe('vSphere properties to inventory objects', () => {
  it('a VM yields its host, vMotion-relevant devices and one IP sighting per guest IP; related names are left to the sync', () => {
    const o = inventoryObjectOf(
      retrieved('VirtualMachine', 'vm-7', {
        name: 'app-01',
        'config.uuid': '4210aaaa-bbbb-cccc-dddd-eeeeffff0000',
        'runtime.powerState': 'poweredOn',
        'runtime.host': { type: 'HostSystem', value: 'host-1' },
        'guest.hostName': 'app-01.corp',
        'guest.net': [{ macAddress: '00:50:56:aa:bb:cc', connected: true, ipAddress: ['10.1.2.3', 'fe80::1'] }],
        datastore: [{ type: 'Datastore', value: 'datastore-1' }],
        'config.hardware.device': [
          {
            _type: 'VirtualDisk',
            key: 2000,
            capacityInKB: 1024,
            backing: { datastore: { type: 'Datastore', value: 'datastore-1' }, fileName: '[ds] a.vmdk' },
          },
          { _type: 'VirtualVmxnet3', key: 4000, macAddress: '00:50:56:aa:bb:cc' },
          { _type: 'VirtualPCIPassthrough', key: 5000 },
        ],
      }),
    )!;
    expect(o).toMatchObject({ kind: 'vm', moref: 'vm-7', name: 'app-01', placement: { host: 'host-1' } });
    expect(o.data).toMatchObject({ host: 'host-1', power_state: 'poweredOn', datastores: ['datastore-1'] });
    expect(o.data.host_name).toBeUndefined();
    expect(o.data.cluster).toBeUndefined();
    expect(o.data.vmotion_blockers).toEqual(['VirtualPCIPassthrough']);
    expect(o.data.disks).toEqual([{ key: 2000, capacity_kb: 1024, datastore: 'datastore-1', file: '[ds] a.vmdk' }]);
    expect(o.ips).toEqual([
      {
        address: '10.1.2.3',
        mac: '00:50:56:aa:bb:cc',
        hostname: 'app-01.corp',
        hardware_ids: { vm_uuid: '4210aaaa-bbbb-cccc-dddd-eeeeffff0000' },
      },
      {
        address: 'fe80::1',
        mac: '00:50:56:aa:bb:cc',
        hostname: 'app-01.corp',
        hardware_ids: { vm_uuid: '4210aaaa-bbbb-cccc-dddd-eeeeffff0000' },
      },
    ]);
  });

  it('a host carries its service tag and hardware UUID into its vmknic sightings and names its cluster', () => {
    const o = inventoryObjectOf(
      retrieved('HostSystem', 'host-1', {
        name: 'esx01',
        parent: { type: 'ClusterComputeResource', value: 'domain-c1' },
        'hardware.systemInfo': {
          uuid: 'u-1',
          otherIdentifyingInfo: [{ identifierValue: 'ABC1234', identifierType: { key: 'ServiceTag' } }],
        },
        'config.network.vnic': [{ device: 'vmk0', spec: { ip: { ipAddress: '10.0.0.5' }, mac: '00:11:22:33:44:55' } }],
      }),
    )!;
    expect(o).toMatchObject({ kind: 'host', moref: 'host-1', placement: { cluster: 'domain-c1' } });
    expect(o.data).toMatchObject({ cluster: 'domain-c1', service_tag: 'ABC1234', hardware_uuid: 'u-1' });
    expect(o.ips).toEqual([
      { address: '10.0.0.5', mac: '00:11:22:33:44:55', hostname: 'esx01', hardware_ids: { system_uuid: 'u-1', service_tag: 'ABC1234' } },
    ]);
  });

  it('a host carries the BMC vCenter reports (IPMI settings), by which it finds its iDRAC', () => {
    const o = inventoryObjectOf(
      retrieved('HostSystem', 'host-1', {
        name: 'esx01',
        'config.ipmi': { bmcIpAddress: '10.45.12.17', bmcMacAddress: 'd0:94:66:aa:bb:cc' },
      }),
    )!;
    expect(o.data).toMatchObject({ bmc_address: '10.45.12.17', bmc_mac: 'd0:94:66:aa:bb:cc' });
  });

  it('what an evacuation plan needs: host capacity, load and datastores; VM size, FT state and the host devices that pin it', () => {
    const h = inventoryObjectOf(
      retrieved('HostSystem', 'host-1', {
        name: 'esx01',
        datastore: [
          { type: 'Datastore', value: 'datastore-1' },
          { type: 'Datastore', value: 'datastore-2' },
        ],
        'summary.hardware.memorySize': 68_719_476_736,
        'summary.hardware.numCpuCores': 16,
        'summary.hardware.cpuMhz': 2_600,
        'summary.quickStats.overallCpuUsage': 4_200,
        'summary.quickStats.overallMemoryUsage': 20_480,
      }),
    )!;
    expect(h.data).toMatchObject({
      datastores: ['datastore-1', 'datastore-2'],
      memory_mb: 65_536,
      cpu_cores: 16,
      cpu_mhz: 2_600,
      cpu_usage_mhz: 4_200,
      memory_usage_mb: 20_480,
    });
    const connected = { connected: true };
    const o = inventoryObjectOf(
      retrieved('VirtualMachine', 'vm-7', {
        name: 'app-01',
        'config.hardware.numCPU': 4,
        'config.hardware.memoryMB': 16_384,
        'config.ftInfo': { _type: 'FaultTolerancePrimaryConfigInfo', role: 1, instanceUuids: ['uuid-p', 'uuid-s'] },
        'runtime.faultToleranceState': 'running',
        'config.hardware.device': [
          { _type: 'VirtualPCIPassthrough', key: 5000, deviceInfo: { label: 'PCI device 0' } },
          { _type: 'VirtualSriovEthernetCard', key: 4001, macAddress: '00:50:56:00:00:01', deviceInfo: { label: 'Network adapter 2' } },
          {
            _type: 'VirtualCdrom',
            key: 3000,
            deviceInfo: { label: 'CD/DVD drive 1' },
            backing: { _type: 'VirtualCdromAtapiBackingInfo' },
            connectable: connected,
          },
          {
            _type: 'VirtualCdrom',
            key: 3001,
            deviceInfo: { label: 'CD/DVD drive 2' },
            backing: { _type: 'VirtualCdromIsoBackingInfo' },
            connectable: connected,
          },
          {
            _type: 'VirtualCdrom',
            key: 3002,
            deviceInfo: { label: 'CD/DVD drive 3' },
            backing: { _type: 'VirtualCdromPassthroughBackingInfo' },
            connectable: { connected: false },
          },
          {
            _type: 'VirtualUSB',
            key: 7000,
            deviceInfo: { label: 'USB 1' },
            backing: { _type: 'VirtualUSBUSBBackingInfo' },
            connected: true,
          },
          { _type: 'VirtualUSB', key: 7001, deviceInfo: { label: 'USB 2' }, backing: { _type: 'VirtualUSBRemoteHostBackingInfo' } },
          {
            _type: 'VirtualSerialPort',
            key: 9000,
            deviceInfo: { label: 'Serial port 1' },
            backing: { _type: 'VirtualSerialPortDeviceBackingInfo' },
            connectable: connected,
          },
          {
            _type: 'VirtualSerialPort',
            key: 9001,
            deviceInfo: { label: 'Serial port 2' },
            backing: { _type: 'VirtualSerialPortURIBackingInfo' },
            connectable: connected,
          },
        ],
      }),
    )!;
    expect(o.data).toMatchObject({
      cpu_count: 4,
      memory_mb: 16_384,
      fault_tolerance: { state: 'running', role: 'primary', group: 'uuid-p' },
      host_devices: [
        { kind: 'pci_passthrough', label: 'PCI device 0' },
        { kind: 'sriov_nic', label: 'Network adapter 2' },
        { kind: 'cdrom', label: 'CD/DVD drive 1' },
        { kind: 'usb', label: 'USB 1' },
        { kind: 'serial_port', label: 'Serial port 1' },
      ],
    });
    const plain = inventoryObjectOf(
      retrieved('VirtualMachine', 'vm-8', { name: 'app-02', 'runtime.faultToleranceState': 'notConfigured' }),
    )!;
    expect(plain.data.fault_tolerance).toBeUndefined();
    expect(plain.data.host_devices).toEqual([]);
  });

  it('a cluster keeps its HA admission policy and which way a VM-host rule points', () => {
    const o = inventoryObjectOf(
      retrieved('ClusterComputeResource', 'domain-c1', {
        name: 'prod',
        configurationEx: {
          dasConfig: {
            enabled: true,
            admissionControlEnabled: true,
            admissionControlPolicy: {
              _type: 'ClusterFailoverResourcesAdmissionControlPolicy',
              cpuFailoverResourcesPercent: 25,
              memoryFailoverResourcesPercent: 30,
            },
          },
          rule: [
            {
              _type: 'ClusterVmHostRuleInfo',
              name: 'db-on',
              enabled: true,
              mandatory: true,
              vmGroupName: 'db',
              affineHostGroupName: 'lic',
            },
            {
              _type: 'ClusterVmHostRuleInfo',
              name: 'db-off',
              enabled: true,
              mandatory: true,
              vmGroupName: 'db',
              antiAffineHostGroupName: 'old',
            },
          ],
        },
      }),
    )!;
    expect(o.data.ha).toEqual({
      enabled: true,
      admission_control: true,
      host_monitoring: undefined,
      admission_policy: 'resource_percentage',
      failover_level: undefined,
      cpu_failover_percent: 25,
      memory_failover_percent: 30,
      failover_hosts: undefined,
    });
    expect((o.data.rules as { host_group: string; host_group_rule: string }[]).map((r) => [r.host_group, r.host_group_rule])).toEqual([
      ['lic', 'run_on'],
      ['old', 'not_run_on'],
    ]);
  });

  it('a cluster lists its hosts; types EIO does not keep yield nothing', () => {
    const cluster = inventoryObjectOf(
      retrieved('ClusterComputeResource', 'domain-c1', { name: 'prod', host: [{ type: 'HostSystem', value: 'host-1' }] }),
    );
    expect(cluster).toMatchObject({ kind: 'cluster', name: 'prod', data: { hosts: ['host-1'] }, placement: { hosts: ['host-1'] } });
    expect(inventoryObjectOf(retrieved('Folder', 'group-v1', { name: 'vm' }))).toBeUndefined();
  });
});
