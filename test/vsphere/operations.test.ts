import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VSphereInstanceClient } from '../../shared/adapters/vsphere';
import type { InventoryObject } from '../../shared/domain/vcenter';
import { VSphereFault, VSphereTaskError } from '../../shared/ports/vcenter';
import { startVcsim, type Vcsim } from '../support/vcsim';
import { clientFor } from './helpers';

/**
 * What host maintenance needs from the vCenter port, against vcsim: tasks and waiting on them, maintenance
 * mode, relocating a VM, VM power operations. (This vcsim's cluster has no fully automated DRS, so a host
 * enters maintenance mode once the caller has moved its VMs; maintenance.test.ts covers the waiting.)
 */
let sim: Vcsim;
let vc: VSphereInstanceClient;
let hosts: InventoryObject[];
let vms: InventoryObject[];

beforeAll(async () => {
  sim = await startVcsim({ clusters: 1, hostsPerCluster: 2, vmsPerHost: 2 });
  vc = new VSphereInstanceClient(clientFor(sim));
  const snapshot = await vc.readInventory();
  await snapshot.discard();
  hosts = snapshot.objects.filter((o) => o.kind === 'host');
  vms = snapshot.objects.filter((o) => o.kind === 'vm');
}, 120_000);

afterAll(async () => {
  await vc?.close();
  await sim?.stop();
});

const hostProperty = async (host: string, path: string) => (await vc.soap.getProperties({ type: 'HostSystem', value: host }, [path]))[path];
const vmProperty = async (vm: string, path: string) => (await vc.soap.getProperties({ type: 'VirtualMachine', value: vm }, [path]))[path];

describe('vCenter tasks and host maintenance', () => {
  it('enters and exits maintenance mode through tasks, each waited on to success with what it did', async () => {
    const host = hosts[0]!.moref;
    const other = hosts[1]!.moref;
    for (const vm of vms.filter((v) => v.placement?.host === host)) await vc.waitForTask(await vc.relocateVm(vm.moref, { host: other }));
    const entering = await vc.enterMaintenanceMode(host, { timeoutSeconds: 600 });
    expect(entering).toMatch(/^task-\d+$/);
    const done = await vc.waitForTask(entering);
    expect(done).toMatchObject({
      id: entering,
      description_id: 'HostSystem.enterMaintenanceMode',
      entity: host,
      state: 'success',
      queued_at: expect.any(String),
      completed_at: expect.any(String),
    });
    expect(done.error).toBeUndefined();
    expect(await hostProperty(host, 'runtime.inMaintenanceMode')).toBe(true);
    expect(await vc.taskInfo(entering)).toEqual(done); // one look at an ended task says the same

    const exiting = await vc.exitMaintenanceMode(host);
    expect(await vc.waitForTask(exiting)).toMatchObject({ description_id: 'HostSystem.exitMaintenanceMode', state: 'success' });
    expect(await hostProperty(host, 'runtime.inMaintenanceMode')).toBe(false);
  });

  it('relocates a VM to another host of its cluster', async () => {
    const vm = vms[0]!;
    const from = ((await vmProperty(vm.moref, 'runtime.host')) as { value: string }).value;
    const to = hosts.find((h) => h.moref !== from)!.moref;
    const task = await vc.relocateVm(vm.moref, { host: to }, 'highPriority');
    // vCenter names it VirtualMachine.relocate, vcsim VirtualMachine.relocateVm.
    const done = await vc.waitForTask(task);
    expect(done).toMatchObject({ description_id: expect.stringMatching(/^VirtualMachine\.relocate/), entity: vm.moref, state: 'success' });
    expect(await vmProperty(vm.moref, 'runtime.host')).toEqual({ type: 'HostSystem', value: to });
  });
});

describe('VM power operations', () => {
  it('powers off, on, suspends, shuts down the guest; powering off a VM already off fails its task with InvalidPowerState', async () => {
    const vm = vms[1]!.moref;
    const power = () => vmProperty(vm, 'runtime.powerState');
    expect(await power()).toBe('poweredOn');

    await vc.waitForTask(await vc.powerOffVm(vm));
    expect(await power()).toBe('poweredOff');
    const again = await vc.waitForTask(await vc.powerOffVm(vm)).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(VSphereTaskError);
    expect(again).toMatchObject({ faultType: 'InvalidPowerState', info: { state: 'error', error: { fault_type: 'InvalidPowerState' } } });
    expect((again as Error).message).toMatch(/^Task task-\d+ failed: /);

    const on = (await vmProperty(vm, 'runtime.host')) as { value: string };
    await vc.waitForTask(await vc.powerOnVm(vm, { host: on.value }));
    expect(await power()).toBe('poweredOn');
    await vc.waitForTask(await vc.suspendVm(vm));
    expect(await power()).toBe('suspended');
    await vc.waitForTask(await vc.powerOnVm(vm));
    expect(await power()).toBe('poweredOn');

    // ShutdownGuest is no task: it asks the guest and returns; the power state says when it is done.
    await vc.shutdownGuest(vm);
    expect(await power()).toBe('poweredOff');
    const offAlready = await vc.shutdownGuest(vm).catch((e: unknown) => e);
    expect(offAlready).toBeInstanceOf(VSphereFault);
    expect(offAlready).toMatchObject({ faultType: 'InvalidPowerState' });
  });
});
