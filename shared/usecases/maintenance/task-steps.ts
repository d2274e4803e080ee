/**
 * vSphere tasks as job steps: each task a maintenance step starts (a migration, a power operation, entering
 * maintenance mode) is one JobStep whose `external_task_id` is the vCenter task id, started at bounded
 * parallelism, awaited through the client's PropertyCollector (WaitForUpdatesEx on the task objects, not one
 * poll per task) and logged with job_id, step_id, external_task_id and duration_ms. A step invocation works
 * until its deadline; what still runs then is awaited by the next invocation, found by its running step.
 */

import { newId } from '../../domain/ids';
import type { Job, JobStep } from '../../domain/job';
import { mapBounded } from '../../lib/async';
import { logger } from '../../observability/logger';
import { isoNow } from '../../ports/clock';
import { type VCenterClient, VSphereTaskError } from '../../ports/vcenter';
import { listSteps, listStepsSince, putStep } from '../../records/jobs';
import type { EngineDeps } from '../jobs/common';

export type TaskEnv = {
  deps: EngineDeps;
  job: Job;
  vc: VCenterClient;
  /** The host's target id: every step names it. */
  targetId: string;
  /** Refuses (throws) once the kill switch is on or the job has ended: called right before each vSphere call. */
  mayAct(): Promise<void>;
  /** When this invocation stops waiting and hands over to the next. */
  deadline: number;
  /** When the host's work began (epoch ms): its steps are all from then on. Unset: every step of the job is read. */
  since?: number;
};

/** Step ids carry the clock of the function that made them: steps that clocks a little apart stamped are still read. */
const CLOCK_SKEW_MS = 60_000;

/** One task to start: the step's name, what it acts on (a VM id or the host) and the vSphere call. */
export type TaskSpec = { name: string; subject: string; subject_name?: string; start: () => Promise<string> };
export type TaskOutcome = { subject: string; ok: boolean; fault?: { fault_type: string; message: string }; task_id: string };

/** Steps of this host still running a vSphere task (started by an earlier invocation or execution). */
export async function runningTaskSteps(env: Pick<TaskEnv, 'deps' | 'job' | 'targetId' | 'since'>, name?: string): Promise<JobStep[]> {
  const { store } = env.deps;
  const steps =
    env.since === undefined ? await listSteps(store, env.job.id) : await listStepsSince(store, env.job.id, env.since - CLOCK_SKEW_MS);
  return steps.filter((s) => s.target_id === env.targetId && s.status === 'running' && s.external_task_id && (!name || s.name === name));
}

/** Every step of the job still running a vSphere task, whatever host (compensation cancels them). */
export async function allRunningTaskSteps(deps: Pick<EngineDeps, 'store'>, jobId: string): Promise<JobStep[]> {
  return (await listSteps(deps.store, jobId)).filter((s) => s.status === 'running' && s.external_task_id);
}

async function finishStep(env: TaskEnv, step: JobStep, outcome: TaskOutcome): Promise<void> {
  const finished = env.deps.clock.now();
  const duration = finished - Date.parse(step.started_at);
  const done: JobStep = {
    ...step,
    status: outcome.ok ? 'succeeded' : outcome.fault?.fault_type === 'RequestCanceled' ? 'cancelled' : 'failed',
    error: outcome.fault ? `${outcome.fault.fault_type}: ${outcome.fault.message}` : undefined,
    finished_at: new Date(finished).toISOString(),
    duration_ms: duration,
  };
  await putStep(env.deps.store, done);
  logger.info('Job step completed', {
    job_id: env.job.id,
    step_id: step.step_id,
    step: step.name,
    target_id: env.targetId,
    external_task_id: step.external_task_id,
    status: done.status,
    duration_ms: duration,
  });
}

/** Waits for one task step until the deadline: its outcome, or undefined while it still runs. */
async function awaitStep(env: TaskEnv, step: JobStep): Promise<TaskOutcome | undefined> {
  const subject = String(step.result?.subject ?? env.targetId);
  const task_id = step.external_task_id!;
  const [result] = await env.vc.waitForTasks([task_id], { timeoutMs: Math.max(1_000, env.deadline - env.deps.clock.now()) });
  if (result!.ok) {
    const outcome = { subject, ok: true, task_id };
    await finishStep(env, step, outcome);
    return outcome;
  }
  if (!(result!.error instanceof VSphereTaskError)) return undefined; // timed out or the session went: still running
  const e = result!.error;
  const fault = { fault_type: e.faultType ?? 'unknown', message: e.info.error?.message || e.message };
  const outcome = { subject, ok: false, task_id, fault };
  await finishStep(env, step, outcome);
  return outcome;
}

/**
 * Starts the tasks (at most `limit` running at once, counting those still running from before) and waits for
 * them. `unfinished` when the deadline came first: call again, and the running ones are awaited then.
 * `running`: the host's steps still running, when the caller has just read them.
 */
export async function runTaskSteps(
  env: TaskEnv,
  specs: TaskSpec[],
  limit: number,
  running?: JobStep[],
): Promise<{ outcomes: TaskOutcome[]; unfinished: boolean }> {
  const outcomes: TaskOutcome[] = [];
  let unfinished = false;
  const earlier = running ?? (await runningTaskSteps(env));
  const busy = new Set(earlier.map((s) => String(s.result?.subject)));
  const queue: (() => Promise<void>)[] = [
    ...earlier.map((step) => async () => {
      const o = await awaitStep(env, step);
      if (o) outcomes.push(o);
      else unfinished = true;
    }),
    ...specs
      .filter((s) => !busy.has(s.subject))
      .map((spec) => async () => {
        if (env.deps.clock.now() >= env.deadline) {
          unfinished = true;
          return;
        }
        // Checked again after waiting for a slot: the kill switch or a cancel may have come meanwhile.
        await env.mayAct();
        const started = env.deps.clock.now();
        const task_id = await spec.start();
        const step: JobStep = {
          step_id: newId('step', started),
          job_id: env.job.id,
          name: spec.name,
          target_id: env.targetId,
          status: 'running',
          started_at: new Date(started).toISOString(),
          external_task_id: task_id,
          result: { subject: spec.subject, ...(spec.subject_name ? { subject_name: spec.subject_name } : {}) },
        };
        await putStep(env.deps.store, step);
        const o = await awaitStep(env, step);
        if (o) outcomes.push(o);
        else unfinished = true;
      }),
  ];
  await mapBounded(queue, Math.max(limit, 1), (run) => run());
  return { outcomes, unfinished };
}

/** A step without a vSphere task (a guest shutdown, a probe), recorded the same way. */
export async function recordStep(
  env: Pick<TaskEnv, 'deps' | 'job' | 'targetId'>,
  name: string,
  result: Record<string, unknown>,
  error?: string,
) {
  const now = isoNow(env.deps.clock);
  const step: JobStep = {
    step_id: newId('step', env.deps.clock.now()),
    job_id: env.job.id,
    name,
    target_id: env.targetId,
    status: error ? 'failed' : 'succeeded',
    started_at: now,
    finished_at: now,
    duration_ms: 0,
    error,
    result,
  };
  await putStep(env.deps.store, step);
}
