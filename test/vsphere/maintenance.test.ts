import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VSphereInstanceClient } from '../../shared/adapters/vsphere';
import { VSphereTaskError } from '../../shared/ports/vcenter';
import { startVcsim, type Vcsim, type VcsimOptions } from '../support/vcsim';
import { clientFor } from './helpers';

/**
 * Host maintenance mode against vcsim as vCenter runs it (scripts/vcsim/maintenance.go): EnterMaintenanceMode
 * waits for the host's powered-on VMs to be gone, honours its timeout and can be canceled; in a cluster with
 * fully automated DRS it evacuates what can move, and a VM that cannot move keeps it waiting.
 */
interface Lab {
  sim: Vcsim;
  vc: VSphereInstanceClient;
  /** Host ids by name: DC0_C0_H0 is the host pinned VMs are on. */
  hosts: Record<string, string>;
  pinned: string;
  /** The VMs that can move. */
  movable: string[];
}

async function startLab(options: VcsimOptions): Promise<Lab> {
  const sim = await startVcsim({ clusters: 1, hostsPerCluster: 3, vmsPerHost: 2, pinnedVms: ['cdrom'], ...options });
  const vc = new VSphereInstanceClient(clientFor(sim));
  const snapshot = await vc.readInventory();
  await snapshot.discard();
  const hosts = Object.fromEntries(snapshot.objects.filter((o) => o.kind === 'host').map((h) => [h.name, h.moref]));
  const pinned = Object.keys(sim.pinned)[0]!;
  const movable = snapshot.objects.filter((o) => o.kind === 'vm' && o.moref !== pinned).map((o) => o.moref);
  return { sim, vc, hosts, pinned, movable };
}

const stopLab = async (lab: Lab | undefined) => {
  await lab?.vc.close();
  await lab?.sim.stop();
};

const hostOf = async (lab: Lab, vm: string) =>
  ((await lab.vc.soap.getProperties({ type: 'VirtualMachine', value: vm }, ['runtime.host']))['runtime.host'] as { value: string }).value;
const vmsOn = async (lab: Lab, host: string) => {
  const vm = (await lab.vc.soap.getProperties({ type: 'HostSystem', value: host }, ['vm'])).vm;
  return ((Array.isArray(vm) ? vm : vm ? [vm] : []) as { value: string }[]).map((r) => r.value).sort();
};
const inMaintenance = async (lab: Lab, host: string) =>
  (await lab.vc.soap.getProperties({ type: 'HostSystem', value: host }, ['runtime.inMaintenanceMode']))['runtime.inMaintenanceMode'];
const cancelTask = (lab: Lab, task: string) => lab.vc.cancelTask(task);
const moveTo = async (lab: Lab, vm: string, host: string) => lab.vc.waitForTask(await lab.vc.relocateVm(vm, { host }));
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

