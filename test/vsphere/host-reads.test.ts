import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VSphereInstanceClient } from '../../shared/adapters/vsphere';
import type { InventoryObject } from '../../shared/domain/vcenter';
import { startVcsim, type Vcsim } from '../support/vcsim';
import { clientFor } from './helpers';

/**
 * The live read a host maintenance job plans from (readHostsWithVms): some hosts and the VMs on them as vCenter
 * has them now, with the fields a full read keeps. Also the VM power changes the job makes and watches through
 * that read: a guest shutdown, a resume, a suspend.
 */
let sim: Vcsim;
let vc: VSphereInstanceClient;
let hostIds: string[];

/** Everything, through a full read. */
async function fullRead(): Promise<InventoryObject[]> {
  const snapshot = await vc.readInventory();
  await snapshot.discard();
  return snapshot.objects;
}

beforeAll(async () => {
  sim = await startVcsim({ clusters: 1, hostsPerCluster: 3, vmsPerHost: 2 });
  vc = new VSphereInstanceClient(clientFor(sim));
  hostIds = (await fullRead()).filter((o) => o.kind === 'host').map((o) => o.moref);
}, 120_000);

afterAll(async () => {
  await vc?.close();
  await sim?.stop();
});

const byId = (objects: InventoryObject[]) => [...objects].sort((a, b) => a.moref.localeCompare(b.moref));
const vmsOn = (objects: InventoryObject[], host: string) =>
  objects
    .filter((o) => o.kind === 'vm' && o.placement?.host === host)
    .map((o) => o.moref)
    .sort();
const vmNow = async (vm: string, host: string) => (await vc.readHostsWithVms([host])).find((o) => o.moref === vm);

/** Reads the VM on its host until `done` holds: what vCenter does after a call returns is watched, not timed. */
async function until(vm: string, host: string, done: (o: InventoryObject | undefined) => boolean, what: string) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const o = await vmNow(vm, host);
    if (done(o)) return o;
    if (Date.now() > deadline) throw new Error(`${what}: VM ${vm} is still ${JSON.stringify(o?.data.power_state)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A powered-on VM and its host, read now (each test leaves the VMs as it wants them). */
async function poweredOnVm(): Promise<{ vm: string; host: string }> {
  const vm = (await vc.readHostsWithVms(hostIds)).find((o) => o.kind === 'vm' && o.data.power_state === 'poweredOn');
  if (!vm?.placement?.host) throw new Error('no powered-on VM');
  return { vm: vm.moref, host: vm.placement.host };
}

/** A host that runs VMs now (vcsim places them at random). */
async function hostWithVms(): Promise<string> {
  const read = await vc.readHostsWithVms(hostIds);
  const host = hostIds.find((h) => vmsOn(read, h).length > 0);
  if (!host) throw new Error('no host with VMs');
  return host;
}

describe('reading hosts and their VMs live', () => {
  it('answers each host and exactly the VMs on it, with the fields of a full read', async () => {
    const full = await fullRead();
    const read = await vc.readHostsWithVms(hostIds);
    expect(byId(read)).toEqual(byId(full.filter((o) => o.kind === 'host' || o.kind === 'vm')));
    for (const id of hostIds) expect(vmsOn(read, id)).toEqual(vmsOn(full, id));

    const one = await hostWithVms();
    const onlyOne = await vc.readHostsWithVms([one]);
    expect(onlyOne.filter((o) => o.kind === 'host').map((o) => o.moref)).toEqual([one]);
    expect(
      onlyOne
        .filter((o) => o.kind === 'vm')
        .map((o) => o.moref)
        .sort(),
    ).toEqual(vmsOn(full, one));
  });

  it('shows a VM on its new host once it was relocated there', async () => {
    const from = await hostWithVms();
    const to = hostIds.find((h) => h !== from)!;
    const vm = vmsOn(await vc.readHostsWithVms([from]), from)[0]!;
    await vc.waitForTask(await vc.relocateVm(vm, { host: to }));

    const read = await vc.readHostsWithVms([from, to]);
    expect(vmsOn(read, from)).not.toContain(vm);
    expect(vmsOn(read, to)).toContain(vm);
    expect(read.find((o) => o.moref === vm)?.data.host).toBe(to);
  });

  it('leaves out a host vCenter does not know, without failing the read of the others', async () => {
    const known = await hostWithVms();
    const read = await vc.readHostsWithVms(['host-999999', known]);
    expect(read.filter((o) => o.kind === 'host').map((o) => o.moref)).toEqual([known]);
    expect(vmsOn(read, known).length).toBeGreaterThan(0);
    expect(await vc.readHostsWithVms(['host-999999'])).toEqual([]);
    expect(await vc.readHostsWithVms([])).toEqual([]);
  });
});

describe('VM power changes a maintenance job makes, as the live read shows them', () => {
  it('a guest shutdown powers the VM off, which the live read shows', async () => {
    const { vm, host } = await poweredOnVm();
    await vc.shutdownGuest(vm);
    const off = await until(vm, host, (o) => o?.data.power_state === 'poweredOff', 'guest shutdown');
    expect(off?.placement?.host).toBe(host);
  });

  it('powering on a suspended VM resumes it', async () => {
    const { vm, host } = await poweredOnVm();
    await vc.waitForTask(await vc.suspendVm(vm));
    expect((await vmNow(vm, host))?.data.power_state).toBe('suspended');

    await vc.waitForTask(await vc.powerOnVm(vm));
    expect((await vmNow(vm, host))?.data.power_state).toBe('poweredOn');
  });

  it('suspends and powers on again on the host it was suspended on', async () => {
    const { vm, host } = await poweredOnVm();
    const suspending = await vc.suspendVm(vm);
    expect(await vc.waitForTask(suspending)).toMatchObject({ description_id: 'VirtualMachine.suspend', entity: vm, state: 'success' });
    expect((await vmNow(vm, host))?.data.power_state).toBe('suspended');

    const resuming = await vc.powerOnVm(vm, { host });
    expect(await vc.waitForTask(resuming)).toMatchObject({ description_id: 'VirtualMachine.powerOn', entity: vm, state: 'success' });
    const on = await vmNow(vm, host);
    expect(on).toMatchObject({ placement: { host }, data: { power_state: 'poweredOn' } });
  });
});
