/**
 * Waits for vCenter tasks through the PropertyCollector instead of polling each one: one private collector
 * per client with one filter on the TaskInfo fields of whatever a ListView holds, advanced by long-polling
 * WaitForUpdatesEx. Watching a task adds it to the view (ModifyListView), beside the wait in flight, which
 * then reports the task's changes too; a task nobody waits for any more leaves the view. Waiting for many
 * tasks costs a request per change, not a request per task per interval, and never restarts the wait (with
 * tasks starting every few hundred milliseconds, restarting delayed every notice: vcsim, for one, batches
 * changes on a timer each new wait starts again). The collector and the view exist while tasks are watched;
 * close() ends the loop and destroys them.
 */ import { setTimeout as sleep } from 'node:timers/promises';
import { type VCenterTaskInfo, VSphereError, VSphereSessionLostError, VSphereTaskError } from '../../ports/vcenter';
import { ManagedObjectNotFoundFault, RequestCanceledFault } from './errors';
import { listViewSpec, objectsSpec } from './specs';
import { taskInfoOf } from './tasks';
import type { MoRef, ObjectContent, ObjectUpdate, PropertyFilterSpec, TaskInfo, UpdateSet, WaitOptions } from './types';

/** The TaskInfo fields a waiter needs: what is reported at the end, and how far the task is. */
const TASK_PATHS = [
  'info.key',
  'info.task',
  'info.descriptionId',
  'info.entity',
  'info.entityName',
  'info.state',
  'info.progress',
  'info.error',
  'info.result',
  'info.queueTime',
  'info.startTime',
  'info.completeTime',
];

/** What the watcher needs of its client: the PropertyCollector calls and the session's login count. */
export interface TaskWatcherClient {
  createCollector(): Promise<MoRef>;
  /** RetrievePropertiesEx of the spec's objects (all pages). */
  retrieve(spec: PropertyFilterSpec): Promise<ObjectContent[]>;
  destroyCollector(collector: MoRef): Promise<void>;
  createFilter(collector: MoRef, spec: PropertyFilterSpec): Promise<MoRef>;
  createListView(objects: MoRef[]): Promise<MoRef>;
  /** Answers the objects to add that vCenter does not know. */
  modifyListView(view: MoRef, change: { add?: MoRef[]; remove?: MoRef[] }): Promise<MoRef[]>;
  destroyView(view: MoRef): Promise<void>;
  waitForUpdatesEx(collector: MoRef, version: string, options: WaitOptions): Promise<UpdateSet>;
  cancelWaitForUpdates(collector: MoRef): Promise<void>;
  sessionGeneration(): number;
}

interface Waiter {
  resolve: (info: VCenterTaskInfo) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

interface Watched {
  task: MoRef;
  info: Partial<TaskInfo>;
  /** In the view: the filter reports its changes. */
  inView?: boolean;
  /** Being added to the view. */
  attaching?: boolean;
  waiters: Set<Waiter>;
}

/** The task's outcome once it has ended: its info, or VSphereTaskError with vCenter's fault. */
function outcomeOf(w: Watched): VCenterTaskInfo | Error | undefined {
  const state = w.info.state;
  if (state !== 'success' && state !== 'error') return undefined;
  const info = taskInfoOf(w.task, w.info as TaskInfo);
  return state === 'success' ? info : new VSphereTaskError(info);
}

export class TaskWatcher {
  private readonly watched = new Map<string, Watched>();
  private loop: Promise<void> | undefined;
  /** The WaitForUpdatesEx in flight, and the collector it waits on: what wake() cancels. */
  private inFlight: { wait: Promise<unknown>; collector: MoRef; woken: boolean } | undefined;
  /** The loop's collector and view, once its filter exists: new tasks join the view. */
  private live: { collector: MoRef; view: MoRef } | undefined;
  private attaching = false;
  private closed = false;

  constructor(
    private readonly vc: TaskWatcherClient,
    private readonly maxWaitSeconds = 30,
  ) {}

