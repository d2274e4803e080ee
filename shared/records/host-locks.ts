/**
 * Host locks: pk `LOCK#HOST#<host id>`, sk `LOCK#HOST`; gsi1 `KIND#LOCK#HOST` / `<host id>` (all locks, host
 * order); gsi2 `LOCKJOB#<job id>` / `<host id>` (the locks one job holds).
 *
 * No transactions: acquire takes the hosts one conditional write at a time in `lockOrder` and gives back what it
 * took as soon as another job holds one, so of two jobs asking for overlapping hosts exactly one gets them. A crash
 * in between leaves locks of a job that then ends or is failed by the reconciliation; housekeeping releases locks
 * whose job has finished or is missing. Every delete is conditional on the version of a lock read as this job's,
 * so a job never releases another job's lock.
 */
import { ConflictError, NotFoundError } from '../domain/errors';
import { type HostHolder, type HostLock, HostsLockedError, leaseHasPassed, lockOrder } from '../domain/host-lock';
import type { Page, Store } from '../ports/store';
import { Entity, type ListPage } from './entity';
import { allItems } from './paging';

const jobPartition = (jobId: string) => `LOCKJOB#${jobId}`;

/** A lock that keeps changing under us (leases taken over back and forth) is given up after this many reads. */
const MAX_ROUNDS = 5;

export type AcquireRequest = {
  hostIds: readonly string[];
  jobId: string;
  executionAttempt: number;
  /** Epoch ms: the acquisition time, and what leases are compared with. */
  now: number;
  /** Lease length; without one a lock is held until released. Renewed by every acquire of the same job. */
  leaseMs?: number;
};

type Taken = { lock: HostLock; fresh: boolean } | { holder: HostHolder };

class HostLockRecords extends Entity<HostLock> {
  /** The locks one job holds, in host order (paged). */
  byJob(store: Store, jobId: string, page: ListPage): Promise<Page<HostLock>> {
    return this.listBy(store, jobPartition(jobId), page);
  }

  /**
   * Takes every host for the job, in lock order, and answers the locks it now holds. Hosts the job already
   * holds are kept (their attempt and lease renewed). When another job holds one, what this call took is given
   * back and HostsLockedError names every host held by another job.
   */
  async acquire(store: Store, request: AcquireRequest): Promise<HostLock[]> {
    const order = lockOrder(request.hostIds);
    // All read at once; the writes stay one at a time in lock order, each conditional on what was read.
    const read = await this.findMany(store, order);
    const held: HostLock[] = [];
    const tookNow: HostLock[] = [];
    try {
      for (const [i, hostId] of order.entries()) {
        const taken = await this.take(store, hostId, request, read.get(hostId));
        if ('holder' in taken) throw new HostsLockedError([taken.holder, ...(await this.holders(store, order.slice(i + 1), request))]);
        held.push(taken.lock);
        if (taken.fresh) tookNow.push(taken.lock);
      }
      return held;
    } catch (e) {
      await this.giveBack(store, tookNow, request.jobId);
      throw e;
    }
  }

  /**
   * Releases the job's locks on `hostIds` (all its locks when omitted) and answers the hosts released. A lock
   * held by another job is left alone. "All" is what the job index shows; DynamoDB updates it a moment after
   * the write, so a lock taken an instant before may be missed: housekeeping releases it once the job has ended.
   */
  async release(store: Store, jobId: string, hostIds?: readonly string[]): Promise<string[]> {
    const candidates = hostIds
      ? lockOrder(hostIds)
      : (await allItems((cursor) => this.byJob(store, jobId, { limit: 100, cursor }))).map((l) => l.id);
    const released: string[] = [];
    for (const hostId of candidates) if (await this.releaseOne(store, hostId, jobId)) released.push(hostId);
    return released;
  }

  /**
   * Takes one host. `readBefore` is the lock as read with the others before the first write: free or the job's
   * own, it saves a read (a write that no longer matches fails its condition and reads again); another job's is
   * read again, so a holder is only ever named from a read made in turn.
   */
  private async take(store: Store, hostId: string, request: AcquireRequest, readBefore?: HostLock): Promise<Taken> {
    const mine = {
      job_id: request.jobId,
      execution_attempt: request.executionAttempt,
      lease_until: request.leaseMs === undefined ? undefined : iso(request.now + request.leaseMs),
    };
    const usable = !readBefore || readBefore.job_id === request.jobId;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const current = round === 0 && usable ? readBefore : await this.find(store, hostId);
      try {
        if (!current)
          return { lock: await this.create(store, { id: hostId, ...mine, acquired_at: iso(request.now), version: 1 }), fresh: true };
        if (current.job_id === request.jobId) return { lock: await this.renew(store, current, mine), fresh: false };
        if (!leaseHasPassed(current, request.now)) return { holder: holderOf(current) };
        // The other job's lease has passed: take the lock over, conditional on the version read.
        return {
          lock: await this.replace(store, { ...current, ...mine, acquired_at: iso(request.now), version: current.version + 1 }),
          fresh: true,
        };
      } catch (e) {
        // Lost a race for this host (taken, released or renewed meanwhile): read it again and decide again.
        if (!(e instanceof ConflictError) && !(e instanceof NotFoundError)) throw e;
      }
    }
    throw new ConflictError(`the lock of host '${hostId}' kept changing while job '${request.jobId}' tried to take it; retry`);
  }

  private async renew(store: Store, current: HostLock, mine: Pick<HostLock, 'execution_attempt' | 'lease_until'>): Promise<HostLock> {
    if (current.execution_attempt === mine.execution_attempt && current.lease_until === mine.lease_until) return current;
    return this.replace(store, { ...current, ...mine, version: current.version + 1 });
  }

  /** The holders of those hosts other than the job (as read now), to name them all in one answer. */
  private async holders(store: Store, hostIds: string[], request: AcquireRequest): Promise<HostHolder[]> {
    const found = await Promise.all(hostIds.map((id) => this.find(store, id)));
    return found.flatMap((l) => (l && l.job_id !== request.jobId && !leaseHasPassed(l, request.now) ? [holderOf(l)] : []));
  }

  /** Best effort, on the way out of a refused or failed acquire: what stays is released when the job ends. */
  private async giveBack(store: Store, locks: HostLock[], jobId: string): Promise<void> {
    for (const lock of locks) await this.releaseOne(store, lock.id, jobId).catch(() => false);
  }

  private async releaseOne(store: Store, hostId: string, jobId: string): Promise<boolean> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const current = await this.find(store, hostId);
      if (!current || current.job_id !== jobId) return false;
      try {
        await this.remove(store, current);
        return true;
      } catch (e) {
        // Renewed or taken over meanwhile: read it again.
        if (!(e instanceof ConflictError)) throw e;
      }
    }
    throw new ConflictError(`the lock of host '${hostId}' kept changing while job '${jobId}' released it; retry`);
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
const holderOf = (l: HostLock): HostHolder => ({ host_id: l.id, job_id: l.job_id, acquired_at: l.acquired_at });

export const hostLocks = new HostLockRecords('host lock', 'LOCK#HOST', (l) => ({ gsi2pk: jobPartition(l.job_id), gsi2sk: l.id }));
