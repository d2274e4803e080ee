import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { VSphereInstanceClient } from '../../shared/adapters/vsphere';
import { VSphereError, VSphereSessionLostError, VSphereTaskError } from '../../shared/ports/vcenter';
import { startVcsim, type Vcsim } from '../support/vcsim';
import { clientFor } from './helpers';

/**
 * Waiting for tasks through the PropertyCollector (task-watcher.ts) against vcsim with tasks that take time:
 * many waits share one private collector and long-polling WaitForUpdatesEx, each waiter gets its own task's
 * outcome, and closing the client ends the loop and frees the collector.
 */
interface Lab {
  sim: Vcsim;
  vc: VSphereInstanceClient;
  hosts: string[];
  pinned: string;
  /** The VMs that can move, with the host each is on. */
  movable: { vm: string; host: string }[];
}

async function startLab(taskDelayMs: number): Promise<Lab> {
  const sim = await startVcsim({ clusters: 1, hostsPerCluster: 3, vmsPerHost: 4, pinnedVms: ['cdrom'], taskDelayMs });
  const vc = new VSphereInstanceClient(clientFor(sim, { taskWaitSeconds: 1 }));
  const snapshot = await vc.readInventory();
  await snapshot.discard();
  const hosts = snapshot.objects.filter((o) => o.kind === 'host').map((h) => h.moref);
  const pinned = Object.keys(sim.pinned)[0]!;
  const movable = snapshot.objects
    .filter((o) => o.kind === 'vm' && o.moref !== pinned)
    .map((o) => ({ vm: o.moref, host: o.placement!.host! }));
  return { sim, vc, hosts, pinned, movable };
}

const stopLab = async (lab: Lab | undefined) => {
  await lab?.vc.close();
  await lab?.sim.stop();
};

/** Moves each VM to the next host of the cluster; returns the task ids. */
const relocate = (lab: Lab, vms: { vm: string; host: string }[]) =>
  Promise.all(vms.map(({ vm, host }) => lab.vc.relocateVm(vm, { host: lab.hosts[(lab.hosts.indexOf(host) + 1) % lab.hosts.length]! })));

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

