import { WORKER_POOLS } from '../../catalog/worker-pools';
import { ConflictError, NotFoundError } from '../../domain/errors';
import type { JobStatus } from '../../domain/job';
import type { Switch } from '../../domain/system-state';
import { own } from '../../lib/own';
import { logger } from '../../observability/logger';
import { isoNow } from '../../ports/clock';
import { recordAudit } from '../../records/audit';
import { jobs } from '../../records/jobs';
import { readSwitch, switches } from '../../records/switches';
import type { Deps } from '../deps';
import { notification, notifyOperators } from '../notifications';
import { type EngineDeps, requestCompensation } from './common';
import { cancelJob } from './control';
import { releaseLocksOfEndedJobs } from './host-locks';
import { enqueueJob } from './submit';

/** Flips a switch with a conditional write; flipping it to the state it is in changes nothing. */
export async function flip(
  deps: Pick<EngineDeps, 'store' | 'clock'>,
  id: Switch['id'],
  on: boolean,
  actor: string,
  reason?: string,
): Promise<{ sw: Switch; changed: boolean }> {
  for (;;) {
    const current = await readSwitch(deps.store, id);
    if (current.on === on) return { sw: current, changed: false };
    const at = isoNow(deps.clock);
    const next: Switch = {
      ...current,
      on,
      reason,
      changed_by: actor,
      changed_at: at,
      history: [...current.history, { on, by: actor, at, reason }].slice(-50),
      version: current.version + 1,
    };
    try {
      if (current.version === 0) await switches.create(deps.store, next);
      else await switches.replace(deps.store, next);
      await recordAudit(deps.store, { subject_id: id, action: `${id}.${on ? 'on' : 'off'}`, at, actor, detail: { reason } });
      return { sw: next, changed: true };
    } catch (e) {
      // Lost a race with another admin: read again and decide again.
      if (!(e instanceof ConflictError)) throw e;
    }
  }
}

const notifyKillSwitch = (deps: EngineDeps, sw: Switch) =>
  notifyOperators(
    deps,
    notification(
      sw.on ? 'kill_switch.on' : 'kill_switch.off',
      sw.changed_at!,
      'kill-switch',
      sw.on ? `EIO kill switch ACTIVATED by ${sw.changed_by}` : `EIO kill switch deactivated by ${sw.changed_by}`,
      sw.on
        ? `Every running job is being stopped and no job may start${sw.reason ? `: ${sw.reason}` : ''}`
        : `Jobs may start again${sw.reason ? `: ${sw.reason}` : ''}`,
      { changed_by: sw.changed_by ?? null, reason: sw.reason ?? null },
    ),
  );

const ACTIVE_STATUSES = ['queued', 'awaiting_approval', 'running', 'paused'] as const;

/** Every job id in the given statuses, oldest first. */
export async function jobIdsIn(deps: EngineDeps, statuses: readonly JobStatus[]): Promise<string[]> {
  const ids: string[] = [];
  for (const status of statuses) for await (const job of jobs.eachInStatus(deps.store, status)) ids.push(job.id);
  return ids;
}

export type KillSwitchReport = Switch & { jobs_stopped?: string[]; stop_duration_ms?: number };

/**
 * Emergency stop: new jobs are refused (423) from the moment the switch is written, then every job that has
 * not finished is cancelled and its execution stopped. Steps already running check the switch before acting.
 */
export async function activateKillSwitch(deps: EngineDeps, actor: string, reason?: string): Promise<KillSwitchReport> {
  const started = deps.clock.now();
  const { sw, changed } = await flip(deps, 'kill-switch', true, actor, reason ?? 'activated without a reason');
  if (changed) await notifyKillSwitch(deps, sw);
  const ids = await jobIdsIn(deps, ACTIVE_STATUSES);
  const stopped: string[] = [];
  await Promise.all(
    ids.map(async (id) => {
      try {
        await cancelJob(deps, id, actor, `kill switch activated by ${actor}${reason ? `: ${reason}` : ''}`);
        stopped.push(id);
      } catch (e) {
        logger.warn('Kill switch could not cancel a job (it may have just finished)', { job_id: id, error: e as Error });
      }
    }),
  );
  const duration = deps.clock.now() - started;
  logger.warn('Kill switch activated', { jobs_stopped: stopped.length, duration_ms: duration });
  return { ...sw, jobs_stopped: stopped.sort(), stop_duration_ms: duration };
}

