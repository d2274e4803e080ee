import { z } from 'zod';
import { ConflictError } from '../../domain/errors';
import { newId } from '../../domain/ids';
import { isFinished, type Job, type JobStep } from '../../domain/job';
import { probeTarget } from '../../jobs/health-check';
import { addToContext } from '../../observability/context';
import { logger } from '../../observability/logger';
import { approvals, policies } from '../../records/approvals';
import { jobs, listSteps, putStep } from '../../records/jobs';
import { assertKillSwitchOff, type EngineDeps, isoNow, moveJob } from './common';

/**
 * The job step function: every Task state of every job state machine calls it with an `action`. Engine
 * actions keep the lifecycle; job-type actions do the work. Each call records a JobStep and logs it with
 * job_id, step_id and duration_ms. Side-effecting actions check the kill switch and the job's own status
 * first, because stopping an execution does not interrupt a Lambda that is already running.
 */
export class JobNotActiveError extends Error {
  constructor(job: Job) {
    super(`job '${job.id}' is ${job.status}; nothing more runs for it`);
    this.name = 'JobNotActive';
  }
}

const Base = z.object({ action: z.string(), job_id: z.string(), step_name: z.string().optional() });

export async function withStep<T>(
  deps: EngineDeps,
  job: Job,
  name: string,
  work: (step: JobStep) => Promise<{ result: T; status?: JobStep['status']; error?: string; record?: Record<string, unknown> }>,
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

/** The job as it is now; a finished job ends the workflow (JobNotActive is caught by the ASL). */
async function activeJob(deps: EngineDeps, id: string): Promise<Job> {
  const job = await jobs.get(deps.store, id);
  if (isFinished(job.status)) throw new JobNotActiveError(job);
  return job;
}

/** Step actions by name; job types add theirs here (health_check's `probe_target` below). */
export const JOB_STEP_ACTIONS: Record<string, (deps: EngineDeps, payload: Record<string, unknown>) => Promise<unknown>> = {
  /** "Start job": the job leaves the queue; targets become the items the workflow maps over. */
  async start(deps, p) {
    const job = await activeJob(deps, String(p.job_id));
    return withStep(deps, job, 'Start job', async () => {
      await assertKillSwitchOff(deps);
      // A job resumed after a restart may arrive here awaiting approval or paused: the approval is asked
      // afresh (its old token died with the process); a paused job carries on running.
      const needsApproval = job.requires_approval && (job.status === 'queued' || job.status === 'awaiting_approval');
      if (!needsApproval && job.status !== 'running') await moveJob(deps, job.id, 'running');
      return {
        result: {
          requires_approval: needsApproval,
          params: job.params,
          items: job.target_ids.map((target_id) => ({ job_id: job.id, target_id })),
        },
      };
    });
  },

  /** "Wait for approval" (.waitForTaskToken): opens the approval request and parks the job. */
  async await_approval(deps, p) {
    const job = await activeJob(deps, String(p.job_id));
    const token = z.string().min(1).parse(p.task_token);
    return withStep(deps, job, 'Wait for approval', async () => {
      const policy = job.approval_policy_id ? await policies.find(deps.store, job.approval_policy_id) : undefined;
      const now = deps.clock.now();
      const at = new Date(now).toISOString();
      const approval = await approvals.create(deps.store, {
        id: newId('approval', now),
        job_id: job.id,
        job_type: job.type,
        target_ids: job.target_ids,
        requested_by: job.requested_by,
        policy_id: job.approval_policy_id ?? 'unknown',
        status: 'pending',
        created_at: at,
        expires_at: new Date(now + (policy?.approval_timeout_minutes ?? 24 * 60) * 60_000).toISOString(),
        history: [{ status: 'pending', by: 'system', at }],
        task_token: token,
        version: 1,
      });
      await moveJob(deps, job.id, 'awaiting_approval', {
        task_token: token,
        waiting_for: {
          kind: 'approval',
          step: 'Wait for approval',
          message: `Policy ${approval.policy_id} requires approval by someone other than ${job.requested_by}`,
          valid_actions: ['approve', 'reject', 'defer'],
          since: at,
          approval_id: approval.id,
        },
      });
      return { result: { approval_id: approval.id }, status: 'succeeded', record: { approval_id: approval.id } };
    });
  },

  /** An operator pause (.waitForTaskToken): the job shows what it waits for and which actions end the wait. */
  async await_operator(deps, p) {
    const job = await activeJob(deps, String(p.job_id));
    const input = z
      .object({
        task_token: z.string().min(1),
        message: z.string(),
        valid_actions: z.array(z.string()).min(1),
        details: z.record(z.string(), z.unknown()).optional(),
      })
      .parse(p);
    const name = String(p.step_name ?? 'Wait for operator');
    return withStep(deps, job, name, async () => {
      await moveJob(deps, job.id, 'paused', {
        task_token: input.task_token,
        waiting_for: {
          kind: 'operator',
          step: name,
          message: input.message,
          valid_actions: input.valid_actions,
          since: isoNow(deps),
          details: input.details,
        },
      });
      return { result: {} };
    });
  },

  /** health_check's "Probe target": one step per target with the probe's result. */
  async probe_target(deps, p) {
    const job = await activeJob(deps, String(p.job_id));
    const targetId = z.string().parse(p.target_id);
    // Resuming after a restart: a target that already succeeded is not probed again.
    const done = (await listSteps(deps.store, job.id)).find((s) => s.target_id === targetId && s.status === 'succeeded');
    if (done) return { target_id: targetId, ok: true };
    return withStep(
      deps,
      job,
      'Probe target',
      async () => {
        await assertKillSwitchOff(deps);
        const outcome = await probeTarget(deps, targetId);
        return {
          result: { target_id: targetId, ok: outcome.ok },
          status: outcome.ok ? 'succeeded' : 'failed',
          error: outcome.ok ? undefined : String(outcome.result.error ?? 'unreachable'),
          record: outcome.result,
        };
      },
      targetId,
    );
  },

  /** "Finish job": succeeded when every target step succeeded, otherwise failed naming how many did not. */
  async finish(deps, p) {
    const job = await activeJob(deps, String(p.job_id));
    const outcomes = z.array(z.object({ target_id: z.string(), ok: z.boolean() })).default([]).parse(p.outcomes);
    return withStep(deps, job, 'Finish job', async () => {
      const bad = outcomes.filter((o) => !o.ok).map((o) => o.target_id);
      const result = { targets: outcomes.length, failed_targets: bad };
      if (bad.length) await moveJob(deps, job.id, 'failed', { status_reason: `${bad.length} of ${outcomes.length} target(s) failed: ${bad.join(', ')}`, result });
      else await moveJob(deps, job.id, 'succeeded', { result });
      return { result };
    });
  },

  /** "Record failure": the workflow caught an error; the job fails with it unless it already ended. */
  async fail(deps, p) {
    const job = await jobs.get(deps.store, String(p.job_id));
    const error = z.object({ Error: z.string().optional(), Cause: z.string().optional() }).default({}).parse(p.error);
    if (isFinished(job.status)) return { status: job.status };
    const reason = error.Error === 'JobNotActive' ? 'ended elsewhere' : `${error.Error ?? 'Error'}: ${causeMessage(error.Cause)}`;
    await moveJob(deps, job.id, 'failed', { status_reason: reason }).catch((e: unknown) => {
      if (!(e instanceof ConflictError)) throw e;
    });
    return { status: 'failed' };
  },

  /** "Record cancellation": rejected or expired approval. */
  async cancel(deps, p) {
    const job = await jobs.get(deps.store, String(p.job_id));
    if (isFinished(job.status)) return { status: job.status };
    const error = z.object({ Error: z.string().optional(), Cause: z.string().optional() }).default({}).parse(p.error);
    const expired = error.Error === 'ApprovalExpired';
    if (expired && job.waiting_for?.approval_id) {
      await approvals.update(deps.store, job.waiting_for.approval_id, (a) => ({
        ...a,
        status: a.status === 'pending' || a.status === 'deferred' ? 'expired' : a.status,
        task_token: undefined,
        history: [...a.history, { status: 'expired', by: 'system', at: isoNow(deps) }],
      }));
    }
    const reason = expired ? 'approval expired before anyone decided' : `approval rejected: ${causeMessage(error.Cause)}`;
    await moveJob(deps, job.id, 'cancelled', { status_reason: reason, cancelled_by: 'system', cancelled_at: isoNow(deps) });
    return { status: 'cancelled' };
  },
};

/** Lambda and the local engine report a function error's cause as JSON `{errorMessage}`; show the message. */
function causeMessage(cause?: string): string {
  if (!cause) return 'no details';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    return parsed.errorMessage ?? cause;
  } catch {
    return cause;
  }
}

export async function runJobStep(deps: EngineDeps, payload: unknown): Promise<unknown> {
  const base = Base.parse(payload);
  const action = JOB_STEP_ACTIONS[base.action];
  if (!action) throw new Error(`Unknown job step action '${base.action}'`);
  addToContext({ job_id: base.job_id });
  return action(deps, payload as Record<string, unknown>);
}
