/**
 * Host locks in the job engine: a job takes the locks of the hosts it works on and gives every one back when it
 * ends, however it ends (moveJob releases on each terminal status); housekeeping releases what a crash left
 * behind: locks whose job has finished or no longer exists.
 */
import { ConflictError } from '../../domain/errors';
import type { HostLock } from '../../domain/host-lock';
import { isFinished, type Job, type JobStatus } from '../../domain/job';
import { logger } from '../../observability/logger';
import { hostLocks } from '../../records/host-locks';
import { jobs } from '../../records/jobs';
import type { Deps } from '../deps';

type LockDeps = Pick<Deps, 'store' | 'clock'>;

/**
 * Takes the hosts for the job (HostsLockedError naming the holders when another job has one). A cancel or the
 * kill switch may end the job while it takes them, releasing before they were written: the job is read again
 * afterwards, and a job that has ended gives them back and gets a 409.
 */
export async function lockHosts(
  deps: LockDeps,
  job: Job,
  hostIds: readonly string[],
  opts: { leaseMs?: number } = {},
): Promise<HostLock[]> {
  const locks = await hostLocks.acquire(deps.store, {
    hostIds,
    jobId: job.id,
    executionAttempt: job.execution_attempt,
    now: deps.clock.now(),
    leaseMs: opts.leaseMs,
  });
  const now = await jobs.get(deps.store, job.id);
  if (isFinished(now.status)) {
    // By host id, not through the job index, which may not show locks written an instant ago.
    await hostLocks.release(deps.store, job.id, hostIds);
    throw new ConflictError(`job '${job.id}' is ${now.status}; it takes no host locks`, { status: now.status });
  }
  return locks;
}

/** Gives back every lock the job holds; answers the hosts released. */
export async function releaseJobLocks(deps: Pick<Deps, 'store'>, jobId: string): Promise<string[]> {
  const released = await hostLocks.release(deps.store, jobId);
  if (released.length) logger.info('Host locks released', { job_id: jobId, hosts: released });
  return released;
}

export type LeftLock = { host_id: string; job_id: string; job_status: JobStatus | 'missing' };

/**
 * Releases the locks whose job has finished or no longer exists (a crash between a job's end and its release).
 * A finished job whose compensation is pending keeps its locks: it is answered in `compensating`, to run again.
 */
export async function releaseLocksOfEndedJobs(deps: Pick<Deps, 'store'>): Promise<{ released: LeftLock[]; compensating: string[] }> {
  const jobOf = new Map<string, Job | undefined>();
  const left: LeftLock[] = [];
  const compensating = new Set<string>();
  for await (const lock of hostLocks.each(deps.store)) {
    if (!jobOf.has(lock.job_id)) jobOf.set(lock.job_id, await jobs.find(deps.store, lock.job_id));
    const job = jobOf.get(lock.job_id);
    if (job && !isFinished(job.status)) continue;
    if (job?.compensation?.status === 'pending') {
      compensating.add(job.id);
      continue;
    }
    // Conditional on the lock still being that job's: a lock another job took meanwhile stays.
    if ((await hostLocks.release(deps.store, lock.job_id, [lock.id])).length)
      left.push({ host_id: lock.id, job_id: lock.job_id, job_status: job?.status ?? 'missing' });
  }
  if (left.length) logger.warn('Host locks of ended jobs released', { locks: left });
  return { released: left, compensating: [...compensating] };
}