export async function deactivateKillSwitch(deps: EngineDeps, actor: string, reason?: string): Promise<Switch> {
  const { sw, changed } = await flip(deps, 'kill-switch', false, actor, reason);
  if (changed) await notifyKillSwitch(deps, sw);
  // What the kill switch kept from being undone (hosts left in maintenance) is undone now.
  if (changed) for (const id of (await releaseLocksOfEndedJobs(deps)).compensating) await requestCompensation(deps, id);
  return sw;
}

export const killSwitchState = (deps: EngineDeps) => readSwitch(deps.store, 'kill-switch');
export const schedulerState = (deps: EngineDeps) => readSwitch(deps.store, 'scheduler');

/** Maintenance window: queued jobs stay queued and schedules do not fire; running jobs carry on. */
export async function pauseScheduler(deps: EngineDeps, actor: string, reason?: string): Promise<Switch> {
  return (await flip(deps, 'scheduler', true, actor, reason)).sw;
}

/** Ends the window: every job held in the queue is handed to the dispatcher again. */
export async function resumeScheduler(deps: EngineDeps, actor: string, reason?: string): Promise<Switch & { jobs_released: number }> {
  const { sw } = await flip(deps, 'scheduler', false, actor, reason);
  const queued = await jobIdsIn(deps, ['queued']);
  for (const id of queued) await enqueueJob(deps, id);
  return { ...sw, jobs_released: queued.length };
}

/** Accepts the pool's name (`jobs`) or its workers' id from the runbook (`worker-001`). */
export function poolNamed(nameOrWorkerId: string): string {
  if (own(WORKER_POOLS, nameOrWorkerId)) return nameOrWorkerId;
  const found = Object.entries(WORKER_POOLS).find(([, spec]) => spec.workerId === nameOrWorkerId);
  if (!found) throw new NotFoundError('worker pool', nameOrWorkerId);
  return found[0];
}

export async function drainPool(
  deps: Pick<Deps, 'workerPools' | 'store' | 'clock'>,
  nameOrWorkerId: string,
  actor: string,
  drain: boolean,
) {
  const pool = poolNamed(nameOrWorkerId);
  if (drain) await deps.workerPools.drain(pool);
  else await deps.workerPools.undrain(pool);
  await recordAudit(deps.store, {
    subject_id: `pool:${pool}`,
    action: drain ? 'pool.drained' : 'pool.undrained',
    at: isoNow(deps.clock),
    actor,
  });
  return poolReport(deps, pool);
}

/**
 * The runbook's "Scale Up/Down": how many batches the pool runs at once from now on (in AWS the event-source
 * mapping's maximum concurrency, until the next deploy sets the catalog's again). Audited with both figures.
 */
export async function scalePool(
  deps: Pick<Deps, 'workerPools' | 'store' | 'clock'>,
  nameOrWorkerId: string,
  concurrency: number,
  actor: string,
) {
  const pool = poolNamed(nameOrWorkerId);
  const before = await deps.workerPools.state(pool);
  await deps.workerPools.setConcurrency(pool, concurrency);
  await recordAudit(deps.store, {
    subject_id: `pool:${pool}`,
    action: 'pool.scaled',
    at: isoNow(deps.clock),
    actor,
    detail: { from: before.concurrency, to: concurrency },
  });
  return poolReport(deps, pool);
}

async function poolReport(deps: Pick<Deps, 'workerPools'>, pool: string) {
  const state = await deps.workerPools.state(pool);
  return {
    pool,
    worker_id: WORKER_POOLS[pool]!.workerId,
    concurrency_limit: state.concurrency,
    in_flight: state.inFlight,
    draining: state.draining,
  };
}
