import { beforeEach, describe, expect, it } from 'vitest';
import type { DellEndpoint } from '../../shared/domain/dell-endpoint';
import { linkOf, serverIdsOfHost } from '../../shared/domain/host-idrac-link';
import { SiteCreate } from '../../shared/domain/site';
import type { InventoryObject } from '../../shared/domain/vcenter';
import type { Key, QueryInput } from '../../shared/ports/store';
import type { VCenterClient } from '../../shared/ports/vcenter';
import { dellEndpoints } from '../../shared/records/dell-endpoints';
import { putInventory, vcenterInstances } from '../../shared/records/vcenter';
import { recordHardwareIds } from '../../shared/usecases/dell-conflicts';
import { createDellEndpoint, deleteDellEndpoint, getDellEndpoint } from '../../shared/usecases/dell-endpoints';
import { idracOfHost, idracsOfCluster, linkSyncedHosts, relinkHostsOfEndpoint } from '../../shared/usecases/host-idrac-links';
import { createSite } from '../../shared/usecases/sites';
import { listInventory } from '../../shared/usecases/vcenter-inventory';
import { fullSync } from '../../shared/usecases/vcenter-sync';
import { instanceRecord, storedRecord } from '../support/fake-vcenter';
import { unitDeps } from '../support/fakes';
import { MemoryStore } from '../support/memory-store';

/** Counts the store operations made, so a test can say "constant, whatever the inventory holds". */
class CountingStore extends MemoryStore {
  ops = 0;
  override get(key: Key) {
    this.ops++;
    return super.get(key);
  }
  override getMany(keys: Key[]) {
    this.ops++;
    return super.getMany(keys);
  }
  override query(input: QueryInput) {
    this.ops++;
    return super.query(input);
  }
}

const instance = instanceRecord('vc-001', '2026-11-23T10:00:00.000Z');
const UUID_A = '4c4c4544-0041-3110-8052-b4c04f4d4433';

const hostObject = (moref: string, fields: Record<string, unknown> = {}): InventoryObject => ({
  kind: 'host',
  moref,
  name: `esx-${moref}`,
  data: { name: `esx-${moref}`, ...fields, cluster: 'domain-c1', cluster_name: undefined },
  ips: [],
  placement: { cluster: 'domain-c1' },
});
const clusterObject = (hosts: string[]): InventoryObject => ({
  kind: 'cluster',
  moref: 'domain-c1',
  name: 'prod',
  data: { name: 'prod', hosts },
  ips: [],
  placement: { hosts },
});

/** A full sync that reads exactly these objects. */
async function sync(objects: InventoryObject[]) {
  const client = {
    readInventory: async (onPage?: (page: InventoryObject[], n: number) => Promise<void>) => {
      await onPage?.(objects, 1);
      return { objects, checkpoint: { version: '1', session: '{}' }, discard: async () => undefined };
    },
    releaseCheckpoint: async () => undefined,
  } as Partial<VCenterClient> as VCenterClient;
  await fullSync(deps, client, await vcenterInstances.get(deps.store, 'vc-001'));
}

let deps: ReturnType<typeof unitDeps> & { store: CountingStore };

/** An endpoint at `address`; with `server`, as if an inventory had just reported it (what a refresh records). */
async function endpoint(address: string, server?: Partial<Pick<DellEndpoint, 'service_tag' | 'system_uuid'>>) {
  const created = await createDellEndpoint(deps, { address, site_id: 'site-lab', tls: { insecure: true, legacy: false } }, 'alice');
  if (!server) return created;
  const inspected = await dellEndpoints.update(deps.store, created.id, (c) => ({ ...c, ...server, status: 'reachable' }));
  const { endpoint: after } = await recordHardwareIds(deps, created, inspected);
  await relinkHostsOfEndpoint(deps, created, after);
  return after;
}

beforeEach(async () => {
  deps = { ...unitDeps(), store: new CountingStore() };
  await createSite(deps, SiteCreate.parse({ id: 'site-lab', name: 'lab', management_networks: ['10.9.0.0/24'] }), 'alice');
  await vcenterInstances.create(deps.store, instance);
});

