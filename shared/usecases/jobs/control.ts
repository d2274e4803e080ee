import { WORKFLOW_ERRORS } from '../../catalog/workflow-errors';
import { ConflictError } from '../../domain/errors';
import { isFinished, type Job } from '../../domain/job';
import type { ResumeRequest, ResumeRoute } from '../../jobs/job-type';
import { logger } from '../../observability/logger';
import { isoNow } from '../../ports/clock';
import { ExecutionNotFoundError, TaskTokenInvalidError } from '../../ports/workflows';
import { approvals } from '../../records/approvals';
import { recordAudit } from '../../records/audit';
import { jobs, listSteps } from '../../records/jobs';
import { type EngineDeps, jobTypeOf, moveJob } from './common';
import { endOperatorWaits } from './operator-waits';
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
  const cancelled = await stopJob(deps, current, 'cancelled', reason ?? `cancelled by ${actor}`, {
    cancelled_by: actor,
    cancelled_at: now,
  });
  await releaseHeld(deps, current, actor, now);
  await recordAudit(deps.store, { subject_id: id, action: 'job.cancelled', at: now, actor, detail: { reason: cancelled.status_reason } });
  logger.info('Job cancelled', { job_id: id, reason: cancelled.status_reason });
  return cancelled;
}

/** Ends a job from outside its workflow (cancel, pause timeout): the conditional move first, then its execution is stopped. */
export async function stopJob(
  deps: EngineDeps,
  job: Job,
  to: 'cancelled' | 'failed',
  reason: string,
  fields: Partial<Job> = {},
): Promise<Job> {
  const ended = await moveJob(deps, job.id, to, { ...fields, status_reason: reason });
  if (job.execution_id) {
    await deps.workflows
      .stop(job.execution_id, { error: to === 'cancelled' ? WORKFLOW_ERRORS.jobCancelled : WORKFLOW_ERRORS.jobFailed, cause: reason })
      .catch((e: unknown) => {
        if (!(e instanceof ExecutionNotFoundError)) throw e;
      });
  }
  return ended;
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

/**
 * Resumes a paused job with one of the actions its pause accepts. The job type routes the request to the
 * waits it ends (a maintenance job pauses per host) or ends the job (abort); each wait's state machine task
 * receives its output. Without a router every open wait receives the request as sent.
 */
export async function resumeJob(deps: EngineDeps, id: string, actor: string, request: ResumeRequest): Promise<Job> {
  const job = await jobs.get(deps.store, id);
  if (job.status === 'awaiting_approval')
    throw new ConflictError(`job '${id}' is waiting for approval ${job.waiting_for?.approval_id}; approve it at /api/v1/approvals`);
  const waits = job.operator_waits ?? [];
  if (job.status !== 'paused' || !waits.length)
    throw new ConflictError(`job '${id}' is ${job.status}, not paused; only a paused job can be resumed`, { status: job.status });
  const valid = [...new Set(waits.flatMap((w) => w.valid_actions))];
  if (!valid.includes(request.action))
    throw new ConflictError(`'${request.action}' is not a valid action here; valid actions: ${valid.join(', ')}`, {
      valid_actions: valid,
    });
  const type = jobTypeOf(job.type);
  const route: ResumeRoute = type.routeResume
    ? await type.routeResume(deps, job, request, actor)
    : { kind: 'settle', waits: waits.map((w) => ({ key: w.key, output: request })) };
  if (route.kind === 'cancel') {
    const cancelled = await cancelJob(deps, id, actor, route.reason);
    await recordAudit(deps.store, {
      subject_id: id,
      action: 'job.resumed',
      at: isoNow(deps.clock),
      actor,
      detail: { action: request.action },
    });
    return cancelled;
  }
  const ended = route.waits.map((r) => {
    const wait = waits.find((w) => w.key === r.key)!;
    if (!wait.valid_actions.includes(request.action))
      throw new ConflictError(`'${request.action}' is not valid for ${r.key}; valid there: ${wait.valid_actions.join(', ')}`);
    return { wait, output: r.output };
  });
  // The conditional write is what makes two concurrent resumes (or a resume and a cancel) safe.
  const resumed = await endOperatorWaits(
    deps,
    id,
    ended.map((e) => e.wait),
  );
  for (const { wait, output } of ended) {
    try {
      await deps.workflows.sendTaskSuccess(wait.task_token, { ...output, resumed_by: actor });
    } catch (e) {
      if (!(e instanceof TaskTokenInvalidError)) throw e;
      await moveJob(deps, id, 'failed', { status_reason: `interrupted: the paused execution no longer exists (step ${wait.step})` });
      throw new ConflictError(`job '${id}' could not be resumed: its execution no longer exists; it is now failed, retry it`);
    }
  }
  await recordAudit(deps.store, {
    subject_id: id,
    action: 'job.resumed',
    at: isoNow(deps.clock),
    actor,
    detail: { action: request.action, waits: ended.map((e) => e.wait.key) },
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
