/**
 * Compensation: a job of a type that undoes its leftovers (a maintenance job leaving hosts in maintenance, VMs
 * it stopped) and ended without succeeding is marked `compensation: pending` in the same write that ends it
 * (moveJob), and keeps its host locks. The jobs pool starts the compensation state machine
 * (statemachines/job-compensation.asl.json), whose step reaches the devices from where job steps run;
 * housekeeping queues it again while it is pending (a crash, the kill switch). Only when it is done are the
 * locks given back.
 */
import { isFinished } from '../../domain/job';
import type { CompensationOutcome } from '../../jobs/job-type';
import { logger } from '../../observability/logger';
import { isoNow } from '../../ports/clock';
import { jobs } from '../../records/jobs';
import { type EngineDeps, jobTypeOf } from './common';
import { releaseJobLocks } from './host-locks';

export const COMPENSATION_WORKFLOW = 'job-compensation';

/** Starts the job's compensation; one execution per attempt, so a duplicate request while one runs is a no-op. */
export async function startCompensation(deps: EngineDeps, jobId: string): Promise<void> {
  const job = await jobs.get(deps.store, jobId);
  if (!isFinished(job.status) || job.compensation?.status !== 'pending') return;
  const name = `${job.id}-undo-${job.compensation.attempts + 1}`;
  const { alreadyStarted } = await deps.workflows.start(COMPENSATION_WORKFLOW, name, { job_id: job.id });
  if (!alreadyStarted) logger.info('Compensation started', { job_id: job.id, execution: name });
}

export type CompensationRun = 'done' | 'working' | 'blocked' | 'nothing_to_do';

/** The compensation state machine's step: undo what the job left, as far as this invocation gets. */
export async function runCompensation(deps: EngineDeps, jobId: string): Promise<CompensationRun> {
  const job = await jobs.get(deps.store, jobId);
  if (!isFinished(job.status) || job.compensation?.status !== 'pending') return 'nothing_to_do';
  const type = jobTypeOf(job.type);
  let outcome: CompensationOutcome;
  try {
    outcome = type.compensate ? await type.compensate(deps, job) : { state: 'done' };
  } catch (e) {
    // Counted as an attempt: housekeeping starts the next one (a new execution) a minute later.
    logger.error('Compensation failed; housekeeping tries again', { job_id: jobId, error: e as Error });
    outcome = { state: 'blocked', detail: `last attempt failed: ${(e as Error).message}` };
  }
  const done = outcome.state === 'done';
  await jobs.update(deps.store, jobId, (j) => ({
    ...j,
    compensation: {
      status: done ? 'done' : 'pending',
      detail: outcome.detail,
      // An attempt is one execution: a step that only ran out of time goes on in the same one.
      attempts: (j.compensation?.attempts ?? 0) + (outcome.state === 'working' ? 0 : 1),
      updated_at: isoNow(deps.clock),
    },
    result: outcome.result ? { ...j.result, ...outcome.result } : j.result,
  }));
  if (!done) {
    logger.warn('Compensation still pending', { job_id: jobId, state: outcome.state, detail: outcome.detail });
    return outcome.state;
  }
  await releaseJobLocks(deps, jobId);
  logger.info('Compensation done', { job_id: jobId });
  return 'done';
}
