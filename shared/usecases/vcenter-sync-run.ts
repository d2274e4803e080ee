/**
 * Executing sync runs, one attempt per queue message: the run's lifecycle (running → retrying → … →
 * succeeded | failed), the instance's lease (a run that finds it held waits its turn) and what the instance
 * shows afterwards. The sync itself is vcenter-sync.ts; which failures are retried and when is vcenter-sync-retry.ts.
 */

import { sendToPool } from '../catalog/messages';
import { config } from '../config';
import type { SyncChanges, SyncCounts, SyncProgress, SyncRun, SyncType } from '../domain/vcenter';
import { logger } from '../observability/logger';
import { isoNow } from '../ports/clock';
import type { VCenterClient } from '../ports/vcenter';
import { syncRuns, vcenterInstances } from '../records/vcenter';
import type { Deps } from './deps';
import { vcenterClient } from './vcenter-clients';
import { deltaOrFull, emptyChanges, emptyCounts, fullSync, type Progress } from './vcenter-sync';
import { type AttemptFailure, classifySyncFailure, isStaleAttempt, retryDelaySeconds } from './vcenter-sync-retry';

type RunDeps = Pick<Deps, 'store' | 'secrets' | 'clock' | 'queue' | 'vcenter'>;

type Outcome = { executed: SyncType; fallback?: string; counts: SyncCounts; changes: SyncChanges };

/**
 * Runs one attempt of a sync run and records the outcome on the run and the instance. Never throws for
 * vCenter errors: a transport failure queues the next attempt (same run, delayed message) until
 * `max_attempts`; any other failure, or the last attempt, ends the run `failed` with the error.
 */
export async function executeSync(deps: RunDeps, runId: string, attempt = 1): Promise<SyncRun> {
  const current = await syncRuns.get(deps.store, runId);
  if (isStaleAttempt(current, attempt)) return current; // a redelivered or superseded message
  let instance = await vcenterInstances.find(deps.store, current.instance_id);
  if (!instance) return endWithoutRunning(deps, runId, `vCenter instance '${current.instance_id}' no longer exists`);
  // One sync per instance at a time: they share the session's collector and version.
  const busy = await acquireLease(deps, instance.id, runId);
  if (busy) return waitBehind(deps, current, attempt, busy);
  const started = deps.clock.now();
  const attemptStarted = new Date(started).toISOString();
  const run = await syncRuns.update(deps.store, runId, (r) => ({
    ...r,
    status: 'running',
    started_at: r.started_at ?? attemptStarted,
    attempt_started_at: attemptStarted,
    attempts: attempt,
    max_attempts: r.max_attempts ?? config().vcenter.syncMaxAttempts,
    next_attempt_at: undefined,
    queued_behind: undefined,
    progress: { phase: 'connecting', objects_retrieved: 0, updated_at: attemptStarted },
  }));
  let outcome: Outcome;
  let failure: AttemptFailure | undefined;
  let client: VCenterClient | undefined;
  const progress = progressOf(deps, runId, started);
  try {
    client = await vcenterClient(deps, instance);
    instance = await vcenterInstances.get(deps.store, instance.id); // TOFU may have pinned a thumbprint
    outcome =
      run.sync_type === 'delta'
        ? await deltaOrFull(deps, client, instance, progress.report)
        : { executed: 'full', ...(await fullSync(deps, client, instance, progress.report)) };
  } catch (e) {
    failure = classifySyncFailure(e, instance, attempt);
    outcome = { executed: run.sync_type, counts: emptyCounts(), changes: emptyChanges() };
    logger.warn('vCenter sync attempt failed', { instance_id: instance.id, sync_run_id: runId, attempt, error: e as Error });
  }
  const finished = deps.clock.now();
  const finishedIso = new Date(finished).toISOString();
  const attemptError = failure && { attempt, started_at: attemptStarted, failed_at: finishedIso, error: failure.error };
  let conclude: (r: SyncRun) => SyncRun;
  if (failure?.retryable && attempt < (run.max_attempts ?? 1)) {
    // The failures of this attempt may have opened the breaker: then the next attempt is its probe.
    const notBefore = failure.notBefore ?? client?.health().breakerRetryAt?.getTime();
    const delaySeconds = retryDelaySeconds(finished, attempt, config().vcenter.syncRetryDelaySeconds, notBefore);
    // The message before any record says `retrying`: a crash in between still gets the next attempt.
    await queueAttempt(deps, run, attempt + 1, delaySeconds);
    conclude = (r) =>
      r.status !== 'running' || r.attempts !== attempt
        ? r
        : {
            ...r,
            status: 'retrying',
            error: failure.error,
            next_attempt_at: new Date(finished + delaySeconds * 1000).toISOString(),
            attempt_errors: [...(r.attempt_errors ?? []), attemptError!],
            progress: undefined,
          };
  } else {
    conclude = (r) => ({
      ...r,
      status: failure ? 'failed' : 'succeeded',
      executed_type: outcome.executed,
      fallback_reason: outcome.fallback,
      finished_at: finishedIso,
      duration_ms: finished - Date.parse(r.started_at ?? attemptStarted),
      phase_ms: failure ? undefined : progress.phaseMs(finished),
      counts: failure ? undefined : outcome.counts,
      changes: failure ? undefined : outcome.changes,
      error: failure?.error,
      attempt_errors: attemptError ? [...(r.attempt_errors ?? []), attemptError] : r.attempt_errors,
      progress: undefined,
      next_attempt_at: undefined,
    });
  }
  // The instance first: whoever waits for the run to end then finds the instance already saying how it went.
  await recordOnInstance(deps, instance.id, conclude(await syncRuns.get(deps.store, runId)), {
    failure,
    apiVersion: client?.apiVersion,
    at: finished,
  });
  return syncRuns.update(deps.store, runId, conclude);
}

