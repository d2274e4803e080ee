import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VSphereInstanceClient } from '../../shared/adapters/vsphere';
import { startVcsim, type Vcsim } from '../support/vcsim';
import { clientFor } from './helpers';

/**
 * VM migration against vcsim as vCenter validates it (scripts/vcsim/migration.go): a VM that cannot move
 * fails RelocateVM_Task / MigrateVM_Task with vCenter's fault and stays where it is; with -task-delay a
 * migration runs until it is done or canceled, and a canceled one leaves the VM where it was.
 */
let sim: Vcsim;
let vc: VSphereInstanceClient;
let hosts: Record<string, string>;
let movable: string[];
const pinnedFor = (reason: string) => Object.entries(sim.pinned).find(([, r]) => r === reason)![0];

beforeAll(async () => {
  sim = await startVcsim({ hostsPerCluster: 3, vmsPerHost: 2, pinnedVms: ['cdrom', 'usb', 'serial', 'passthrough', 'local-disk'] });
  vc = new VSphereInstanceClient(clientFor(sim));
  const snapshot = await vc.readInventory();
  await snapshot.discard();
  hosts = Object.fromEntries(snapshot.objects.filter((o) => o.kind === 'host').map((h) => [h.name, h.moref]));
  movable = snapshot.objects.filter((o) => o.kind === 'vm' && !(o.moref in sim.pinned)).map((o) => o.moref);
}, 120_000);

afterAll(async () => {
  await vc?.close();
  await sim?.stop();
});

const hostOf = async (vm: string) =>
  ((await vc.soap.getProperties({ type: 'VirtualMachine', value: vm }, ['runtime.host']))['runtime.host'] as { value: string }).value;
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );
const migrate = (vm: string, host: string) =>
  vc.soap.invoke(
    'MigrateVM_Task',
    { type: 'VirtualMachine', value: vm },
    { host: { type: 'HostSystem', value: host }, priority: 'defaultPriority' },
  );

describe('a VM that cannot move', () => {
  it.each([
    ['cdrom', 'CannotAccessVmDevice'],
    ['usb', 'CannotAccessVmDevice'],
    ['serial', 'CannotAccessVmDevice'],
    ['passthrough', 'DisallowedMigrationDeviceAttached'],
    ['local-disk', 'CannotAccessVmDisk'],
  ])('pinned by %s: RelocateVM_Task fails with %s and the VM stays on its host', async (reason, faultType) => {
    const vm = pinnedFor(reason);
    expect(await hostOf(vm)).toBe(hosts.DC0_C0_H0);
    const err = await failure(vc.waitForTask(await vc.relocateVm(vm, { host: hosts.DC0_C0_H1! })));
    expect(err).toMatchObject({ faultType, info: { entity: vm, description_id: 'VirtualMachine.relocate' } });
    expect(await hostOf(vm)).toBe(hosts.DC0_C0_H0);
  });

  it('fails MigrateVM_Task alike, while a VM without such a device migrates', async () => {
    const pinned = pinnedFor('cdrom');
    const task = (await migrate(pinned, hosts.DC0_C0_H1!)) as { value: string };
    expect(await failure(vc.waitForTask(task.value))).toMatchObject({ faultType: 'CannotAccessVmDevice' });

    const vm = movable[0]!;
    const to = (await hostOf(vm)) === hosts.DC0_C0_H1 ? hosts.DC0_C0_H2! : hosts.DC0_C0_H1!;
    const moved = (await migrate(vm, to)) as { value: string };
    expect(await vc.waitForTask(moved.value)).toMatchObject({ state: 'success', description_id: 'VirtualMachine.migrate' });
    expect(await hostOf(vm)).toBe(to);
  });

  it('moves once powered off when only a connected host device held it; a disk on a local datastore holds it still', async () => {
    const cdrom = pinnedFor('cdrom');
    await vc.waitForTask(await vc.powerOffVm(cdrom));
    await vc.waitForTask(await vc.relocateVm(cdrom, { host: hosts.DC0_C0_H1! }));
    expect(await hostOf(cdrom)).toBe(hosts.DC0_C0_H1);

    const local = pinnedFor('local-disk');
    await vc.waitForTask(await vc.powerOffVm(local));
    const err = await failure(vc.waitForTask(await vc.relocateVm(local, { host: hosts.DC0_C0_H1! })));
    expect(err).toMatchObject({ faultType: 'CannotAccessVmDisk' });
    expect(await hostOf(local)).toBe(hosts.DC0_C0_H0);
  });
});

describe('tasks that take time', () => {
  let slow: Vcsim;
  let svc: VSphereInstanceClient;
  beforeAll(async () => {
    // Far longer than any test runs: the tests see these tasks running and end them by canceling.
    slow = await startVcsim({ hostsPerCluster: 2, vmsPerHost: 1, taskDelayMs: 600_000 });
    svc = new VSphereInstanceClient(clientFor(slow));
  }, 120_000);
  afterAll(async () => {
    await svc?.close();
    await slow?.stop();
  });

  it('a migration runs until canceled, then ends with RequestCanceled and the VM where it was', async () => {
    const snapshot = await svc.readInventory();
    await snapshot.discard();
    const vm = snapshot.objects.find((o) => o.kind === 'vm')!;
    const from = vm.placement!.host!;
    const to = snapshot.objects.find((o) => o.kind === 'host' && o.moref !== from)!.moref;

    const task = await svc.relocateVm(vm.moref, { host: to });
    expect(await svc.taskInfo(task)).toMatchObject({ state: 'running', started_at: expect.any(String) });
    await svc.soap.invoke('CancelTask', { type: 'Task', value: task });
    expect(await failure(svc.waitForTask(task))).toMatchObject({ faultType: 'RequestCanceled' });
    const host = (await svc.soap.getProperties({ type: 'VirtualMachine', value: vm.moref }, ['runtime.host']))['runtime.host'];
    expect(host).toEqual({ type: 'HostSystem', value: from });
  });

  it('a power operation cannot be canceled (NotSupported) and keeps running', async () => {
    const snapshot = await svc.readInventory();
    await snapshot.discard();
    const vm = snapshot.objects.filter((o) => o.kind === 'vm').at(-1)!;
    const task = await svc.powerOffVm(vm.moref);
    expect(await failure(svc.soap.invoke('CancelTask', { type: 'Task', value: task }))).toMatchObject({ faultType: 'NotSupported' });
    expect((await svc.taskInfo(task)).state).toBe('running');
  });
});
