import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VSphereInstanceClient } from '../../shared/adapters/vsphere';
import type { InventoryObject } from '../../shared/domain/vcenter';
import { startVcsim, type Vcsim, type VcsimServed } from '../support/vcsim';
import { clientFor } from './helpers';

/**
 * The full read a full sync writes (readInventory): one pass over the inventory through the delta filter's
 * initial WaitForUpdatesEx answer, paged at 1,000 object updates and handed over page by page, whose version
 * the next delta continues from.
 * vcsim holds 1,200 VMs so the answer comes truncated, in pages, as vCenter's would.
 */
let sim: Vcsim;
let vc: VSphereInstanceClient;

beforeAll(async () => {
  sim = await startVcsim({ clusters: 1, hostsPerCluster: 4, vmsPerHost: 300 });
  vc = new VSphereInstanceClient(clientFor(sim));
  await (await vc.readInventory()).discard(); // logs in, so the counts below are the read's alone
}, 180_000);

afterAll(async () => {
  await vc?.close();
  await sim?.stop();
});

const byId = (objects: InventoryObject[]) => [...objects].sort((a, b) => `${a.kind}#${a.moref}`.localeCompare(`${b.kind}#${b.moref}`));
const since = (before: VcsimServed, after: VcsimServed) => ({
  calls: Object.fromEntries(
    Object.entries(after.calls)
      .map(([m, n]) => [m, n - (before.calls[m] ?? 0)])
      .filter(([, n]) => n !== 0),
  ),
  objects_retrieved: after.objects_retrieved - before.objects_retrieved,
  object_updates: after.object_updates - before.object_updates,
});

describe('full inventory read', () => {
  it('sends every object once, through the filter and its paged initial update, with no separate retrieval', async () => {
    const pages: InventoryObject[][] = [];
    const progress: number[] = [];
    const before = await sim.served();
    const snapshot = await vc.readInventory(async (page, n) => {
      pages.push(page);
      progress.push(n);
    });
    const served = since(before, await sim.served());
    await snapshot.discard();
    const counted = (kind: InventoryObject['kind']) => snapshot.objects.filter((o) => o.kind === kind).length;
    expect({ vms: counted('vm'), hosts: counted('host'), clusters: counted('cluster') }).toEqual({ vms: 1200, hosts: 4, clusters: 1 });
    expect(new Set(snapshot.objects.map((o) => o.moref)).size).toBe(snapshot.objects.length);
    expect(served.objects_retrieved).toBe(0);
    expect(served.object_updates).toBe(snapshot.objects.length);
    expect(served.calls).toMatchObject({ CreateFilter: 1, WaitForUpdatesEx: 2 });
    expect(served.calls).not.toHaveProperty('RetrievePropertiesEx');
    expect(progress).toEqual([1000, snapshot.objects.length]);
    expect(pages.flat()).toEqual(snapshot.objects);
    // What VMs are placed on comes first, so their records can be written while the rest is read.
    expect(pages[0]!.filter((o) => o.kind !== 'vm').map((o) => o.kind)).toEqual([
      'datacenter',
      'cluster',
      'host',
      'host',
      'host',
      'host',
      'datastore',
    ]);
  });

  it('holds the fields a read by reference (RetrievePropertiesEx) gives: a delta re-read of an unchanged object hashes alike', async () => {
    const snapshot = await vc.readInventory();
    await snapshot.discard();
    const hosts = snapshot.objects.filter((o) => o.kind === 'host');
    const live = await vc.readHostsWithVms(hosts.map((h) => h.moref));
    expect(byId(live)).toEqual(byId(snapshot.objects.filter((o) => o.kind === 'host' || o.kind === 'vm')));
  });

  it("hands over the checkpoint the next delta continues from; discarding frees the read's collector", async () => {
    const collectors = vc.health().propertyCollectors;
    const snapshot = await vc.readInventory();
    expect(vc.health().propertyCollectors).toBe(collectors + 1);
    const vm = snapshot.objects.find((o) => o.kind === 'vm' && o.data.power_state === 'poweredOn')!;
    await vc.waitForTask(await vc.powerOffVm(vm.moref));
    const changes = await vc.readChanges(snapshot.checkpoint);
    expect(changes.objects.map((o) => [o.moref, o.data.power_state])).toEqual([[vm.moref, 'poweredOff']]);
    expect(changes.version).not.toBe(snapshot.checkpoint.version);
    await snapshot.discard();
    expect(vc.health().propertyCollectors).toBe(collectors);
  });
});
