import { describe, expect, it } from 'vitest';
import { type InventoryObject, VCenterInstanceCreate } from '../../shared/domain/vcenter';
import type { Item } from '../../shared/ports/store';
import type { VCenterClient } from '../../shared/ports/vcenter';
import { observationsAt } from '../../shared/records/ip-observations';
import { findingsAt } from '../../shared/records/ipam-findings';
import { getInventory, putInventory, vcenterInstances } from '../../shared/records/vcenter';
import { deltaOrFull, fullSync } from '../../shared/usecases/vcenter-sync';
import { instanceRecord, storedRecord } from '../support/fake-vcenter';
import { type RecordingQueue, unitDeps } from '../support/fakes';
import { MemoryStore } from '../support/memory-store';

const instance = instanceRecord('vc-001', '2026-11-23T10:00:00.000Z');

const vm: InventoryObject = {
  kind: 'vm',
  moref: 'vm-7',
  name: 'app-01',
  data: { name: 'app-01', power_state: 'poweredOn', host: 'host-1', host_name: undefined, cluster: undefined, cluster_name: undefined },
  ips: [{ address: '10.1.2.3', mac: '00:50:56:aa:bb:cc', hostname: 'app-01.corp', hardware_ids: { vm_uuid: 'u-7' } }],
  placement: { host: 'host-1' },
};
const host: InventoryObject = {
  kind: 'host',
  moref: 'host-1',
  name: 'esx01',
  data: { name: 'esx01', cluster: 'domain-c1', cluster_name: undefined },
  ips: [],
  placement: { cluster: 'domain-c1' },
};
const cluster: InventoryObject = {
  kind: 'cluster',
  moref: 'domain-c1',
  name: 'prod',
  data: { name: 'prod', hosts: ['host-1'] },
  ips: [],
  placement: { hosts: ['host-1'] },
};

/** The vCenter port's client, faked: a full read hands over `objects`, one page each, a delta `changed`. */
function fakeClient(objects: InventoryObject[], changed: InventoryObject[] = []): VCenterClient {
  return {
    readInventory: async (onPage) => {
      for (const [i, o] of objects.entries()) await onPage?.([o], i + 1);
      return { objects, checkpoint: { version: '1', session: '{}' }, discard: async () => undefined };
    },
    readChanges: async () => ({ objects: changed, removed: [], version: '2' }),
    releaseCheckpoint: async () => undefined,
  } as Partial<VCenterClient> as VCenterClient;
}