describe('which identities a host offers', () => {
  it('normalises them as endpoints report them and leaves placeholders out', () => {
    expect(
      serverIdsOfHost({
        service_tag: ' abc1234 ',
        hardware_uuid: UUID_A.toUpperCase(),
        bmc_mac: 'D0-94-66-AA-BB-CC',
        bmc_address: '10.0.0.9',
      }),
    ).toEqual([
      { kind: 'service_tag', value: 'ABC1234' },
      { kind: 'system_uuid', value: UUID_A },
      { kind: 'bmc_mac', value: 'd0:94:66:aa:bb:cc' },
      { kind: 'bmc_address', value: '10.0.0.9' },
    ]);
    // What vcsim and virtual platforms report: no Dell service tag, no real UUID or BMC.
    expect(
      serverIdsOfHost({
        service_tag: 'VMware-56 4d 8d e8 1e 9f a1 3e-71 fa 13 a8 e1 a7 fd 70',
        hardware_uuid: '00000000-0000-0000-0000-000000000000',
        bmc_address: '0.0.0.0',
      }),
    ).toEqual([]);
  });

  it('one endpoint sharing an identity is the link, strongest basis first; none or two are said as such', () => {
    const host = [
      { kind: 'service_tag', value: 'ABC1234' },
      { kind: 'bmc_address', value: '10.0.0.9' },
    ] as const;
    const a = { endpoint_id: 'idrac-a', address: '10.0.0.9', ids: [{ kind: 'bmc_address', value: '10.0.0.9' }, host[0]] as never };
    expect(linkOf([...host], [a])).toEqual({
      status: 'linked',
      endpoint_id: 'idrac-a',
      address: '10.0.0.9',
      basis: [host[0], host[1]],
    });
    expect(linkOf([...host], [{ endpoint_id: 'idrac-x', address: '10.0.0.7', ids: [{ kind: 'service_tag', value: 'ZZZ9999' }] }])).toEqual({
      status: 'none',
      looked_for: [...host],
    });
    const b = { endpoint_id: 'idrac-b', address: '10.0.0.8', ids: [host[0]] };
    expect(linkOf([...host], [b, a])).toMatchObject({
      status: 'ambiguous',
      candidates: [{ endpoint_id: 'idrac-a' }, { endpoint_id: 'idrac-b', basis: [host[0]] }],
    });
  });
});

