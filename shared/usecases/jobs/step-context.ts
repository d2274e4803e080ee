/**
 * What every step shares: a JobStep recorded around the work (status, duration, error; logged with job_id and
 * step_id under the job's correlation id), the check that the job has not ended, and the context a job
 * type's action runs in.
 */
import { WORKFLOW_ERRORS } from '../../catalog/workflow-errors';
import { newId } from '../../domain/ids';
import { isFinished, type Job, type JobStep } from '../../domain/job';
import type { StepContext } from '../../jobs/job-type';
import { addToContext } from '../../observability/context';
import { logger } from '../../observability/logger';
import { jobs, listSteps, putStep } from '../../records/jobs';
import { assertKillSwitchOff, type EngineDeps } from './common';
import { gatedIdrac } from './device-gate';

export class JobNotActiveError extends Error {
  constructor(job: Job) {
    super(`job '${job.id}' is ${job.status}; nothing more runs for it`);
    this.name = WORKFLOW_ERRORS.jobNotActive;
  }
}

type StepOutcome<T> = { result: T; status?: JobStep['status']; error?: string; record?: Record<string, unknown> };

export async function withStep<T>(
  deps: EngineDeps,
  job: Job,
  name: string,
  work: (step: JobStep) => Promise<StepOutcome<T>>,
  targetId?: string,
): Promise<T> {
  const started = deps.clock.now();
  const step: JobStep = {
    step_id: newId('step', started),
    job_id: job.id,
    name,
    target_id: targetId,
    status: 'running',
    started_at: new Date(started).toISOString(),
  };
  addToContext({ job_id: job.id, step_id: step.step_id, ...(job.correlation_id ? { correlation_id: job.correlation_id } : {}) });
  await putStep(deps.store, step);
  try {
    const outcome = await work(step);
    const finished = deps.clock.now();
    const done: JobStep = {
      ...step,
      status: outcome.status ?? 'succeeded',
      error: outcome.error,
      result: outcome.record,
      finished_at: new Date(finished).toISOString(),
      duration_ms: finished - started,
    };
    await putStep(deps.store, done);
    logger.info('Job step completed', { step: name, status: done.status, duration_ms: done.duration_ms, target_id: targetId });
    return outcome.result;
  } catch (e) {
    const finished = deps.clock.now();
    await putStep(deps.store, {
      ...step,
      status: 'failed',
      error: (e as Error).message,
      finished_at: new Date(finished).toISOString(),
      duration_ms: finished - started,
    });
    logger.warn('Job step failed', { step: name, error: e as Error, duration_ms: finished - started });
    throw e;
  }
}

/** The job as it is now; a finished job ends the workflow (its state machine catches JobNotActive). */
export async function activeJob(deps: EngineDeps, id: string): Promise<Job> {
  const job = await jobs.get(deps.store, id);
  if (isFinished(job.status)) throw new JobNotActiveError(job);
  return job;
}

/** What a job type's action gets from the engine (shared/jobs/job-type.ts). */
export function stepContext(engine: EngineDeps, job: Job): StepContext {
  const deps = { ...engine, idrac: gatedIdrac(engine.idrac, () => assertKillSwitchOff(engine)) };
  return {
    deps,
    job,
    assertKillSwitchOff: () => assertKillSwitchOff(deps),
    jobStep: (name, work) => withStep(deps, job, name, work),
    async targetStep(name, targetId, work) {
      // Resuming after a restart: a target whose step already succeeded is not worked again.
      const done = (await listSteps(deps.store, job.id)).some((s) => s.target_id === targetId && s.status === 'succeeded');
      if (done) return { target_id: targetId, ok: true };
      return withStep(
        deps,
        job,
        name,
        async (step) => {
          const { ok, status, error, record } = await work(step);
          return { result: { target_id: targetId, ok }, status: status ?? (ok ? 'succeeded' : 'failed'), error, record };
        },
        targetId,
      );
    },
  };
}
