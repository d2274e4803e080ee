/**
 * The engine's step actions: the lifecycle every job state machine shares (start, the approval and operator
 * waits, finish, and recording a failure or cancellation the workflow caught). Each declares its payload and
 * the workflow errors the Task state calling it must catch.
 */
import { z } from 'zod';
import { WORKFLOW_ERRORS, type WorkflowErrorName } from '../../catalog/workflow-errors';
import { OPEN_APPROVAL } from '../../domain/approval';
import { ConflictError } from '../../domain/errors';
import { newId } from '../../domain/ids';
import { isFinished, type Job, type OperatorWait } from '../../domain/job';
import { isoNow } from '../../ports/clock';
import { approvals, policies } from '../../records/approvals';
import { jobs } from '../../records/jobs';
import { notification, notifyOperators } from '../notifications';
import { assertKillSwitchOff, type EngineDeps, jobTypeOf, moveJob } from './common';
import { runCompensation } from './compensation';
import { addOperatorWait } from './operator-waits';
import { activeJob, withStep } from './step-context';

export type EngineAction = {
  payload: z.ZodObject;
  /** Workflow errors the Task state calling this action can end with (thrown, or sent to its task token). */
  raises: readonly WorkflowErrorName[];
  run(deps: EngineDeps, input: { job_id: string }): Promise<unknown>;
};

function engineAction<S extends z.ZodObject>(
  payload: S,
  raises: readonly WorkflowErrorName[],
  run: (deps: EngineDeps, input: z.output<S> & { job_id: string }) => Promise<unknown>,
): EngineAction {
  // The union of every payload schema has parsed `input` with this very schema.
  return { payload, raises, run: (deps, input) => run(deps, input as z.output<S> & { job_id: string }) };
}

/** What a Catch with `"ResultPath": "$.error"` hands "Record failure" and "Record cancellation". */
const CaughtError = z.object({ Error: z.string().optional(), Cause: z.string().optional() }).default({});
const TaskToken = z.string().min(1);
const Outcome = z.object({ target_id: z.string(), ok: z.boolean() });
const { jobNotActive, approvalRejected, approvalExpired } = WORKFLOW_ERRORS;

