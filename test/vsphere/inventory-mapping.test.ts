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

  it('a cluster lists its hosts; types EIO does not keep yield nothing', () => {
    const cluster = inventoryObjectOf(
      retrieved('ClusterComputeResource', 'domain-c1', { name: 'prod', host: [{ type: 'HostSystem', value: 'host-1' }] }),
    );
    expect(cluster).toMatchObject({ kind: 'cluster', name: 'prod', data: { hosts: ['host-1'] }, placement: { hosts: ['host-1'] } });
    expect(inventoryObjectOf(retrieved('Folder', 'group-v1', { name: 'vm' }))).toBeUndefined();
  });
});
