import { WORKFLOWS } from '../../catalog/workflows';
import { isFinished } from '../../domain/job';
import { addToContext } from '../../observability/context';
import { logger } from '../../observability/logger';
import { jobs } from '../../records/jobs';
import { readSwitch } from '../../records/switches';
import { type EngineDeps, executionName, executionRunning, jobTypeOf } from './common';
import { cancelJob } from './control';

export type DispatchOutcome = 'started' | 'already_started' | 'left_to_reconcile' | 'held' | 'skipped' | 'cancelled';

/**
 * The dispatcher's work for one queued job: start one execution of its type's state machine, named after
 * the job, so a duplicate message or a retried dispatch is a no-op. While the scheduler is paused the job
 * stays queued (resume re-enqueues it); under the kill switch it is cancelled.
 *
 * An execution of the job's current attempt is started at most once. The local engine forgets executions
 * when its process dies, so a dispatch message delivered again after a crash would otherwise start a job
 * that was already at work a second time, from scratch, even a type whose steps must not run twice.
 * Such a job is left to the restart's reconciliation, which resumes it as a new attempt or fails it.
 */
export async function dispatchJob(deps: EngineDeps, jobId: string): Promise<DispatchOutcome> {
  addToContext({ job_id: jobId });
  const job = await jobs.find(deps.store, jobId);
  if (!job || isFinished(job.status)) return 'skipped';
  if ((await readSwitch(deps.store, 'kill-switch')).on) {
    await cancelJob(deps, jobId, 'system', 'kill switch active when the job was dispatched');
    return 'cancelled';
  }
  if (job.status === 'queued' && (await readSwitch(deps.store, 'scheduler')).on) {
    logger.info('Job held: the scheduler is paused');
    return 'held';
  }
  const type = jobTypeOf(job.type);
  if (!WORKFLOWS[type.workflow]) throw new Error(`Job type ${type.name} names unknown workflow ${type.workflow}`);
  const name = executionName(job);
  const executionId = await deps.workflows.executionId(type.workflow, name);
  if (job.status !== 'queued' && job.execution_id === executionId) {
    if (await executionRunning(deps, executionId)) return 'already_started';
    logger.warn('Job not started again: its execution was lost; the restart reconciliation resumes or fails it', {
      execution_id: executionId,
    });
    return 'left_to_reconcile';
  }
  // Named on the job before it starts, so no crash can leave a started execution the job does not name.
  if (job.execution_id !== executionId) await jobs.update(deps.store, jobId, (j) => ({ ...j, execution_id: executionId }));
  const { alreadyStarted } = await deps.workflows.start(type.workflow, name, {
    job_id: job.id,
    type: job.type,
    attempt: job.execution_attempt,
  });
  logger.info(alreadyStarted ? 'Job execution already started' : 'Job execution started', { execution_id: executionId });
  return alreadyStarted ? 'already_started' : 'started';
}