  /** The task's info once it succeeded; VSphereTaskError with vCenter's fault once it failed; VSphereError past the timeout. */
  wait(task: MoRef, timeoutMs: number): Promise<VCenterTaskInfo> {
    if (this.closed) return Promise.reject(new VSphereError(`The vCenter client is closed; cannot wait for task ${task.value}`));
    return new Promise<VCenterTaskInfo>((resolve, reject) => {
      let entry = this.watched.get(task.value);
      if (!entry) {
        entry = { task, info: {}, waiters: new Set() };
        this.watched.set(task.value, entry);
      }
      const watched = entry;
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          watched.waiters.delete(waiter);
          reject(new VSphereError(`Task ${task.value} did not finish within ${timeoutMs} ms (state ${watched.info.state ?? 'queued'})`));
          if (!this.hasWaiters()) this.wake(); // idle: let the loop end and free the collector
        }, timeoutMs),
      };
      watched.waiters.add(waiter);
      const ended = outcomeOf(watched);
      if (ended) return this.settle(watched, ended); // already seen to end: its filter reports nothing more
      this.start();
      if (!watched.inView) this.attachNew();
    });
  }

  /** Rejects every waiter, ends the loop and destroys the collector. */
  async close(): Promise<void> {
    this.closed = true;
    this.failAll(() => new VSphereError('The vCenter client was closed while waiting for the task'));
    this.wake();
    await this.loop;
  }

  private hasWaiters(): boolean {
    for (const w of this.watched.values()) if (w.waiters.size > 0) return true;
    return false;
  }

  private start(): void {
    if (this.loop || this.closed) return;
    this.loop = this.run().finally(() => {
      this.loop = undefined;
      if (this.hasWaiters()) this.start(); // waiters that came while the loop was ending
    });
  }

  private async run(): Promise<void> {
    let collector: MoRef | undefined;
    let view: MoRef | undefined;
    const generation = this.vc.sessionGeneration();
    try {
      collector = await this.vc.createCollector();
      view = await this.vc.createListView([]);
      await this.vc.createFilter(collector, listViewSpec(view, 'Task', TASK_PATHS));
      this.live = { collector, view };
      // The first wait, from '', reports the state of the tasks in the view before it.
      await this.addToView(this.live, false);
      let version = '';
      for (;;) {
        await this.dropUnwatched(view);
        if (this.closed || !this.hasWaiters()) return;
        const update = await this.waitOnce(collector, version);
        if (!update) continue; // woken: closing, or idle
        version = update.version;
        for (const f of update.filterSet) for (const o of f.objectSet) this.apply(o);
      }
    } catch (err) {
      this.failAll((task) => this.loopError(err, task, generation));
    } finally {
      this.live = undefined;
      this.watched.clear();
      if (collector) await this.vc.destroyCollector(collector).catch(() => undefined);
      if (view) await this.vc.destroyView(view).catch(() => undefined);
    }
  }

  private async waitOnce(collector: MoRef, version: string): Promise<UpdateSet | undefined> {
    const wait = this.vc.waitForUpdatesEx(collector, version, { maxWaitSeconds: this.maxWaitSeconds });
    this.inFlight = { wait: wait.catch(() => undefined), collector, woken: false };
    try {
      return await wait;
    } catch (err) {
      if (err instanceof RequestCanceledFault) return undefined;
      throw err;
    } finally {
      this.inFlight = undefined;
    }
  }

  /**
   * Adds the tasks not yet in the view to the live one, beside the wait; each such task is read once, for
   * what it did before it joined (the wait reports what it does after). A failure is told to those tasks'
   * waiters; a lost session also ends the loop's wait, which tells the others.
   */
  private attachNew(): void {
    if (this.attaching || !this.live) return;
    this.attaching = true;
    void (async () => {
      try {
        for (let live = this.live; live && live === this.live; live = this.live) {
          if ((await this.addToView(live, true)).length === 0) return;
        }
      } catch {
        // already told to the waiters
      } finally {
        this.attaching = false;
        if (this.unfiltered().length > 0) this.attachNew(); // watched while the last round found none
      }
    })();
  }

  /** Watched tasks with waiters, not in the view nor joining it. */
  private unfiltered(): Watched[] {
    return [...this.watched.values()].filter((w) => !w.inView && !w.attaching && w.waiters.size > 0);
  }

  /**
   * Ends the wait in flight (CancelWaitForUpdates), so the loop notices it is idle or closing. A
   * cancel that reaches the server before the wait does cancels nothing: repeat, backing off, until it ended.
   */
  private wake(): void {
    const current = this.inFlight;
    if (!current || current.woken) return;
    current.woken = true;
    let ended = false;
    void current.wait.then(() => {
      ended = true;
    });
    void (async () => {
      for (let delay = 20; !ended; delay = Math.min(delay * 2, 1_000)) {
        await this.vc.cancelWaitForUpdates(current.collector).catch(() => undefined);
        await Promise.race([current.wait, sleep(delay)]);
      }
    })();
  }

  /** Adds the tasks not in the view yet and, when `read`, reads their state now. The tasks that joined. */
  private async addToView(live: { view: MoRef }, read: boolean): Promise<Watched[]> {
    const fresh = this.unfiltered();
    if (fresh.length === 0) return [];
    for (const w of fresh) w.attaching = true;
    const generation = this.vc.sessionGeneration();
    try {
      const unknown = await this.join(
        live.view,
        fresh.map((w) => w.task),
      );
      for (const w of fresh) {
        if (unknown.has(w.task.value)) this.settle(w, new VSphereError(`Task ${w.task.value} does not exist in vCenter`));
        else w.inView = true;
      }
      const joined = fresh.filter((w) => w.inView);
      if (read && joined.length > 0) {
        const tasks = joined.map((w) => w.task);
        for (const o of await this.vc.retrieve(objectsSpec(tasks, TASK_PATHS))) {
          const w = this.watched.get(o.obj.value);
          if (w && outcomeOf(w)) continue; // the wait told its end first; this read may be older
          this.apply({ kind: 'enter', obj: o.obj, changeSet: o.propSet.map((p) => ({ ...p, op: 'assign' })), missingSet: o.missingSet });
        }
      }
      return joined;
    } catch (err) {
      for (const w of fresh) this.settle(w, this.loopError(err, w.task.value, generation));
      throw err;
    } finally {
      for (const w of fresh) w.attaching = false;
    }
  }

  /**
   * Adds tasks to the view; the ids of those vCenter does not know. vCenter lists them in its answer; vcsim
   * refuses the whole call (ManagedObjectNotFound) instead, so then each is added alone.
   */
  private async join(view: MoRef, tasks: MoRef[]): Promise<Set<string>> {
    try {
      return new Set((await this.vc.modifyListView(view, { add: tasks })).map((t) => t.value));
    } catch (err) {
      if (!(err instanceof ManagedObjectNotFoundFault)) throw err;
      if (tasks.length === 1) return new Set([tasks[0]!.value]);
      const unknown = new Set<string>();
      for (const t of tasks) for (const id of await this.join(view, [t])) unknown.add(id);
      return unknown;
    }
  }

  /** Takes the tasks nobody waits for any more (ended, or their waiters timed out) out of the view. */
  private async dropUnwatched(view: MoRef): Promise<void> {
    const done = [...this.watched.values()].filter((w) => w.waiters.size === 0 && !w.attaching);
    for (const w of done) this.watched.delete(w.task.value);
    const leaving = done.filter((w) => w.inView).map((w) => w.task);
    if (!this.hasWaiters() || leaving.length === 0) return; // an idle loop ends: the view goes with it
    await this.vc.modifyListView(view, { remove: leaving }).catch(() => undefined);
  }

  private apply(update: ObjectUpdate): void {
    const w = this.watched.get(update.obj.value);
    if (!w) return;
    if (update.missingSet.some((m) => m.fault.type === 'NotAuthenticated'))
      throw new VSphereSessionLostError('NotAuthenticated in missingSet: the session expired silently');
    if (update.kind === 'leave') {
      this.settle(w, new VSphereError(`Task ${w.task.value} is gone from vCenter before it was seen to end`));
      return;
    }
    for (const c of update.changeSet) {
      const field = c.name.startsWith('info.') ? c.name.slice(5) : undefined;
      if (field) w.info[field] = c.op === 'remove' || c.op === 'indirectRemove' ? undefined : c.val;
    }
    const ended = outcomeOf(w);
    if (ended) this.settle(w, ended);
  }

  private settle(w: Watched, outcome: VCenterTaskInfo | Error): void {
    for (const waiter of w.waiters) {
      clearTimeout(waiter.timer);
      if (outcome instanceof Error) waiter.reject(outcome);
      else waiter.resolve(outcome);
    }
    w.waiters.clear();
  }

  private failAll(error: (task: string) => Error): void {
    for (const w of this.watched.values()) this.settle(w, error(w.task.value));
  }

  private loopError(err: unknown, task: string, generation: number): Error {
    if (err instanceof VSphereSessionLostError || this.vc.sessionGeneration() !== generation) {
      return new VSphereSessionLostError(
        `The vCenter session was lost while waiting for task ${task}; the task goes on in vCenter: wait for it again`,
        { cause: err },
      );
    }
    return err instanceof Error ? err : new VSphereError(String(err));
  }
}