describe('host ↔ iDRAC links', () => {
  it('a host synced before its iDRAC was inventoried is linked when the refresh writes; both views show it', async () => {
    await sync([clusterObject(['host-1']), hostObject('host-1', { service_tag: 'ABC1234' })]);
    expect(await idracOfHost(deps, 'vc-001/host-1')).toEqual({ status: 'none', looked_for: [{ kind: 'service_tag', value: 'ABC1234' }] });

    const ep = await endpoint('10.9.0.1', { service_tag: 'ABC1234' });
    const hosts = await listInventory(deps, 'vc-001', 'host', { limit: 50 });
    expect(hosts.items[0]).toMatchObject({
      idrac: { status: 'linked', endpoint_id: ep.id, basis: [{ kind: 'service_tag', value: 'ABC1234' }] },
    });
    expect((await getDellEndpoint(deps, ep.id)).vcenter_hosts).toEqual([
      { host_id: 'vc-001/host-1', name: 'esx-host-1', status: 'linked', basis: [{ kind: 'service_tag', value: 'ABC1234' }] },
    ]);
  });

  it('a host synced after its iDRAC links at the sync, by system UUID or by the BMC address vCenter reports', async () => {
    const byUuid = await endpoint('10.9.0.1', { system_uuid: UUID_A });
    const byBmc = await endpoint('10.9.0.2');
    await sync([
      clusterObject(['host-1', 'host-2']),
      hostObject('host-1', { hardware_uuid: UUID_A.toUpperCase() }),
      hostObject('host-2', { bmc_address: '10.9.0.2' }),
    ]);
    expect(await idracsOfCluster(deps, 'vc-001/domain-c1')).toEqual([
      {
        host_id: 'vc-001/host-1',
        name: 'esx-host-1',
        link: { status: 'linked', endpoint_id: byUuid.id, address: '10.9.0.1', basis: [{ kind: 'system_uuid', value: UUID_A }] },
      },
      {
        host_id: 'vc-001/host-2',
        name: 'esx-host-2',
        link: { status: 'linked', endpoint_id: byBmc.id, address: '10.9.0.2', basis: [{ kind: 'bmc_address', value: '10.9.0.2' }] },
      },
    ]);
    await expect(idracsOfCluster(deps, 'vc-001/domain-c404')).rejects.toThrow("vCenter cluster 'vc-001/domain-c404' does not exist");
    await expect(idracOfHost(deps, 'vc-001/host-404')).rejects.toThrow("vCenter host 'vc-001/host-404' does not exist");
  });

  it('two iDRACs reporting the server make the host ambiguous; deleting one links it to the other', async () => {
    const a = await endpoint('10.9.0.1', { service_tag: 'ABC1234' });
    const b = await endpoint('10.9.0.2', { service_tag: 'ABC1234' });
    await sync([clusterObject(['host-1']), hostObject('host-1', { service_tag: 'ABC1234' })]);
    expect(await idracOfHost(deps, 'vc-001/host-1')).toMatchObject({
      status: 'ambiguous',
      candidates: [a.id, b.id].sort().map((endpoint_id) => ({ endpoint_id })),
    });
    expect((await getDellEndpoint(deps, b.id)).vcenter_hosts).toMatchObject([{ host_id: 'vc-001/host-1', status: 'ambiguous' }]);

    await deleteDellEndpoint(deps, b.id);
    expect((await listInventory(deps, 'vc-001', 'host', { limit: 50 })).items[0]).toMatchObject({
      idrac: { status: 'linked', endpoint_id: a.id },
    });
  });

  it('a host whose identity changes moves to its new iDRAC; a host gone from vCenter leaves no link behind', async () => {
    const old = await endpoint('10.9.0.1', { service_tag: 'OLD0001' });
    const replacement = await endpoint('10.9.0.2', { service_tag: 'NEW0002' });
    await sync([clusterObject(['host-1']), hostObject('host-1', { service_tag: 'OLD0001' })]);
    await sync([clusterObject(['host-1']), hostObject('host-1', { service_tag: 'NEW0002' })]);
    expect(await idracOfHost(deps, 'vc-001/host-1')).toMatchObject({ status: 'linked', endpoint_id: replacement.id });
    expect((await getDellEndpoint(deps, old.id)).vcenter_hosts).toEqual([]);

    await sync([clusterObject([])]);
    expect((await getDellEndpoint(deps, replacement.id)).vcenter_hosts).toEqual([]);
    expect(await deps.store.query({ pk: 'HOSTLINK#vc-001/host-1', limit: 10 })).toEqual({ items: [] });
    expect(await deps.store.query({ pk: 'HOSTHW#service_tag#NEW0002', limit: 10 })).toEqual({ items: [] });
  });

  it("an endpoint's relink between a sync's record write and its link step leaves the sync to index the new identity", async () => {
    const old = await endpoint('10.9.0.1', { service_tag: 'OLD0001' });
    await sync([clusterObject(['host-1']), hostObject('host-1', { service_tag: 'OLD0001' })]);
    const moved = { moref: 'host-1', name: 'esx-host-1', data: { service_tag: 'NEW0002' } };
    await putInventory(deps.store, { ...storedRecord('host', 'host-1'), ...moved });
    await relinkHostsOfEndpoint(deps, old, old); // finds the host through its link, reads the new record
    await linkSyncedHosts(deps, 'vc-001', [moved]);
    expect((await deps.store.query({ pk: 'HOSTHW#service_tag#NEW0002', limit: 10 })).items.map((i) => i.sk)).toEqual(['vc-001/host-1']);
    expect((await deps.store.query({ pk: 'HOSTHW#service_tag#OLD0001', limit: 10 })).items).toEqual([]);
    const replacement = await endpoint('10.9.0.2', { service_tag: 'NEW0002' });
    expect(await idracOfHost(deps, 'vc-001/host-1')).toMatchObject({ status: 'linked', endpoint_id: replacement.id });
  });

  it('an endpoint refresh reads the same number of records whatever else the inventory holds', async () => {
    const refreshOps = async () => {
      const ep = (await dellEndpoints.list(deps.store, { limit: 1 })).items[0]!;
      const before = deps.store.ops;
      await relinkHostsOfEndpoint(deps, ep, ep);
      return deps.store.ops - before;
    };
    await endpoint('10.9.0.1', { service_tag: 'ABC1234' });
    await sync([clusterObject(['host-1']), hostObject('host-1', { service_tag: 'ABC1234' })]);
    const few = await refreshOps();
    const many = Array.from({ length: 150 }, (_, i) => hostObject(`host-${i + 2}`, { service_tag: `XYZ${String(i).padStart(4, '0')}` }));
    await sync([clusterObject(['host-1', ...many.map((h) => h.moref)]), hostObject('host-1', { service_tag: 'ABC1234' }), ...many]);
    expect(await refreshOps()).toBe(few);
  });
});
