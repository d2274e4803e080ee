import { describe, expect, it } from 'vitest';
import { VCenterInstanceCreate } from '../../shared/domain/vcenter';
import { buildRecord } from '../../shared/usecases/vcenter-sync';

const lookup = {
  hostInfo: async (m: string | undefined) => (m === 'host-1' ? { name: 'esx01', cluster: 'domain-c1', cluster_name: 'prod' } : undefined),
  clusterName: async (m: string | undefined) => (m === 'domain-c1' ? 'prod' : undefined),
};

describe('vCenter inventory records', () => {
  it('a VM yields its placement, vMotion-relevant devices and one IP observation per guest IP with its MAC and UUID', async () => {
    const { data, ips } = await buildRecord(
      'vm',
      'vm-7',
      {
        name: 'app-01',
        'config.uuid': '4210aaaa-bbbb-cccc-dddd-eeeeffff0000',
        'runtime.powerState': 'poweredOn',
        'runtime.host': { type: 'HostSystem', value: 'host-1' },
        'guest.hostName': 'app-01.corp',
        'guest.net': [{ macAddress: '00:50:56:aa:bb:cc', connected: true, ipAddress: ['10.1.2.3', 'fe80::1'] }],
        datastore: [{ type: 'Datastore', value: 'datastore-1' }],
        'config.hardware.device': [
          { _type: 'VirtualDisk', key: 2000, capacityInKB: 1024, backing: { datastore: { type: 'Datastore', value: 'datastore-1' }, fileName: '[ds] a.vmdk' } },
          { _type: 'VirtualVmxnet3', key: 4000, macAddress: '00:50:56:aa:bb:cc' },
          { _type: 'VirtualPCIPassthrough', key: 5000 },
        ],
      },
      lookup,
    );
    expect(data).toMatchObject({ host: 'host-1', host_name: 'esx01', cluster: 'domain-c1', cluster_name: 'prod', power_state: 'poweredOn' });
    expect(data.vmotion_blockers).toEqual(['VirtualPCIPassthrough']);
    expect(data.disks).toEqual([{ key: 2000, capacity_kb: 1024, datastore: 'datastore-1', file: '[ds] a.vmdk' }]);
    expect(ips).toEqual([
      { address: '10.1.2.3', mac: '00:50:56:aa:bb:cc', hostname: 'app-01.corp', hardware_ids: { vm_uuid: '4210aaaa-bbbb-cccc-dddd-eeeeffff0000' } },
      { address: 'fe80::1', mac: '00:50:56:aa:bb:cc', hostname: 'app-01.corp', hardware_ids: { vm_uuid: '4210aaaa-bbbb-cccc-dddd-eeeeffff0000' } },
    ]);
  });

  it('a host carries its service tag and hardware UUID into its vmknic observations', async () => {
    const { data, ips } = await buildRecord(
      'host',
      'host-1',
      {
        name: 'esx01',
        parent: { type: 'ClusterComputeResource', value: 'domain-c1' },
        'hardware.systemInfo': { uuid: 'u-1', otherIdentifyingInfo: [{ identifierValue: 'ABC1234', identifierType: { key: 'ServiceTag' } }] },
        'config.network.vnic': [{ device: 'vmk0', spec: { ip: { ipAddress: '10.0.0.5' }, mac: '00:11:22:33:44:55' } }],
      },
      lookup,
    );
    expect(data).toMatchObject({ cluster: 'domain-c1', cluster_name: 'prod', service_tag: 'ABC1234', hardware_uuid: 'u-1' });
    expect(ips).toEqual([{ address: '10.0.0.5', mac: '00:11:22:33:44:55', hostname: 'esx01', hardware_ids: { system_uuid: 'u-1', service_tag: 'ABC1234' } }]);
  });

  it('TLS policy must be explicit: exactly one of CA, pin/TOFU, insecure', () => {
    const base = { url: 'https://vc01.example.com/sdk', site_id: 'site-1', service_identity_id: 'si-1' };
    expect(VCenterInstanceCreate.safeParse({ ...base, tls: { insecure: true } }).success).toBe(true);
    expect(VCenterInstanceCreate.safeParse({ ...base, tls: { trust_on_first_use: true } }).success).toBe(true);
    expect(VCenterInstanceCreate.safeParse({ ...base, tls: { pinned_thumbprint: 'AB:'.repeat(31) + 'AB' } }).success).toBe(true);
    expect(VCenterInstanceCreate.safeParse({ ...base, tls: {} }).success).toBe(false);
    expect(VCenterInstanceCreate.safeParse({ ...base, tls: { insecure: false } }).success).toBe(false);
    expect(VCenterInstanceCreate.safeParse({ ...base, tls: { insecure: true, ca_pem: 'x' } }).success).toBe(false);
    expect(VCenterInstanceCreate.safeParse({ ...base, url: 'https://user:pw@vc/sdk', tls: { insecure: true } }).success).toBe(false);
    expect(VCenterInstanceCreate.safeParse({ ...base, url: 'https://vc/api', tls: { insecure: true } }).success).toBe(false);
  });
});
