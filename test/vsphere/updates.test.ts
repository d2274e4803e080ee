import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  containerViewSpec,
  InvalidCollectorVersionFault,
  type MoRef,
  RequestCanceledFault,
  type UpdateSet,
  type VSphereClient,
  VSphereLimitError,
  VSphereSessionLostError,
  VSphereTaskError,
} from '../../shared/adapters/vsphere';
import { startVcsim, type Vcsim } from '../support/vcsim';
import { clientFor, closeAll, drain } from './helpers';

let sim: Vcsim;
let client: VSphereClient;
const clients: VSphereClient[] = [];
let collector: MoRef | undefined;

beforeAll(async () => {
  sim = await startVcsim({ clusters: 1, hostsPerCluster: 2, vmsPerHost: 3 });
  client = clientFor(sim, { maxPropertyCollectors: 1 });
  clients.push(client);
});
afterEach(async () => {
  if (collector) await client.destroyPropertyCollector(collector).catch(() => undefined);
  collector = undefined;
});
afterAll(async () => {
  await closeAll(clients);
  await sim?.stop();
});

const VM_PATHS = ['name', 'runtime.powerState', 'runtime.host'];

/** A private collector with one filter over every VM; returns the state after the initial (possibly truncated) updates. */
async function watchVms(maxObjectUpdates?: number): Promise<{ collector: MoRef; initial: UpdateSet[] }> {
  collector = await client.createPropertyCollector();
  const view = await client.createContainerView(['VirtualMachine']);
  await client.createFilter(collector, containerViewSpec(view, { VirtualMachine: VM_PATHS }));
  const initial = [await client.waitForUpdatesEx(collector, '', { maxWaitSeconds: 0, maxObjectUpdates })];
  while (initial.at(-1)!.truncated)
    initial.push(await client.waitForUpdatesEx(collector, initial.at(-1)!.version, { maxWaitSeconds: 0, maxObjectUpdates }));
  return { collector, initial };
}

const updatesOf = (sets: UpdateSet[]) => sets.flatMap((s) => s.filterSet.flatMap((f) => f.objectSet));

/** Waits (server-side, bounded by maxWaitSeconds) until an update for `obj` arrives. */
async function nextUpdateFor(pc: MoRef, version: string, obj: MoRef): Promise<{ set: UpdateSet; updates: ReturnType<typeof updatesOf> }> {
  for (let v = version, round = 0; round < 10; round++) {
    const set = await client.waitForUpdatesEx(pc, v, { maxWaitSeconds: 10 });
    const updates = updatesOf([set]).filter((u) => u.obj.value === obj.value);
    if (updates.length) return { set, updates };
    v = set.version;
  }
  throw new Error(`no update for ${obj.value}`);
}