describe('vCenter inventory records', () => {
  it("fills in the names of a VM's host and cluster and of a host's cluster: from the same sync, else from stored records", async () => {
    const deps = unitDeps();
    await vcenterInstances.create(deps.store, instance);
    const full = await fullSync(deps, fakeClient([cluster, host, vm]), instance);
    expect(full.changes).toMatchObject({ written: 3, ip_observations: 1 });
    expect((await getInventory(deps.store, 'vc-001', 'vm', 'vm-7'))?.data).toMatchObject({
      host_name: 'esx01',
      cluster: 'domain-c1',
      cluster_name: 'prod',
    });
    expect((await getInventory(deps.store, 'vc-001', 'host', 'host-1'))?.data).toMatchObject({ cluster_name: 'prod' });

    // A delta where only the VM changed: its host and cluster come from the stored records.
    const off = { ...vm, data: { ...vm.data, power_state: 'poweredOff' } };
    const delta = await deltaOrFull(deps, fakeClient([], [off]), await vcenterInstances.get(deps.store, 'vc-001'));
    expect(delta).toMatchObject({ executed: 'delta', changes: { written: 1 } });
    expect((await getInventory(deps.store, 'vc-001', 'vm', 'vm-7'))?.data).toMatchObject({
      power_state: 'poweredOff',
      host_name: 'esx01',
      cluster_name: 'prod',
    });
  });

  it('writes the same records whatever order the pages bring the objects in, VMs before their host and cluster included', async () => {
    const inOrder = unitDeps();
    const reversed = unitDeps();
    for (const deps of [inOrder, reversed]) await vcenterInstances.create(deps.store, instance);
    await fullSync(inOrder, fakeClient([cluster, host, vm]), instance);
    expect((await fullSync(reversed, fakeClient([vm, host, cluster]), instance)).changes).toMatchObject({ written: 3, ip_observations: 1 });
    for (const [kind, moref] of [
      ['vm', 'vm-7'],
      ['host', 'host-1'],
      ['cluster', 'domain-c1'],
    ] as const)
      expect(await getInventory(reversed.store, 'vc-001', kind, moref)).toEqual(await getInventory(inOrder.store, 'vc-001', kind, moref));
  });

  it('writes only what changed: the same objects again are unchanged, an object no longer read is deleted', async () => {
    const deps = unitDeps();
    await vcenterInstances.create(deps.store, instance);
    await putInventory(deps.store, storedRecord('vm', 'vm-gone'));
    expect((await fullSync(deps, fakeClient([cluster, host, vm]), instance)).changes).toMatchObject({ written: 3, deleted: 1 });
    const again = await fullSync(deps, fakeClient([cluster, host, vm]), instance);
    expect(again).toEqual({
      counts: { datacenters: 0, clusters: 1, hosts: 1, vms: 1, datastores: 0 },
      changes: { written: 0, reconfirmed: 0, unchanged: 3, deleted: 0, ip_observations: 0 },
    });
  });

  it('reads a record written before data was kept as text (a map) the same, and a sync finds it unchanged', async () => {
    const deps = unitDeps();
    await vcenterInstances.create(deps.store, instance);
    await fullSync(deps, fakeClient([cluster, host, vm]), instance);
    const asText = await getInventory(deps.store, 'vc-001', 'vm', 'vm-7');
    const key = { pk: 'VCINV#vc-001', sk: 'vm#vm-7' };
    const item = (await deps.store.get(key))!;
    expect(typeof item.data).toBe('string');
    await deps.store.put({ ...item, data: asText!.data });
    expect(await getInventory(deps.store, 'vc-001', 'vm', 'vm-7')).toEqual(asText);
    expect((await fullSync(deps, fakeClient([cluster, host, vm]), instance)).changes).toMatchObject({ written: 0, unchanged: 3 });
  });

  it('a full sync queues one IPAM full pass for the addresses it wrote instead of reconciling each; a delta does its own', async () => {
    const deps = unitDeps();
    const sent = (deps.queue as unknown as RecordingQueue).sent;
    await vcenterInstances.create(deps.store, instance);
    const twin = {
      ...vm,
      moref: 'vm-8',
      name: 'app-02',
      ips: [{ ...vm.ips[0]!, mac: '00:50:56:aa:bb:dd', hardware_ids: { vm_uuid: 'u-8' } }],
    };
    await fullSync(deps, fakeClient([cluster, host, vm, twin]), instance);
    expect(sent.map((m) => [m.queue, JSON.parse(m.message.body).task])).toEqual([['ipam', 'ipam-reconcile']]);
    expect(await findingsAt(deps.store, '10.1.2.3')).toEqual([]); // left to that pass
    expect((await fullSync(deps, fakeClient([cluster, host, vm, twin]), instance)).changes).toMatchObject({ ip_observations: 0 });
    expect(sent).toHaveLength(1); // nothing written, nothing to reconcile

    const moved = { ...twin, data: { ...twin.data, power_state: 'suspended' } };
    await deltaOrFull(deps, fakeClient([], [moved]), await vcenterInstances.get(deps.store, 'vc-001'));
    expect(sent).toHaveLength(1);
    expect(await findingsAt(deps.store, '10.1.2.3')).toEqual([expect.objectContaining({ type: 'duplicate_usage', status: 'open' })]);
  });

  it("a full sync re-confirms unchanged objects written over half of IPAM's live window ago: their addresses stay live", async () => {
    const deps = unitDeps();
    await vcenterInstances.create(deps.store, instance);
    await fullSync(deps, fakeClient([cluster, host, vm]), instance);
    deps.clock.advance(12 * 3_600_000); // under half of the 26-hour window: nothing to write
    expect((await fullSync(deps, fakeClient([cluster, host, vm]), instance)).changes).toMatchObject({ written: 0, unchanged: 3 });
    deps.clock.advance(12 * 3_600_000); // the next night's sync
    expect((await fullSync(deps, fakeClient([cluster, host, vm]), instance)).changes).toEqual({
      written: 3,
      reconfirmed: 3,
      unchanged: 0,
      deleted: 0,
      ip_observations: 1,
    });
    expect(await observationsAt(deps.store, '10.1.2.3')).toEqual([
      expect.objectContaining({ first_seen: '2026-11-23T10:00:00.000Z', last_seen: '2026-11-24T10:00:00.000Z' }),
    ]);
    // A delta never re-confirms: it sees only what changed.
    deps.clock.advance(24 * 3_600_000);
    const delta = await deltaOrFull(deps, fakeClient([], [vm]), await vcenterInstances.get(deps.store, 'vc-001'));
    expect(delta).toMatchObject({ executed: 'delta', changes: { written: 0, reconfirmed: 0, unchanged: 1 } });
  });

  it("keeps the full read's checkpoint for the next delta; an IP observation keeps first_seen when a later sync rewrites it", async () => {
    const deps = unitDeps();
    await vcenterInstances.create(deps.store, instance);
    await fullSync(deps, fakeClient([cluster, host, vm]), instance);
    expect((await vcenterInstances.get(deps.store, 'vc-001')).sync_state).toMatchObject({ collector_version: '1' });
    expect(await deps.secrets.get('vcenter-sessions/vc-001')).toBe('{}');
    deps.clock.advance(3_600_000);
    const moved = { ...vm, data: { ...vm.data, power_state: 'suspended' } };
    expect((await fullSync(deps, fakeClient([cluster, host, moved]), instance)).changes).toMatchObject({ written: 1, ip_observations: 1 });
    expect(await observationsAt(deps.store, '10.1.2.3')).toEqual([
      expect.objectContaining({
        entity_ref: 'vc-001/vm-7',
        first_seen: '2026-11-23T10:00:00.000Z',
        last_seen: '2026-11-23T11:00:00.000Z',
        hardware_ids: { vm_uuid: 'u-7' },
      }),
    ]);
  });

  it('a full sync whose writes fail frees the read (its collector) and keeps no checkpoint', async () => {
    const deps = {
      ...unitDeps(),
      store: new (class extends MemoryStore {
        override async putMany(_items: Item[]) {
          throw new Error('Store putMany left 3 of 3 items unwritten: throttled');
        }
      })(),
    };
    await vcenterInstances.create(deps.store, instance);
    let discarded = false;
    const vc = fakeClient([cluster, host, vm]);
    vc.readInventory = async (onPage) => {
      await onPage?.([cluster, host, vm], 3);
      return {
        objects: [cluster, host, vm],
        checkpoint: { version: '1', session: '{}' },
        discard: async () => {
          discarded = true;
        },
      };
    };
    await expect(fullSync(deps, vc, instance)).rejects.toThrow(/unwritten/);
    expect(discarded).toBe(true);
    expect((await vcenterInstances.get(deps.store, 'vc-001')).sync_state).toBeUndefined();
  });

  it('stops reading once the store refused a page it was handed', async () => {
    const deps = {
      ...unitDeps(),
      store: new (class extends MemoryStore {
        override async putMany(_items: Item[]) {
          throw new Error('Store putMany left 1 of 1 items unwritten: throttled');
        }
      })(),
    };
    await vcenterInstances.create(deps.store, instance);
    const vc = fakeClient([]);
    let handed = 0;
    vc.readInventory = async (onPage) => {
      for (const page of [[cluster], [host], [vm]]) {
        handed++;
        await onPage?.(page, handed);
        await new Promise((next) => setImmediate(next)); // the queued write has settled by the next page
      }
      return { objects: [cluster, host, vm], checkpoint: { version: '1', session: '{}' }, discard: async () => undefined };
    };
    await expect(fullSync(deps, vc, instance)).rejects.toThrow(/unwritten/);
    expect(handed).toBe(2);
  });

  it('TLS policy must be explicit: exactly one of CA, pin/TOFU, insecure', () => {
    const base = { url: 'https://vc01.example.com/sdk', site_id: 'site-1', service_identity_id: 'si-1' };
    expect(VCenterInstanceCreate.safeParse({ ...base, tls: { insecure: true } }).success).toBe(true);
    expect(VCenterInstanceCreate.safeParse({ ...base, tls: { trust_on_first_use: true } }).success).toBe(true);
    expect(VCenterInstanceCreate.safeParse({ ...base, tls: { pinned_thumbprint: `${'AB:'.repeat(31)}AB` } }).success).toBe(true);
    expect(VCenterInstanceCreate.safeParse({ ...base, tls: {} }).success).toBe(false);
    expect(VCenterInstanceCreate.safeParse({ ...base, tls: { insecure: false } }).success).toBe(false);
    expect(VCenterInstanceCreate.safeParse({ ...base, tls: { insecure: true, ca_pem: 'x' } }).success).toBe(false);
    expect(VCenterInstanceCreate.safeParse({ ...base, url: 'https://user:pw@vc/sdk', tls: { insecure: true } }).success).toBe(false);
    expect(VCenterInstanceCreate.safeParse({ ...base, url: 'https://vc/api', tls: { insecure: true } }).success).toBe(false);
  });
});
