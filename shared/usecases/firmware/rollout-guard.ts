/**
 * The rollout guard: before each server of a firmware_update job starts, "Check rollout" reads the runbook's
 * figures (iDRAC unreachable %, failed jobs in 24 h, job queue depth, as GET /health computes them) and the
 * servers this job has failed. A threshold crossed since the rollout began (or since an operator last said
 * `continue`), or more failed servers than `max_failed_hosts`, pauses the rollout before the server: the job is
 * `paused` and `waiting_for` says why. Servers already under way finish; `continue` accepts the state as it is
 * now and goes on, `abort` ends the job (its compensation undoes what is left).
 */
import { config } from '../../config';
import { type RolloutFigures, type RolloutThresholds, rolloutLevels, rolloutPauseReasons } from '../../domain/firmware';
import type { StepContext } from '../../jobs/job-type';
import { isoNow } from '../../ports/clock';
import { firmwareRollouts, firmwareTargets } from '../../records/firmware-targets';
import { idracFigures } from '../dell-endpoints';
import { jobFigures, jobQueueFigures } from '../health';
import type { EngineDeps } from '../jobs/common';
import { firmwareParamsOf, type ServerStepResult, serverCtx } from './server-context';
import { recordServerStep } from './steps';

const thresholds = (): RolloutThresholds => {
  const t = config().thresholds;
  return { idrac_unreachable_pct: t.idracUnreachablePct, failed_jobs_24h: t.failedJobs24h, job_queue_depth: t.jobQueueDepth };
};

export async function rolloutFigures(deps: Pick<EngineDeps, 'store' | 'clock' | 'queue'>): Promise<RolloutFigures> {
  // The job queue as /health counts it (jobs waiting to start): a discovery sweep's deep queue is work, not a reason to pause.
  const [idrac, jobs, queue] = await Promise.all([idracFigures(deps), jobFigures(deps), jobQueueFigures(deps)]);
  return { idrac_unreachable_pct: idrac.unreachable_pct, failed_jobs_24h: jobs.failed24h, job_queue_depth: queue.waiting };
}

const failedServers = async (deps: Pick<EngineDeps, 'store'>, jobId: string) =>
  (await firmwareTargets.ofJob(deps.store, jobId)).filter((t) => t.phase === 'failed').map((t) => t.target_id);

/** The operator wait of a rollout paused before one server (a host's own waits are keyed by its target id). */
export const rolloutWaitKey = (targetId: string) => `rollout:${targetId}`;
export const isRolloutWait = (key: string) => key.startsWith('rollout:');

/** What the rollout accepts at its start: written once, by the plan step. */
export async function openRollout(deps: Pick<EngineDeps, 'store' | 'clock' | 'queue'>, jobId: string): Promise<void> {
  if (await firmwareRollouts.exists(deps.store, jobId)) return;
  const levels = rolloutLevels(await rolloutFigures(deps), thresholds());
  await firmwareRollouts
    .create(deps.store, { id: jobId, baseline: { levels, failed_hosts: 0, source: 'start', at: isoNow(deps.clock) }, version: 1 })
    .catch(() => undefined); // a concurrent plan step wrote it first
}

/** "Check rollout": go, or pause before this server with the reasons. */
export async function checkRollout(ctx: StepContext, targetId: string): Promise<ServerStepResult> {
  const s = await serverCtx(ctx, targetId);
  // A server already under way (a resumed execution) finishes; the guard stands before servers not started.
  if (s.target.phase !== 'waiting') return { target_id: targetId, state: 'go' };
  const { deps, job } = ctx;
  const [rollout, figures, failed] = await Promise.all([
    firmwareRollouts.get(deps.store, job.id),
    rolloutFigures(deps),
    failedServers(deps, job.id),
  ]);
  const reasons = rolloutPauseReasons(figures, thresholds(), rollout.baseline, failed, s.params);
  await recordServerStep(deps, job, {
    name: 'Check rollout',
    target_id: targetId,
    status: 'succeeded',
    result: { figures, failed_servers: failed, decision: reasons.length ? 'pause' : 'go', reasons },
  });
  if (!reasons.length) return { target_id: targetId, state: 'go' };
  return {
    target_id: targetId,
    state: 'paused',
    wait_key: rolloutWaitKey(targetId),
    message: `rollout paused before ${targetId}: ${reasons.join('; ')}`,
    valid_actions: ['continue', 'abort'],
    details: { target_id: targetId, reasons, figures, failed_servers: failed },
    timeout_minutes: s.params.pause_timeout_minutes,
  };
}

/** "Continue rollout": an operator's `continue` accepts the figures and failures as they are now. */
export async function continueRollout(ctx: StepContext, targetId: string, actor: string): Promise<ServerStepResult> {
  const { deps, job } = ctx;
  const [figures, failed] = await Promise.all([rolloutFigures(deps), failedServers(deps, job.id)]);
  const params = firmwareParamsOf(ctx);
  await firmwareRollouts.update(deps.store, job.id, (r) => ({
    ...r,
    baseline: { levels: rolloutLevels(figures, thresholds()), failed_hosts: failed.length, source: 'continue', at: isoNow(deps.clock) },
  }));
  await recordServerStep(deps, job, {
    name: 'Continue rollout',
    target_id: targetId,
    status: 'succeeded',
    result: { resumed_by: actor, figures, failed_servers: failed, max_failed_hosts: params.max_failed_hosts },
  });
  return { target_id: targetId, state: 'go' };
}