describe('WaitForUpdatesEx on a private collector', () => {
  it('starts with the whole state as enter updates, truncated at maxObjectUpdates, then a final version', async () => {
    const { initial } = await watchVms(4);
    expect(initial.length).toBe(Math.ceil(sim.counts.vms / 4));
    expect(initial.slice(0, -1).every((s) => s.truncated)).toBe(true);
    expect(initial.at(-1)!.truncated).toBe(false);
    const enters = updatesOf(initial);
    expect(enters).toHaveLength(sim.counts.vms);
    expect(enters.every((u) => u.kind === 'enter')).toBe(true);
    expect(enters[0]!.changeSet.map((c) => c.name).sort()).toEqual([...VM_PATHS].sort());
    expect(enters[0]!.changeSet.find((c) => c.name === 'runtime.powerState')).toEqual({
      name: 'runtime.powerState',
      op: 'assign',
      val: 'poweredOn',
    });
    expect(new Set(initial.map((s) => s.version)).size).toBe(initial.length); // each answer a version of its own
  });

  it('reports a VM powered off through the API as a modify of runtime.powerState', async () => {
    const { collector: pc, initial } = await watchVms();
    const vm = updatesOf(initial)[0]!.obj;
    const task = (await client.invoke('PowerOffVM_Task', vm)) as MoRef;
    expect(task.type).toBe('Task');
    expect((await client.waitForTask(task)).state).toBe('success');

    const { set, updates } = await nextUpdateFor(pc, initial.at(-1)!.version, vm);
    expect(set.version).not.toBe(initial.at(-1)!.version);
    expect(updates).toEqual([
      { kind: 'modify', obj: vm, changeSet: [{ name: 'runtime.powerState', op: 'assign', val: 'poweredOff' }], missingSet: [] },
    ]);
  });

  it('reports a renamed VM as a modify of name, and a destroyed one as leave', async () => {
    const { collector: pc, initial } = await watchVms();
    const [renamed, destroyed] = updatesOf(initial).map((u) => u.obj);
    await client.waitForTask((await client.invoke('Rename_Task', renamed!, { newName: 'renamed-by-test' })) as MoRef);
    const rename = await nextUpdateFor(pc, initial.at(-1)!.version, renamed!);
    expect(rename.updates[0]).toMatchObject({ kind: 'modify', changeSet: [{ name: 'name', op: 'assign', val: 'renamed-by-test' }] });

    await client.waitForTask((await client.invoke('PowerOffVM_Task', destroyed!)) as MoRef);
    await client.waitForTask((await client.invoke('Destroy_Task', destroyed!)) as MoRef);
    let version = rename.set.version;
    let kinds: string[] = [];
    for (let round = 0; round < 10 && !kinds.includes('leave'); round++) {
      const next = await nextUpdateFor(pc, version, destroyed!);
      kinds = kinds.concat(next.updates.map((u) => u.kind));
      version = next.set.version;
    }
    expect(kinds).toContain('leave');
  });

  it("reports a task that failed with vCenter's fault", async () => {
    const { initial } = await watchVms();
    const vm = updatesOf(initial).at(-1)!.obj;
    await client.waitForTask((await client.invoke('PowerOffVM_Task', vm)) as MoRef);
    const err = await client.waitForTask((await client.invoke('PowerOffVM_Task', vm)) as MoRef).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VSphereTaskError);
    expect(err).toMatchObject({ faultType: 'InvalidPowerState', info: { state: 'error' } });
  });

  it('answers without changes with the same version when nothing changed', async () => {
    const { collector: pc, initial } = await watchVms();
    const last = initial.at(-1)!;
    expect(await client.waitForUpdatesEx(pc, last.version, { maxWaitSeconds: 0 })).toEqual({
      version: last.version,
      truncated: false,
      filterSet: [],
    });
  });

  it('refuses a version it never issued with InvalidCollectorVersion', async () => {
    const { collector: pc } = await watchVms();
    await expect(client.waitForUpdatesEx(pc, '999999', { maxWaitSeconds: 0 })).rejects.toBeInstanceOf(InvalidCollectorVersionFault);
  });

  it('ends a wait with RequestCanceled when CancelWaitForUpdates is called', async () => {
    const { collector: pc, initial } = await watchVms();
    const waiting = client.waitForUpdatesEx(pc, initial.at(-1)!.version, { maxWaitSeconds: 60 }).catch((e: unknown) => e);
    // vcsim handles requests concurrently; cancel until the wait has registered and ends.
    let outcome: unknown;
    for (let round = 0; round < 50 && outcome === undefined; round++) {
      await client.cancelWaitForUpdates(pc);
      outcome = await Promise.race([waiting, new Promise((r) => setImmediate(r, undefined))]);
      if (outcome === undefined) await new Promise((r) => setTimeout(r, 20));
    }
    expect(await waiting).toBeInstanceOf(RequestCanceledFault);
  });

  it('holds at most maxPropertyCollectors private collectors per instance', async () => {
    collector = await client.createPropertyCollector();
    await expect(client.createPropertyCollector()).rejects.toBeInstanceOf(VSphereLimitError);
    expect(client.health().propertyCollectors).toBe(1);
    await client.destroyPropertyCollector(collector);
    collector = await client.createPropertyCollector();
    expect(client.health().propertyCollectors).toBe(1);
  });

  it('keeps the shared collector usable for retrievals while a private one waits', async () => {
    const { collector: pc, initial } = await watchVms();
    const waiting = client.waitForUpdatesEx(pc, initial.at(-1)!.version, { maxWaitSeconds: 1 });
    const view = await client.createContainerView(['HostSystem']);
    expect(await drain(client.retrievePropertiesEx([containerViewSpec(view, { HostSystem: ['name'] })]))).toHaveLength(sim.counts.hosts);
    await waiting;
  });
});

describe('a delta waiter continued by another container', () => {
  it('resumes the exported session: its collector and version still work', async () => {
    const { collector: pc, initial } = await watchVms();
    const cookie = client.session.exportCookie()!;
    expect(cookie).toEqual(expect.any(String));

    const later = clientFor(sim); // a new container: nothing but what the first one stored
    clients.push(later);
    later.session.resume(cookie);
    const vm = updatesOf(initial)[1]!.obj;
    await later.waitForTask((await later.invoke('PowerOffVM_Task', vm)) as MoRef);
    const set = await later.waitForUpdatesEx(pc, initial.at(-1)!.version, { maxWaitSeconds: 10 });
    expect(updatesOf([set]).map((u) => [u.kind, u.obj.value])).toContainEqual(['modify', vm.value]);
  });

  it('says the session was lost when the exported one has expired, so delta sync starts over', async () => {
    const { collector: pc, initial } = await watchVms();
    const cookie = client.session.exportCookie()!;
    await client.logout(); // the session ends (vpxd timeout, restart, ...)
    collector = undefined;

    const later = clientFor(sim);
    clients.push(later);
    later.session.resume(cookie);
    await expect(later.waitForUpdatesEx(pc, initial.at(-1)!.version, { maxWaitSeconds: 0 })).rejects.toBeInstanceOf(
      VSphereSessionLostError,
    );
    expect(later.health()).toMatchObject({ loggedIn: true }); // and it has a fresh session for the full sync
  });
});
