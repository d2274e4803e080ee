import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { containerViewSpec, InvalidArgumentFault, type ObjectContent, type VSphereClient } from '../../shared/adapters/vsphere';
import { startVcsim, type Vcsim } from '../support/vcsim';
import { clientFor, closeAll, drain } from './helpers';

const MODEL = { datacenters: 1, clusters: 2, hostsPerCluster: 3, vmsPerHost: 4, standaloneHosts: 1 };
let sim: Vcsim;
let client: VSphereClient;
const clients: VSphereClient[] = [];

beforeAll(async () => {
  sim = await startVcsim(MODEL);
  client = clientFor(sim);
  clients.push(client);
});
afterAll(async () => {
  await closeAll(clients);
  await sim?.stop();
});

const INVENTORY = {
  VirtualMachine: ['name', 'config.uuid', 'runtime.powerState', 'runtime.host', 'guest.net', 'datastore', 'config.hardware.device'],
  HostSystem: ['name', 'runtime.inMaintenanceMode', 'config.network.vnic', 'hardware.systemInfo', 'summary.hardware.memorySize', 'parent'],
  ClusterComputeResource: ['name', 'configurationEx', 'host'],
};
const prop = (o: ObjectContent, name: string) => o.propSet.find((p) => p.name === name)?.val;

