/** What the job engine's use cases share: the job type lookup, lifecycle moves, the kill-switch check, execution names. */
import { JOB_TYPES } from '../../catalog/job-types';
import { sendToPool } from '../../catalog/messages';
import { LockedError, ValidationError } from '../../domain/errors';
import { isFinished, type Job, type JobStatus, transition } from '../../domain/job';
import type { JobType } from '../../jobs/job-type';
import { own } from '../../lib/own';
import { logger } from '../../observability/logger';
import { isoNow } from '../../ports/clock';
import { ExecutionNotFoundError } from '../../ports/workflows';
import { jobFailures, jobs } from '../../records/jobs';
import { readSwitch } from '../../records/switches';
import type { Deps } from '../deps';
import { notification, notifyOperators } from '../notifications';
import { releaseJobLocks } from './host-locks';

export type EngineDeps = Pick<Deps, 'store' | 'queue' | 'workflows' | 'clock' | 'secrets' | 'idrac' | 'vcenter' | 'notifier'>;

export function jobTypeOf(name: string): JobType {
  const type = own(JOB_TYPES, name);
  if (!type)
    throw new ValidationError(`Unknown job type '${name}'; known types: ${Object.keys(JOB_TYPES).join(', ')}`, [
      { path: 'body.type', message: `must be one of ${Object.keys(JOB_TYPES).join(', ')}` },
    ]);
  return type;
}

/**
 * Moves a job to `to` with a conditional write; 409 when the lifecycle forbids it from its current status.
 * Every end of a job passes here (finish, fail, cancel and the kill switch, a failed resume, the reconciliation
 * failing it as interrupted), so this is where it gives back its host locks: after the write, so a crash in
 * between leaves locks of a finished job, which housekeeping releases, and that is also why a failed release
 * does not fail the move. A job of a type that compensates and did not succeed keeps its locks instead, and its
 * compensation is queued (compensation.ts gives the locks back when it is done).
 */
export async function moveJob(
  deps: Pick<Deps, 'store' | 'clock' | 'queue' | 'notifier'>,
  id: string,
  to: JobStatus,
  fields: Partial<Job> = {},
): Promise<Job> {
  const moved = await jobs.update(deps.store, id, (current) => {
    const next = transition(current, to, isoNow(deps.clock), fields);
    const compensates = to !== 'succeeded' && isFinished(to) && !isFinished(current.status) && jobTypeOf(current.type).compensate;
    return compensates ? { ...next, compensation: { status: 'pending', attempts: 0, updated_at: next.updated_at } } : next;
  });
  if (!isFinished(moved.status)) return moved;
  if (moved.status === 'failed') {
    await jobFailures.record(deps.store, moved);
    await notifyOperators(
      deps,
      notification(
        'job.failed',
        moved.finished_at!,
        moved.id,
        `EIO job ${moved.id} (${moved.type}) failed`,
        moved.status_reason ?? 'failed',
        {
          job_id: moved.id,
          type: moved.type,
          requested_by: moved.requested_by,
        },
      ),
    );
  }
  if (moved.compensation?.status === 'pending') {
    await requestCompensation(deps, id).catch((e: unknown) =>
      logger.warn('Compensation not queued; housekeeping will', { job_id: id, error: e as Error }),
    );
    return moved;
  }
  await releaseJobLocks(deps, id).catch((e: unknown) =>
    logger.warn('Host locks not released; housekeeping will', { job_id: id, error: e as Error }),
  );
  return moved;
}

/** Queues a job's compensation for the jobs pool (the dispatcher runs it). */
export const requestCompensation = (deps: Pick<Deps, 'queue'>, jobId: string) =>
  sendToPool(deps.queue, 'jobs', [{ message: { job_id: jobId, compensate: true } }]);

/** Refuses work while the kill switch is active: new jobs (423 to the caller) and every side-effecting step. */
export async function assertKillSwitchOff(deps: Pick<Deps, 'store'>): Promise<void> {
  const ks = await readSwitch(deps.store, 'kill-switch');
  if (ks.on)
    throw new LockedError(
      `The kill switch is active (since ${ks.changed_at} by ${ks.changed_by}${ks.reason ? `: ${ks.reason}` : ''}); ` +
        'no job may start or act until an admin deactivates it',
    );
}

export const executionName = (job: Pick<Job, 'id' | 'execution_attempt'>): string =>
  job.execution_attempt <= 1 ? job.id : `${job.id}-resume-${job.execution_attempt - 1}`;

/** Whether the execution still runs; one the engine no longer knows (lost with a dead process) does not. */
export async function executionRunning(deps: Pick<Deps, 'workflows'>, executionId: string): Promise<boolean> {
  try {
    return (await deps.workflows.describe(executionId)).status === 'RUNNING';
  } catch (e) {
    if (e instanceof ExecutionNotFoundError) return false;
    throw e;
  }
}
