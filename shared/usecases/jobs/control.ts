import { WORKFLOW_ERRORS } from '../../catalog/workflow-errors';
import { ConflictError } from '../../domain/errors';
import { isFinished, type Job } from '../../domain/job';
import { logger } from '../../observability/logger';
import { isoNow } from '../../ports/clock';
import { ExecutionNotFoundError, TaskTokenInvalidError } from '../../ports/workflows';
import { approvals } from '../../records/approvals';
import { recordAudit } from '../../records/audit';
import { jobs, listSteps } from '../../records/jobs';
import { type EngineDeps, jobTypeOf, moveJob } from './common';
import { submitJob } from './submit';

/**
 * Cancels a job: the conditional write to `cancelled` wins or loses against any concurrent transition, then
 * the execution is stopped and what the job holds is released. A Lambda step already talking to a device is
 * not interrupted by Step Functions; it checks the job before acting and records what it did.
 */
export async function cancelJob(deps: EngineDeps, id: string, actor: string, reason?: string): Promise<Job> {
  const current = await jobs.get(deps.store, id);
  if (current.status === 'cancelled') return current;
  if (isFinished(current.status))
    throw new ConflictError(`job '${id}' already ${current.status} at ${current.finished_at}; there is nothing to cancel`, {
      status: current.status,
    });
  const now = isoNow(deps.clock);
  const cancelled = await moveJob(deps, id, 'cancelled', {
    cancelled_by: actor,
    cancelled_at: now,
    status_reason: reason ?? `cancelled by ${actor}`,
  });
  if (current.execution_id) {
    await deps.workflows
      .stop(current.execution_id, { error: WORKFLOW_ERRORS.jobCancelled, cause: cancelled.status_reason })
      .catch((e: unknown) => {
        if (!(e instanceof ExecutionNotFoundError)) throw e;
      });
  }
  await releaseHeld(deps, current, actor, now);
  await recordAudit(deps.store, { subject_id: id, action: 'job.cancelled', at: now, actor, detail: { reason: cancelled.status_reason } });
  logger.info('Job cancelled', { job_id: id, reason: cancelled.status_reason });
  return cancelled;
}

/** Compensation: close an open approval. (The move to `cancelled` has given back the job's host locks: moveJob.) */
async function releaseHeld(deps: EngineDeps, job: Job, actor: string, at: string): Promise<void> {
  const approvalId = job.waiting_for?.approval_id;
  if (!approvalId) return;
  await approvals
    .update(deps.store, approvalId, (a) =>
      a.status === 'pending' || a.status === 'deferred'
        ? { ...a, status: 'cancelled', task_token: undefined, history: [...a.history, { status: 'cancelled', by: actor, at }] }
        : a,
    )
    .catch((e: unknown) => logger.warn('Approval could not be closed', { approval_id: approvalId, error: e as Error }));
}

export type ResumeRequest = { action: string } & Record<string, unknown>;

/** Resumes a paused job with one of the actions its pause accepts; the action and its fields reach the workflow. */
export async function resumeJob(deps: EngineDeps, id: string, actor: string, request: ResumeRequest): Promise<Job> {
  const job = await jobs.get(deps.store, id);
  if (job.status === 'awaiting_approval')
    throw new ConflictError(`job '${id}' is waiting for approval ${job.waiting_for?.approval_id}; approve it at /api/v1/approvals`);
  if (job.status !== 'paused' || !job.waiting_for || !job.task_token)
    throw new ConflictError(`job '${id}' is ${job.status}, not paused; only a paused job can be resumed`, { status: job.status });
  const valid = job.waiting_for.valid_actions;
  if (!valid.includes(request.action))
    throw new ConflictError(`'${request.action}' is not a valid action here; valid actions: ${valid.join(', ')}`, {
      valid_actions: valid,
    });
  const token = job.task_token;
  const step = job.waiting_for.step;
  // The conditional move to running is what makes two concurrent resumes (or a resume and a cancel) safe.
  const resumed = await jobs.update(deps.store, id, (j) => {
    if (j.status !== 'paused' || j.task_token !== token) throw new ConflictError(`job '${id}' is no longer paused`, { status: j.status });
    return { ...j, status: 'running', waiting_for: undefined, task_token: undefined, updated_at: isoNow(deps.clock) };
  });
  try {
    await deps.workflows.sendTaskSuccess(token, { ...request, resumed_by: actor });
  } catch (e) {
    if (!(e instanceof TaskTokenInvalidError)) throw e;
    await moveJob(deps, id, 'failed', { status_reason: `interrupted: the paused execution no longer exists (step ${step})` });
    throw new ConflictError(`job '${id}' could not be resumed: its execution no longer exists; it is now failed, retry it`);
  }
  await recordAudit(deps.store, {
    subject_id: id,
    action: 'job.resumed',
    at: isoNow(deps.clock),
    actor,
    detail: { action: request.action, step },
  });
  return resumed;
}

/** Runs a failed or cancelled job again as a new job linked to it; types that allow it redo only what failed. */
export async function retryJob(deps: EngineDeps, id: string, actor: string): Promise<Job> {
  const old = await jobs.get(deps.store, id);
  if (old.status !== 'failed' && old.status !== 'cancelled')
    throw new ConflictError(`job '${id}' is ${old.status}; only failed or cancelled jobs can be retried`, { status: old.status });
  const type = jobTypeOf(old.type);
  let targets = old.target_ids;
  if (type.retryFailedTargetsOnly) {
    const done = new Set((await listSteps(deps.store, id)).filter((s) => s.target_id && s.status === 'succeeded').map((s) => s.target_id));
    const remaining = old.target_ids.filter((t) => !done.has(t));
    if (remaining.length) targets = remaining;
  }
  const { job } = await submitJob(deps, { type: old.type, target_ids: targets, params: old.params }, actor);
  return jobs.update(deps.store, job.id, (j) => ({ ...j, retry_of: old.id }));
}