describe('full retrieval through a ContainerView', () => {
  let view: Awaited<ReturnType<VSphereClient['createContainerView']>>;
  beforeAll(async () => {
    view = await client.createContainerView(Object.keys(INVENTORY));
  });

  it('pages with ContinueRetrievePropertiesEx and finds exactly what vcsim was started with', async () => {
    // Expected from the model: clusters × hosts + standalone; VMs fill each cluster (vmsPerHost × hostsPerCluster)
    // and each standalone host alike.
    const vmsPerPool = MODEL.vmsPerHost * MODEL.hostsPerCluster;
    const expected = {
      ClusterComputeResource: MODEL.clusters,
      HostSystem: MODEL.clusters * MODEL.hostsPerCluster + MODEL.standaloneHosts,
      VirtualMachine: (MODEL.clusters + MODEL.standaloneHosts) * vmsPerPool,
    };
    expect({ clusters: sim.counts.clusters, hosts: sim.counts.hosts, vms: sim.counts.vms }).toEqual({
      clusters: expected.ClusterComputeResource,
      hosts: expected.HostSystem,
      vms: expected.VirtualMachine,
    });

    const spec = containerViewSpec(view, INVENTORY);
    const pages: number[] = [];
    let page = await client.retrievePropertiesExPage([spec], { maxObjects: 7 });
    pages.push(page.objects.length);
    const seen = [...page.objects];
    while (page.token) {
      page = await client.continueRetrievePropertiesEx(page.token);
      pages.push(page.objects.length);
      seen.push(...page.objects);
    }
    const total = expected.ClusterComputeResource + expected.HostSystem + expected.VirtualMachine;
    expect(pages.length).toBe(Math.ceil(total / 7));
    expect(pages.slice(0, -1).every((n) => n === 7)).toBe(true);

    const counts: Record<string, number> = {};
    for (const o of seen) counts[o.obj.type] = (counts[o.obj.type] ?? 0) + 1;
    expect(counts).toEqual(expected);
    expect(new Set(seen.map((o) => o.obj.value)).size).toBe(total);

    // The generator walks the same pages.
    expect((await drain(client.retrievePropertiesEx([spec], { maxObjects: 7 }))).length).toBe(total);
  });

  it('decodes the properties sync needs into typed values', async () => {
    const all = await drain(client.retrievePropertiesEx([containerViewSpec(view, INVENTORY)], { maxObjects: 10 }));
    const vm = all.find((o) => o.obj.type === 'VirtualMachine')!;
    expect(vm.missingSet).toEqual([]);
    expect(prop(vm, 'name')).toMatch(/_VM\d+$/);
    expect(prop(vm, 'config.uuid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(prop(vm, 'runtime.powerState')).toBe('poweredOn');
    expect(prop(vm, 'runtime.host')).toMatchObject({ type: 'HostSystem', value: expect.stringMatching(/^host-/) });
    expect(prop(vm, 'guest.net')).toEqual([
      expect.objectContaining({
        macAddress: expect.stringMatching(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/),
        connected: true,
        deviceConfigId: 4000,
      }),
    ]);
    expect(prop(vm, 'datastore')).toEqual([expect.objectContaining({ type: 'Datastore' })]);
    const devices = prop(vm, 'config.hardware.device') as { _type: string; key: number; capacityInKB?: number }[];
    expect(devices.find((d) => d._type === 'VirtualDisk')).toMatchObject({ key: expect.any(Number), capacityInKB: 1024 });

    const host = all.find((o) => o.obj.type === 'HostSystem' && (prop(o, 'parent') as { type: string }).type === 'ClusterComputeResource')!;
    expect(prop(host, 'runtime.inMaintenanceMode')).toBe(false);
    expect(prop(host, 'summary.hardware.memorySize')).toEqual(expect.any(Number));
    expect(prop(host, 'config.network.vnic')).toEqual([
      expect.objectContaining({
        device: 'vmk0',
        spec: expect.objectContaining({
          ip: expect.objectContaining({ ipAddress: expect.any(String) }),
          mac: expect.any(String),
          mtu: 1500,
        }),
      }),
    ]);
    const info = prop(host, 'hardware.systemInfo') as {
      uuid: string;
      otherIdentifyingInfo: { identifierValue: string; identifierType: { key: string } }[];
    };
    expect(info.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(info.otherIdentifyingInfo.find((i) => i.identifierType.key === 'ServiceTag')?.identifierValue).toEqual(expect.any(String));

    const cluster = all.find((o) => o.obj.type === 'ClusterComputeResource')!;
    expect(prop(cluster, 'configurationEx')).toMatchObject({ _type: 'ClusterConfigInfoEx', drsConfig: { enabled: true } });
    expect(prop(cluster, 'host')).toHaveLength(MODEL.hostsPerCluster);
  });

  it('uses a paging token once only', async () => {
    const first = await client.retrievePropertiesExPage([containerViewSpec(view, INVENTORY)], { maxObjects: 2 });
    await client.continueRetrievePropertiesEx(first.token!);
    await expect(client.continueRetrievePropertiesEx(first.token!)).rejects.toBeInstanceOf(InvalidArgumentFault);
  });

  it('cancels the rest of the result on the server when the consumer stops early', async () => {
    const first = await client.retrievePropertiesExPage([containerViewSpec(view, INVENTORY)], { maxObjects: 2 });
    await client.cancelRetrievePropertiesEx(first.token!);
    await expect(client.continueRetrievePropertiesEx(first.token!)).rejects.toBeInstanceOf(InvalidArgumentFault);

    const calls = vi.spyOn(client.session, 'call');
    let taken = 0;
    for await (const _ of client.retrievePropertiesEx([containerViewSpec(view, INVENTORY)], { maxObjects: 3 })) if (++taken === 2) break;
    const cancel = calls.mock.calls.find(([method]) => method === 'CancelRetrievePropertiesEx');
    calls.mockRestore();
    expect(cancel).toBeDefined();
    const token = (cancel![2] as { token: string }).token;
    await expect(client.continueRetrievePropertiesEx(token)).rejects.toBeInstanceOf(InvalidArgumentFault);
  });

  it('returns nothing, without a token, for a view that holds nothing of the asked type', async () => {
    const empty = await client.createContainerView(['Datastore']);
    const page = await client.retrievePropertiesExPage([containerViewSpec(empty, { VirtualApp: ['name'] })]);
    expect(page).toEqual({ objects: [] });
    await client.destroyView(empty);
  });
});