async function queueAttempt(deps: RunDeps, run: SyncRun, attempt: number, delaySeconds: number): Promise<void> {
  const message = { instance_id: run.instance_id, sync_type: run.sync_type, sync_run_id: run.id, attempt };
  await sendToPool(deps.queue, 'vcenter-sync', [{ message, delaySeconds }]);
  logger.info('vCenter sync retry queued', { instance_id: run.instance_id, sync_run_id: run.id, attempt, delay_seconds: delaySeconds });
}

/**
 * Another run holds the instance: this attempt waits for it (the run stays queued or retrying) by coming back
 * after `VCENTER_SYNC_WAIT_SECONDS`; a crashed holder's lease runs out, so the wait is bounded. The message
 * before the record, as for a retry.
 */
async function waitBehind(deps: RunDeps, run: SyncRun, attempt: number, holder: string): Promise<SyncRun> {
  const message = { instance_id: run.instance_id, sync_type: run.sync_type, sync_run_id: run.id, attempt };
  await sendToPool(deps.queue, 'vcenter-sync', [{ message, delaySeconds: config().vcenter.syncWaitSeconds }]);
  return syncRuns.update(deps.store, run.id, (r) => ({ ...r, queued_behind: { run_id: holder, checked_at: isoNow(deps.clock) } }));
}

/** The run ends before touching vCenter (its instance is gone); the instance is left alone. */
function endWithoutRunning(deps: RunDeps, runId: string, error: string): Promise<SyncRun> {
  return syncRuns.update(deps.store, runId, (r) => ({
    ...r,
    status: 'failed',
    finished_at: isoNow(deps.clock),
    duration_ms: 0,
    error,
    progress: undefined,
  }));
}

/** The instance's view of the attempt: reachability, last contact, `last_sync`; releases the lease. */
async function recordOnInstance(
  deps: RunDeps,
  instanceId: string,
  run: SyncRun,
  o: { failure: AttemptFailure | undefined; apiVersion: string | undefined; at: number },
): Promise<void> {
  const at = new Date(o.at).toISOString();
  await vcenterInstances.update(deps.store, instanceId, (c) => ({
    ...c,
    reachable: o.failure ? !o.failure.unreachable : true,
    api_version: o.apiVersion ?? c.api_version,
    last_contact_at: at,
    last_contact_error: o.failure?.error,
    last_sync: {
      id: run.id,
      sync_type: run.sync_type,
      executed_type: run.executed_type,
      status: run.status,
      started_at: run.started_at,
      finished_at: run.finished_at,
      duration_ms: run.duration_ms,
      counts: run.counts,
      error: run.error,
      fallback_reason: run.fallback_reason,
      attempts: run.attempts,
      max_attempts: run.max_attempts,
      next_attempt_at: run.next_attempt_at,
    },
    last_successful_sync_at: run.status === 'succeeded' ? run.finished_at : c.last_successful_sync_at,
    inventory_counts: run.status === 'succeeded' ? run.counts : c.inventory_counts,
    sync_lease: c.sync_lease?.run_id === run.id ? undefined : c.sync_lease,
  }));
}

/**
 * Records where the attempt is (a failed write only loses a progress line, never the sync) and how long each
 * phase took, for the run's `phase_ms`.
 */
function progressOf(deps: RunDeps, runId: string, startedAt: number): { report: Progress; phaseMs(end: number): SyncRun['phase_ms'] } {
  const marks: Array<[SyncProgress['phase'], number]> = [['connecting', startedAt]];
  return {
    async report(phase, objectsRetrieved) {
      if (marks.at(-1)![0] !== phase) marks.push([phase, deps.clock.now()]);
      await syncRuns
        .update(deps.store, runId, (r) => ({
          ...r,
          progress: { phase, objects_retrieved: objectsRetrieved, updated_at: isoNow(deps.clock) },
        }))
        .catch((e: unknown) => logger.warn('Could not record sync progress', { sync_run_id: runId, error: e as Error }));
    },
    phaseMs(end) {
      const out: NonNullable<SyncRun['phase_ms']> = {};
      for (const [i, [phase, at]] of marks.entries()) out[phase] = (out[phase] ?? 0) + (marks[i + 1]?.[1] ?? end) - at;
      return out;
    },
  };
}

/** A lease longer than the worker's timeout, so a crashed run never blocks its instance for long. */
export const SYNC_LEASE_MS = 16 * 60_000;

class LeaseHeld extends Error {
  constructor(readonly runId: string) {
    super(runId);
  }
}

/** Takes the instance's sync lease for `runId`; returns the holder's run id when another run has it. */
async function acquireLease(deps: RunDeps, instanceId: string, runId: string): Promise<string | undefined> {
  const now = deps.clock.now();
  try {
    await vcenterInstances.update(deps.store, instanceId, (c) => {
      const lease = c.sync_lease;
      if (lease && lease.run_id !== runId && Date.parse(lease.until) > now) throw new LeaseHeld(lease.run_id);
      return { ...c, sync_lease: { run_id: runId, until: new Date(now + SYNC_LEASE_MS).toISOString() } };
    });
    return undefined;
  } catch (e) {
    if (e instanceof LeaseHeld) return e.runId;
    throw e;
  }
}
