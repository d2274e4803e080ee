import { isFinished } from '../../domain/job';
import { logger } from '../../observability/logger';
import { isoNow } from '../../ports/clock';
import { approvals } from '../../records/approvals';
import { jobs, listSteps, putStep } from '../../records/jobs';
import { type EngineDeps, executionRunning, jobTypeOf, moveJob } from './common';
import { enqueueJob } from './submit';
import { jobIdsIn } from './system';

export type ReconcileReport = { requeued: string[]; resumed: string[]; failed: string[] };

/**
 * After a restart nothing may stay `running` forever: every job whose execution no longer runs is resumed
 * (types with idempotent steps; finished targets are not redone) or failed with reason `interrupted`.
 * Queued jobs are handed to the dispatcher again, since their messages may have been lost with the process.
 */
export async function reconcileJobs(deps: EngineDeps): Promise<ReconcileReport> {
  const report: ReconcileReport = { requeued: [], resumed: [], failed: [] };
  for (const id of await jobIdsIn(deps, ['queued'])) {
    await enqueueJob(deps, id);
    report.requeued.push(id);
  }
  for (const id of await jobIdsIn(deps, ['running', 'paused', 'awaiting_approval'])) {
    const job = await jobs.get(deps.store, id);
    if (isFinished(job.status)) continue;
    if (job.execution_id && (await executionRunning(deps, job.execution_id))) continue;
    const type = jobTypeOf(job.type);
    if (job.waiting_for?.approval_id) {
      // The waiting execution is gone, and its token with it; a resumed run asks for approval afresh.
      await approvals.update(deps.store, job.waiting_for.approval_id, (a) =>
        a.status === 'pending' || a.status === 'deferred'
          ? {
              ...a,
              status: 'cancelled',
              task_token: undefined,
              history: [...a.history, { status: 'cancelled', by: 'system', at: isoNow(deps.clock), comment: 'execution interrupted' }],
            }
          : a,
      );
    }
    await interruptSteps(deps, id);
    if (type.resumableAfterCrash) {
      // Its host locks stay: they belong to the job, not to the execution that died (a failed job gives them back in moveJob).
      await jobs.update(deps.store, id, (j) => ({
        ...j,
        execution_attempt: j.execution_attempt + 1,
        task_token: undefined,
        // The waits' tokens died with the execution; the new one pauses again where it still has to.
        operator_waits: undefined,
        waiting_for: j.operator_waits?.length ? undefined : j.waiting_for,
        updated_at: isoNow(deps.clock),
      }));
      await enqueueJob(deps, id);
      report.resumed.push(id);
    } else {
      await moveJob(deps, id, 'failed', { status_reason: 'interrupted: the process running it stopped mid-job' });
      report.failed.push(id);
    }
  }
  if (report.requeued.length + report.resumed.length + report.failed.length) logger.warn('Jobs reconciled after restart', { ...report });
  return report;
}

/**
 * The dead attempt's steps that were running end `interrupted`. A step that waits on a vSphere task
 * (`external_task_id`) stays running: the task goes on in vCenter, and the resumed attempt or the job's
 * compensation takes it over.
 */
async function interruptSteps(deps: EngineDeps, jobId: string): Promise<void> {
  const at = deps.clock.now();
  for (const step of await listSteps(deps.store, jobId)) {
    if (step.status !== 'running' || step.external_task_id) continue;
    await putStep(deps.store, {
      ...step,
      status: 'interrupted',
      error: 'the process running this step stopped; the job was reconciled after the restart',
      finished_at: new Date(at).toISOString(),
      duration_ms: at - Date.parse(step.started_at),
    });
  }
}