/** Waits for what vcsim does in the background (DRS migrations), not for a time. */
async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('entering maintenance mode without DRS', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab({});
  }, 120_000);
  afterAll(() => stopLab(lab));

  it('stays running while powered-on VMs remain, refuses VMs moving in, and completes once they are moved away', async () => {
    const { vc, hosts } = lab;
    const host = hosts.DC0_C0_H1!;
    const other = hosts.DC0_C0_H2!;
    const [staying, incoming] = lab.movable;
    await moveTo(lab, staying!, host);
    await moveTo(lab, incoming!, other);
    const onHost = await vmsOn(lab, host);

    const entering = await vc.enterMaintenanceMode(host);
    expect(await vc.taskInfo(entering)).toMatchObject({ state: 'running', description_id: 'HostSystem.enterMaintenanceMode' });
    expect(await inMaintenance(lab, host)).toBe(false);

    const refused = await failure(vc.waitForTask(await vc.relocateVm(incoming!, { host })));
    expect(refused).toMatchObject({ faultType: 'InvalidHostState' });

    for (const vm of onHost) await moveTo(lab, vm, other);
    expect(await vc.waitForTask(entering)).toMatchObject({ state: 'success' });
    expect(await inMaintenance(lab, host)).toBe(true);
    expect(await vmsOn(lab, host)).toEqual([]);

    const intoMaintenance = await failure(vc.waitForTask(await vc.relocateVm(incoming!, { host })));
    expect(intoMaintenance).toMatchObject({ faultType: 'InvalidHostState' });
    await vc.waitForTask(await vc.exitMaintenanceMode(host));
    expect(await inMaintenance(lab, host)).toBe(false);
  });

  it('fails with Timedout when its timeout passes first, leaving the host out of maintenance mode', async () => {
    const { vc, hosts } = lab;
    const task = await vc.enterMaintenanceMode(hosts.DC0_C0_H0!, { timeoutSeconds: 1 });
    const err = await failure(vc.waitForTask(task));
    expect(err).toBeInstanceOf(VSphereTaskError);
    expect(err).toMatchObject({ faultType: 'Timedout' });
    expect(await inMaintenance(lab, hosts.DC0_C0_H0!)).toBe(false);
  });

  it('ends with RequestCanceled when canceled; a second cancel of the ended task is InvalidState', async () => {
    const { vc, hosts } = lab;
    const task = await vc.enterMaintenanceMode(hosts.DC0_C0_H0!);
    expect((await vc.taskInfo(task)).state).toBe('running');
    await cancelTask(lab, task);
    expect(await failure(vc.waitForTask(task))).toMatchObject({ faultType: 'RequestCanceled' });
    expect(await inMaintenance(lab, hosts.DC0_C0_H0!)).toBe(false);
    expect(await failure(cancelTask(lab, task))).toMatchObject({ faultType: 'InvalidState' });
  });
});

describe('entering maintenance mode in a cluster with fully automated DRS', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab({ drs: 'fullyAutomated' });
  }, 120_000);
  afterAll(() => stopLab(lab));

  it('migrates the VMs that can move; the pinned VM keeps the task waiting until it is powered off, then stays', async () => {
    const { vc, hosts, pinned } = lab;
    const host = hosts.DC0_C0_H0!;
    expect(await hostOf(lab, pinned)).toBe(host);
    await moveTo(lab, lab.movable[0]!, host);
    const movable = (await vmsOn(lab, host)).filter((vm) => vm !== pinned);

    const entering = await vc.enterMaintenanceMode(host);
    await until(
      () => vmsOn(lab, host),
      (vms) => vms.length === 1,
      'DRS evacuating the host',
    );
    for (const vm of movable) expect([hosts.DC0_C0_H1, hosts.DC0_C0_H2]).toContain(await hostOf(lab, vm));
    expect(await vc.taskInfo(entering)).toMatchObject({ state: 'running' });

    await vc.waitForTask(await vc.powerOffVm(pinned));
    expect(await vc.waitForTask(entering)).toMatchObject({ state: 'success' });
    expect(await inMaintenance(lab, host)).toBe(true);
    expect(await vmsOn(lab, host)).toEqual([pinned]); // powered off, and evacuatePoweredOffVms was not set

    await vc.waitForTask(await vc.exitMaintenanceMode(host));
    await vc.waitForTask(await vc.powerOnVm(pinned));
  });

  it('with evacuatePoweredOffVms moves powered-off VMs too', async () => {
    const { vc, hosts } = lab;
    const host = hosts.DC0_C0_H2!;
    const off = lab.movable[1]!;
    await moveTo(lab, off, host);
    await vc.waitForTask(await vc.powerOffVm(off));

    await vc.waitForTask(await vc.enterMaintenanceMode(host, { evacuatePoweredOffVms: true }));
    expect(await vmsOn(lab, host)).toEqual([]);
    expect(await hostOf(lab, off)).not.toBe(host);
    await vc.waitForTask(await vc.exitMaintenanceMode(host));
  });
});