/** The engine's step actions, by name; the job types' own come from the catalog. */
export const ENGINE_ACTIONS: Record<string, EngineAction> = {
  /** "Start job": the job leaves the queue; targets become the items the workflow maps over. */
  start: engineAction(z.object({}), [jobNotActive], async (deps, { job_id }) => {
    const job = await activeJob(deps, job_id);
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
  }),

  /** "Wait for approval" (.waitForTaskToken): opens the approval request and parks the job. */
  await_approval: engineAction(
    // `plan_hash`: what the approver approves (a maintenance job's plan); the job checks it again before it acts.
    z.object({ task_token: TaskToken, plan_hash: z.string().optional() }),
    [jobNotActive, approvalRejected, approvalExpired],
    async (deps, { job_id, task_token, plan_hash }) => {
      const job = await activeJob(deps, job_id);
      return withStep(deps, job, 'Wait for approval', async () => {
        const now = deps.clock.now();
        const at = new Date(now).toISOString();
        // A retried invocation (a transient Lambda error after the first one ran) brings a new token: the
        // approval it opened takes it, rather than a second approval asking the same question.
        const opened = job.waiting_for?.approval_id ? await approvals.find(deps.store, job.waiting_for.approval_id) : undefined;
        const approval =
          opened && OPEN_APPROVAL.includes(opened.status)
            ? await approvals.update(deps.store, opened.id, (a) => ({ ...a, task_token, plan_hash }))
            : await approvals.create(deps.store, {
                id: newId('approval', now),
                job_id: job.id,
                job_type: job.type,
                target_ids: job.target_ids,
                requested_by: job.requested_by,
                policy_id: job.approval_policy_id ?? 'unknown',
                status: 'pending',
                created_at: at,
                expires_at: new Date(now + (await approvalTimeoutMinutes(deps, job)) * 60_000).toISOString(),
                history: [{ status: 'pending', by: 'system', at }],
                task_token,
                plan_hash,
                version: 1,
              });
        await moveJob(deps, job.id, 'awaiting_approval', {
          task_token,
          waiting_for: {
            kind: 'approval',
            step: 'Wait for approval',
            message: `Policy ${approval.policy_id} requires approval by someone other than ${job.requested_by}`,
            valid_actions: ['approve', 'reject', 'defer'],
            since: at,
            approval_id: approval.id,
          },
        });
        if (approval !== opened)
          await notifyOperators(
            deps,
            notification(
              'approval.requested',
              at,
              approval.id,
              `EIO job ${job.id} (${job.type}) waits for approval`,
              `Policy ${approval.policy_id} requires approval by someone other than ${job.requested_by}, before ${approval.expires_at}`,
              {
                job_id: job.id,
                approval_id: approval.id,
                requested_by: job.requested_by,
                expires_at: approval.expires_at,
              },
            ),
          );
        return { result: { approval_id: approval.id }, record: { approval_id: approval.id } };
      });
    },
  ),

  /**
   * An operator pause (.waitForTaskToken): the job shows what it waits for and which actions end the wait. A
   * job waiting in several places at once (one Map item per host) has one wait per `wait_key`.
   */
  await_operator: engineAction(
    z.object({
      task_token: TaskToken,
      step_name: z.string().min(1).default('Wait for operator'),
      message: z.string(),
      valid_actions: z.array(z.string()).min(1),
      details: z.record(z.string(), z.unknown()).optional(),
      wait_key: z.string().min(1).default('job'),
      kind: z.enum(['operator', 'blocking_vms']).default('operator'),
      /** The job gives up after this long (housekeeping fails it with that reason). */
      timeout_minutes: z.number().positive().optional(),
    }),
    [jobNotActive],
    async (deps, input) => {
      const job = await activeJob(deps, input.job_id);
      return withStep(
        deps,
        job,
        input.step_name,
        async () => {
          const now = deps.clock.now();
          const wait: OperatorWait = {
            key: input.wait_key,
            task_token: input.task_token,
            kind: input.kind,
            step: input.step_name,
            message: input.message,
            valid_actions: input.valid_actions,
            since: new Date(now).toISOString(),
            details: input.details,
            timeout_at: input.timeout_minutes ? new Date(now + input.timeout_minutes * 60_000).toISOString() : undefined,
          };
          await addOperatorWait(deps, job.id, wait);
          await notifyOperators(
            deps,
            notification('job.paused', wait.since, job.id, `EIO job ${job.id} (${job.type}) paused: ${input.step_name}`, input.message, {
              job_id: job.id,
              step: input.step_name,
              valid_actions: input.valid_actions.join(', '),
              timeout_at: wait.timeout_at ?? null,
            }),
          );
          return { result: {} };
        },
        input.wait_key === 'job' ? undefined : input.wait_key,
      );
    },
  ),

  /** "Finish job": succeeded when every target step succeeded, otherwise failed naming how many did not. */
  finish: engineAction(
    // A Map of Maps (hosts per cluster) hands over one list of outcomes per group.
    z.object({ outcomes: z.array(z.union([Outcome, z.array(Outcome)])).default([]) }),
    [jobNotActive],
    async (deps, { job_id, outcomes: nested }) => {
      const job = await activeJob(deps, job_id);
      const outcomes = nested.flat();
      const bad = outcomes.filter((o) => !o.ok).map((o) => o.target_id);
      const result = await withStep(deps, job, 'Finish job', async () => {
        const extra = (await jobTypeOf(job.type).result?.(deps, job)) ?? {};
        const tally = { targets: outcomes.length, failed_targets: bad, ...extra };
        return { result: tally, record: { targets: outcomes.length, failed_targets: bad } };
      });
      // The job ends after its last step is recorded: whoever sees it ended sees every step ended too.
      const reason = `${bad.length} of ${outcomes.length} target(s) failed: ${bad.join(', ')}`;
      await moveJob(deps, job.id, bad.length ? 'failed' : 'succeeded', bad.length ? { status_reason: reason, result } : { result });
      return { result };
    },
  ),

  /** "Record failure": the workflow caught an error; the job fails with it unless it already ended. */
  fail: engineAction(z.object({ error: CaughtError }), [], async (deps, { job_id, error }) => {
    const job = await jobs.get(deps.store, job_id);
    if (isFinished(job.status)) return { status: job.status };
    const reason = error.Error === jobNotActive ? 'ended elsewhere' : `${error.Error ?? 'Error'}: ${causeMessage(error.Cause)}`;
    await moveJob(deps, job.id, 'failed', { status_reason: reason }).catch((e: unknown) => {
      if (!(e instanceof ConflictError)) throw e;
    });
    return { status: 'failed' };
  }),

  /** "Undo what the job left" (statemachines/job-compensation.asl.json): the job's compensation, as far as one invocation gets. */
  compensate: engineAction(z.object({}), [], async (deps, { job_id }) => ({ state: await runCompensation(deps, job_id) })),

  /** "Record cancellation": rejected or expired approval. */
  cancel: engineAction(z.object({ error: CaughtError }), [], async (deps, { job_id, error }) => {
    const job = await jobs.get(deps.store, job_id);
    if (isFinished(job.status)) return { status: job.status };
    const expired = error.Error === approvalExpired;
    if (expired && job.waiting_for?.approval_id) {
      await approvals.update(deps.store, job.waiting_for.approval_id, (a) => ({
        ...a,
        status: OPEN_APPROVAL.includes(a.status) ? 'expired' : a.status,
        task_token: undefined,
        history: [...a.history, { status: 'expired', by: 'system', at: isoNow(deps.clock) }],
      }));
    }
    const reason = expired ? 'approval expired before anyone decided' : `approval rejected: ${causeMessage(error.Cause)}`;
    await moveJob(deps, job.id, 'cancelled', { status_reason: reason, cancelled_by: 'system', cancelled_at: isoNow(deps.clock) });
    return { status: 'cancelled' };
  }),
};

async function approvalTimeoutMinutes(deps: EngineDeps, job: Job): Promise<number> {
  const policy = job.approval_policy_id ? await policies.find(deps.store, job.approval_policy_id) : undefined;
  return policy?.approval_timeout_minutes ?? 24 * 60;
}

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
