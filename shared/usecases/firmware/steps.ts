/** A firmware job's steps on one server, recorded as the engine records its own: a JID is the step's `external_task_id`. */
import { newId } from '../../domain/ids';
import type { Job, JobStep, StepStatus } from '../../domain/job';
import { logger } from '../../observability/logger';
import { isoNow } from '../../ports/clock';
import { putStep } from '../../records/jobs';
import type { EngineDeps } from '../jobs/common';

export async function recordServerStep(
  deps: Pick<EngineDeps, 'store' | 'clock'>,
  job: Pick<Job, 'id'>,
  s: {
    name: string;
    target_id: string;
    status: StepStatus;
    jid?: string;
    started_at?: string;
    error?: string;
    result: Record<string, unknown>;
  },
): Promise<void> {
  const now = deps.clock.now();
  const started = s.started_at ?? isoNow(deps.clock);
  const step: JobStep = {
    step_id: newId('step', now),
    job_id: job.id,
    name: s.name,
    target_id: s.target_id,
    status: s.status,
    started_at: started,
    finished_at: new Date(now).toISOString(),
    duration_ms: now - Date.parse(started),
    ...(s.jid ? { external_task_id: s.jid } : {}),
    ...(s.error ? { error: s.error } : {}),
    result: s.result,
  };
  await putStep(deps.store, step);
  logger.info('Job step completed', {
    job_id: job.id,
    step_id: step.step_id,
    step: s.name,
    target_id: s.target_id,
    external_task_id: s.jid,
    status: s.status,
    duration_ms: step.duration_ms,
  });
}