/** Waits for what the client does in the background, not for a time. */
async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what}: not yet`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Counts the SOAP calls the client makes from now on, per method. */
function recordCalls(vc: VSphereInstanceClient): { count: (method: string) => number; stop: () => void } {
  const seen: string[] = [];
  const original = vc.soap.session.call.bind(vc.soap.session);
  const spy = vi.spyOn(vc.soap.session, 'call').mockImplementation((method, ...rest) => {
    seen.push(method);
    return original(method, ...rest);
  });
  return { count: (method) => seen.filter((m) => m === method).length, stop: () => spy.mockRestore() };
}

describe('tasks that end on their own', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab(1_000);
  }, 120_000);
  afterAll(() => stopLab(lab));

  it('awaits many relocations through one collector: no task is polled and the waits are fewer than the tasks', async () => {
    const calls = recordCalls(lab.vc);
    const tasks = await relocate(lab, lab.movable);
    const outcomes = await lab.vc.waitForTasks(tasks);
    calls.stop();

    expect(outcomes.map((o) => o.ok)).toEqual(tasks.map(() => true));
    expect(outcomes.map((o) => o.ok && o.info.description_id)).toEqual(tasks.map(() => 'VirtualMachine.relocate'));
    expect(calls.count('RetrievePropertiesEx')).toBe(0);
    expect(calls.count('CreatePropertyCollector')).toBe(1);
    // One filter on a ListView the tasks join together.
    expect(calls.count('CreateFilter')).toBe(1);
    expect(calls.count('CreateListView')).toBe(1);
    // Polling costs at least one request per task; the collector reports tasks that end together in one answer.
    expect(calls.count('WaitForUpdatesEx')).toBeLessThan(tasks.length);
    await until(() => lab.vc.health().propertyCollectors === 0, 'the idle watcher frees its collector');
  });

  it("rejects a failed task's waiter with vCenter's fault while the others succeed", async () => {
    const [moving] = lab.movable;
    const failing = await lab.vc.relocateVm(lab.pinned, { host: lab.hosts.find((h) => h !== moving!.host)! });
    const [moved] = await relocate(lab, [moving!]);
    const [failed, succeeded] = await lab.vc.waitForTasks([failing, moved!]);

    expect(failed).toMatchObject({ id: failing, ok: false });
    const err = (failed as { error: Error }).error;
    expect(err).toBeInstanceOf(VSphereTaskError);
    expect(err).toMatchObject({ faultType: 'CannotAccessVmDevice', info: { entity: lab.pinned, state: 'error' } });
    expect(succeeded).toMatchObject({ id: moved, ok: true, info: { state: 'success', entity: moving!.vm } });
  });

  it('a task vCenter does not know is refused by name, and the others are still awaited', async () => {
    const [task] = await relocate(lab, lab.movable.slice(2, 3));
    const [missing, moved] = await lab.vc.waitForTasks(['task-99999', task!]);
    expect(missing).toMatchObject({ id: 'task-99999', ok: false });
    expect((missing as { error: Error }).error.message).toMatch(/task-99999 does not exist/);
    expect(moved).toMatchObject({ id: task, ok: true });
  });

  it('answers a task that ended before the wait began, and two waits for one task alike', async () => {
    const [task] = await relocate(lab, lab.movable.slice(1, 2));
    const first = await lab.vc.waitForTask(task!);
    const [again, twice] = await Promise.all([lab.vc.waitForTask(task!), lab.vc.waitForTask(task!)]);
    expect(again).toEqual(first);
    expect(twice).toEqual(first);
  });
});

describe('tasks that run until canceled', () => {
  let lab: Lab;
  beforeAll(async () => {
    // Far longer than any test runs: these tasks end only when canceled.
    lab = await startLab(600_000);
  }, 120_000);
  afterAll(() => stopLab(lab));

  it('rejects a canceled task with RequestCanceled and keeps waiting for the others', async () => {
    const [a, b] = await relocate(lab, lab.movable.slice(0, 2));
    const waitA = failure(lab.vc.waitForTask(a!));
    let bEnded = false;
    const waitB = failure(lab.vc.waitForTask(b!)).finally(() => {
      bEnded = true;
    });
    await lab.vc.cancelTask(a!);
    expect(await waitA).toMatchObject({ faultType: 'RequestCanceled', info: { id: a, state: 'error' } });
    expect(bEnded).toBe(false);
    await lab.vc.cancelTask(b!);
    expect(await waitB).toMatchObject({ faultType: 'RequestCanceled', info: { id: b } });
  });

  it('rejects only the waiter whose timeout passed', async () => {
    const [a, b] = await relocate(lab, lab.movable.slice(2, 4));
    const waitA = failure(lab.vc.waitForTask(a!, { timeoutMs: 300 }));
    const waitB = failure(lab.vc.waitForTask(b!));
    const timedOut = await waitA;
    expect(timedOut).toBeInstanceOf(VSphereError);
    expect((timedOut as Error).message).toMatch(new RegExp(`Task ${a} did not finish within 300 ms`));
    await lab.vc.cancelTask(b!);
    expect(await waitB).toMatchObject({ faultType: 'RequestCanceled' }); // still watched after the other timed out
    await lab.vc.cancelTask(a!);
  });

  it('tells waiters the session was lost, so they wait again', async () => {
    const [task] = await relocate(lab, lab.movable.slice(4, 5));
    const waiting = failure(lab.vc.waitForTask(task!));
    await until(() => lab.vc.health().propertyCollectors === 1, 'the watcher has its collector');
    await lab.vc.soap.logout();
    const err = await waiting;
    expect(err).toBeInstanceOf(VSphereSessionLostError);
    expect((err as Error).message).toMatch(`session was lost while waiting for task ${task}`);
    await until(() => lab.vc.health().propertyCollectors === 0, 'the failed watcher forgets its collector');
    // The task went on in vCenter: a new wait (new session, new collector) sees it end.
    const again = failure(lab.vc.waitForTask(task!));
    await lab.vc.cancelTask(task!);
    expect(await again).toMatchObject({ faultType: 'RequestCanceled' });
  });

  it('watches tasks started while another is awaited beside the wait in flight, without cancelling it', async () => {
    const [a, b, c] = await relocate(lab, lab.movable.slice(6, 9));
    const calls = recordCalls(lab.vc);
    const waitA = failure(lab.vc.waitForTask(a!));
    await until(() => calls.count('WaitForUpdatesEx') >= 2, 'the watcher long-polls for the first task');
    const waitB = failure(lab.vc.waitForTask(b!));
    await until(() => calls.count('ModifyListView') === 2, 'the second task joined the view');
    await lab.vc.cancelTask(b!);
    expect(await waitB).toMatchObject({ faultType: 'RequestCanceled', info: { id: b } });
    // Ended before anyone waited: read once when its filter is created.
    await lab.vc.cancelTask(c!);
    expect(await failure(lab.vc.waitForTask(c!))).toMatchObject({ faultType: 'RequestCanceled', info: { id: c } });
    expect(calls.count('CancelWaitForUpdates')).toBe(0);
    expect(calls.count('CreatePropertyCollector')).toBe(1);
    expect(calls.count('CreateFilter')).toBe(1);
    await lab.vc.cancelTask(a!);
    expect(await waitA).toMatchObject({ faultType: 'RequestCanceled', info: { id: a } });
    calls.stop();
  });

  it('close() rejects the waiters, ends the loop and leaves no collector behind', async () => {
    const vc = new VSphereInstanceClient(clientFor(lab.sim, { taskWaitSeconds: 30 }));
    const [task] = await relocate({ ...lab, vc }, lab.movable.slice(5, 6));
    const calls = recordCalls(vc);
    const waiting = failure(vc.waitForTask(task!));
    await until(() => calls.count('WaitForUpdatesEx') >= 2, 'the watcher long-polls');
    await vc.close(); // does not wait out the 30 s long poll
    calls.stop();
    expect(await waiting).toMatchObject({ name: 'VSphereError', message: expect.stringMatching(/closed/) });
    expect(calls.count('DestroyPropertyCollector')).toBe(1);
    expect(vc.health()).toMatchObject({ propertyCollectors: 0, loggedIn: false });
    await lab.vc.cancelTask(task!);
  });
});
