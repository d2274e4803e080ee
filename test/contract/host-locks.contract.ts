import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HostLock, HostsLockedError } from '../../shared/domain/host-lock';
import type { Item, Store, WriteCondition } from '../../shared/ports/store';
import { type AcquireRequest, hostLocks } from '../../shared/records/host-locks';
import { allItems } from '../../shared/records/paging';
import type { StoreUnderTest } from '../support/stores';

/** The store with every conditional put recorded in order (the lock order is what the contract is about). */
function recordingPuts(store: Store): { store: Store; puts: string[] } {
  const puts: string[] = [];
  const recorded: Store = Object.create(store);
  recorded.put = (item: Item, condition?: WriteCondition) => {
    puts.push(item.pk);
    return store.put(item, condition);
  };
  return { store: recorded, puts };
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => expect.fail('the acquire should have been refused'),
    (e: unknown) => e as Error,
  );

/**
 * Host lock records against every Store implementation: conditional writes decide every race, so what holds on
 * MemoryStore must hold on the real engines. Each test uses host ids of its own.
 */
export function hostLocksContract(name: string, makeStore: () => Promise<StoreUnderTest>): void {
  describe(`Host locks: ${name}`, () => {
    let subject: StoreUnderTest;
    let store: Store;
    const run = randomUUID().slice(0, 8);
    let n = 0;
    /** Host ids no other test uses, in the inventory's `<instance id>/<moref>` form. */
    const hosts = (...morefs: string[]) => {
      const instance = `vc-${run}-${++n}`;
      return morefs.map((m) => `${instance}/${m}`);
    };
    const T0 = Date.parse('2026-11-23T10:00:00Z');
    const acquire = (jobId: string, hostIds: string[], more: Partial<AcquireRequest> = {}, on = store) =>
      hostLocks.acquire(on, { hostIds, jobId, executionAttempt: 1, now: T0, ...more });
    const heldBy = async (jobId: string) =>
      (await allItems((cursor) => hostLocks.byJob(store, jobId, { limit: 2, cursor }))).map((l) => l.id);
    const holderOf = async (hostId: string) => (await hostLocks.find(store, hostId))?.job_id;

    beforeAll(async () => {
      subject = await makeStore();
      store = subject.store;
    });
    afterAll(async () => {
      await subject?.cleanup();
    });

    it('of two jobs racing for overlapping hosts exactly one gets all of its hosts; the other holds nothing', async () => {
      for (let round = 0; round < 8; round++) {
        const [a, b, c, d] = hosts('host-1', 'host-2', 'host-3', 'host-4');
        const jobA = `job-a-${run}-${round}`;
        const jobB = `job-b-${run}-${round}`;
        // Each asks in its own order; overlap b and c.
        const results = await Promise.allSettled([acquire(jobA, [c!, a!, b!]), acquire(jobB, [d!, c!, b!])]);
        const won = results.filter((r) => r.status === 'fulfilled');
        expect(won).toHaveLength(1);
        const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect(lost.reason).toBeInstanceOf(HostsLockedError);
        const [winner, loser, wanted] = results[0]!.status === 'fulfilled' ? [jobA, jobB, [a, b, c]] : [jobB, jobA, [b, c, d]];
        expect(await heldBy(winner)).toEqual(wanted);
        expect(await heldBy(loser)).toEqual([]);
        // The host it stopped at is named, then any later one the winner had taken by the time it looked.
        const named = (lost.reason as HostsLockedError).held;
        expect(named[0]!.host_id).toBe(b);
        expect(new Set(named.map((h) => h.job_id))).toEqual(new Set([winner]));
      }
    });

    it('takes hosts in sorted order, stops at the first one another job holds, gives back what it took, names every holder', async () => {
      const [h1, h2, h3, h4] = hosts('host-1', 'host-2', 'host-3', 'host-4');
      await acquire('job-other', [h2!]);
      await acquire('job-third', [h4!]);
      const recorder = recordingPuts(store);
      const e = await failure(acquire('job-asking', [h4!, h3!, h2!, h1!], {}, recorder.store));
      // Only h1 was written (taken); h2 was held, so h3 and h4 were never tried.
      expect(recorder.puts).toEqual([`LOCK#HOST#${h1}`]);
      expect(e).toBeInstanceOf(HostsLockedError);
      expect(e.message).toContain(`host '${h2}' is locked by job 'job-other'`);
      expect((e as HostsLockedError).held).toEqual([
        { host_id: h2, job_id: 'job-other', acquired_at: new Date(T0).toISOString() },
        { host_id: h4, job_id: 'job-third', acquired_at: new Date(T0).toISOString() },
      ]);
      expect(await holderOf(h1!)).toBeUndefined();
      expect(await holderOf(h3!)).toBeUndefined();
      expect(await heldBy('job-asking')).toEqual([]);
    });

    it('gives back what it took when the store fails midway', async () => {
      const [h1, h2] = hosts('host-1', 'host-2');
      const failing: Store = Object.create(store);
      failing.put = (item: Item, condition?: WriteCondition) =>
        item.pk === `LOCK#HOST#${h2}` ? Promise.reject(new Error('throttled')) : store.put(item, condition);
      await expect(acquire('job-unlucky', [h2!, h1!], {}, failing)).rejects.toThrow('throttled');
      expect(await holderOf(h1!)).toBeUndefined();
    });

    it('lets the same job acquire again: what it held stays held (renewed), new hosts are added', async () => {
      const [h1, h2, h3, h4] = hosts('host-1', 'host-2', 'host-3', 'host-4');
      const job = `job-again-${run}`;
      const first = await acquire(job, [h1!, h2!]);
      const again = await acquire(job, [h2!, h1!, h3!], { executionAttempt: 2, now: T0 + 60_000 });
      expect(again.map((l) => l.id)).toEqual([h1, h2, h3]);
      expect(again.map((l) => [l.acquired_at, l.execution_attempt])).toEqual([
        [first[0]!.acquired_at, 2],
        [first[1]!.acquired_at, 2],
        [new Date(T0 + 60_000).toISOString(), 2],
      ]);
      // A conflict gives back only what that call took: the hosts held before stay the job's.
      await acquire('job-holding-h4', [h4!]);
      await expect(acquire(job, [h1!, h4!], { executionAttempt: 2 })).rejects.toBeInstanceOf(HostsLockedError);
      expect(await heldBy(job)).toEqual([h1, h2, h3]);
      // Asking again with nothing changed writes nothing.
      const recorder = recordingPuts(store);
      await acquire(job, [h1!], { executionAttempt: 2 }, recorder.store);
      expect(recorder.puts).toEqual([]);
    });

    it('releases only the holder’s locks: another job releasing them changes nothing', async () => {
      const [h1, h2, h3] = hosts('host-1', 'host-2', 'host-3');
      await acquire('job-holder', [h1!, h2!]);
      await acquire('job-neighbour', [h3!]);
      expect(await hostLocks.release(store, 'job-neighbour', [h1!, h2!])).toEqual([]);
      expect(await holderOf(h1!)).toBe('job-holder');
      expect(await hostLocks.release(store, 'job-holder', [h2!, h3!])).toEqual([h2]);
      expect(await holderOf(h3!)).toBe('job-neighbour');
      expect(await hostLocks.release(store, 'job-holder')).toEqual([h1]);
      expect(await hostLocks.release(store, 'job-holder')).toEqual([]);
      expect(await heldBy('job-holder')).toEqual([]);
      expect(await heldBy('job-neighbour')).toEqual([h3]);
    });

    it('lists the locks of one job and all locks, in host order, page by page', async () => {
      const mine = hosts('host-5', 'host-1', 'host-3', 'host-2', 'host-4');
      const theirs = hosts('host-9');
      const job = `job-list-${run}`;
      await acquire(job, mine);
      await acquire(`job-list-other-${run}`, theirs);
      expect(await heldBy(job)).toEqual([...mine].sort());
      const everyLock: HostLock[] = [];
      for await (const lock of hostLocks.each(store)) everyLock.push(lock);
      const ours = everyLock.filter((l) => [...mine, ...theirs].includes(l.id));
      expect(ours.map((l) => [l.id, l.job_id])).toEqual([...[...mine].sort().map((h) => [h, job]), [theirs[0], `job-list-other-${run}`]]);
      const firstPage = await hostLocks.byJob(store, job, { limit: 3 });
      expect(firstPage.items).toHaveLength(3);
      expect(firstPage.cursor).toBeDefined();
    });

    it('a lock past its lease is taken over by another job; the old holder can no longer release it', async () => {
      const [h1] = hosts('host-1');
      await acquire('job-leased', [h1!], { leaseMs: 60_000 });
      await expect(acquire('job-next', [h1!], { now: T0 + 30_000 })).rejects.toBeInstanceOf(HostsLockedError);
      // The holder renews its lease by acquiring again.
      await acquire('job-leased', [h1!], { leaseMs: 60_000, now: T0 + 50_000 });
      await expect(acquire('job-next', [h1!], { now: T0 + 90_000 })).rejects.toBeInstanceOf(HostsLockedError);
      const [taken] = await acquire('job-next', [h1!], { now: T0 + 111_000 });
      expect(taken).toMatchObject({ id: h1, job_id: 'job-next', acquired_at: new Date(T0 + 111_000).toISOString() });
      expect(taken!.lease_until).toBeUndefined();
      expect(await hostLocks.release(store, 'job-leased', [h1!])).toEqual([]);
      expect(await holderOf(h1!)).toBe('job-next');
    });
  });
}
