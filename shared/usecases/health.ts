import { JOB_TYPES } from '../catalog/job-types';
import { WORKER_POOLS } from '../catalog/worker-pools';
import { config } from '../config';
import { type ComponentHealth, type HealthLevel, levelFor, worst } from '../domain/health';
import { withDeadline } from '../lib/async';
import { own } from '../lib/own';
import { logger } from '../observability/logger';
import { jobs } from '../records/jobs';
import { pages } from '../records/paging';
import { idracFigures } from './dell-endpoints';
import type { Deps } from './deps';
import { ipamHealth } from './ipam-findings';
import { vcenterApiHealth } from './vcenter-health';

const PROBE_TIMEOUT_MS = 3000;

/** Runs one probe with a deadline: a dependency that hangs is itself a critical finding. */
async function probe(name: string, fn: () => Promise<ComponentHealth>): Promise<ComponentHealth> {
  try {
    return await withDeadline(fn(), PROBE_TIMEOUT_MS, () => ({
      status: 'critical',
      message: `${name} did not answer within ${PROBE_TIMEOUT_MS} ms`,
    }));
  } catch (e) {
    logger.warn('Health probe failed', { component: name, error: e as Error });
    return { status: 'critical', message: `${name} is unavailable` };
  }
}

async function storeHealth(deps: Pick<Deps, 'store' | 'clock'>): Promise<ComponentHealth> {
  const started = deps.clock.now();
  await deps.store.ping();
  const latency = deps.clock.now() - started;
  const t = config().thresholds.storeLatencyMs;
  const slow = latency > t.warning;
  return {
    status: slow ? 'degraded' : 'ok',
    message: slow ? `store answered in ${latency} ms (warning above ${t.warning} ms)` : 'store answers',
    metrics: { latency_ms: latency },
  };
}

export type WorkerPoolReport = {
  pool: string;
  worker_id: string;
  description: string;
  status: HealthLevel;
  concurrency_limit: number;
  in_flight: number;
  utilization_pct: number;
  queue_depth: number;
  in_flight_messages: number;
  oldest_message_age_seconds: number;
  dead_letter_depth: number;
  draining: boolean;
};

export async function workerPoolReports(deps: Pick<Deps, 'queue' | 'workerPools'>): Promise<WorkerPoolReport[]> {
  const t = config().thresholds;
  return Promise.all(
    Object.entries(WORKER_POOLS).map(async ([pool, spec]) => {
      const [state, stats] = await Promise.all([deps.workerPools.state(pool), deps.queue.stats(pool)]);
      const utilization = state.concurrency > 0 ? Math.round((state.inFlight / state.concurrency) * 1000) / 10 : 0;
      return {
        pool,
        worker_id: spec.workerId,
        description: spec.description,
        status: worst([levelFor(utilization, t.workerUtilizationPct), levelFor(stats.depth, t.queueDepth)]),
        concurrency_limit: state.concurrency,
        in_flight: state.inFlight,
        utilization_pct: utilization,
        queue_depth: stats.depth,
        in_flight_messages: stats.inFlight,
        oldest_message_age_seconds: stats.oldestAgeSeconds,
        dead_letter_depth: stats.deadLetterDepth,
        draining: state.draining,
      };
    }),
  );
}

async function queuesHealth(deps: Pick<Deps, 'queue' | 'workerPools'>): Promise<ComponentHealth> {
  const reports = await workerPoolReports(deps);
  if (reports.length === 0) return { status: 'ok', message: 'no worker pools are declared yet', metrics: {} };
  const t = config().thresholds.queueDepth;
  const depths = Object.fromEntries(reports.map((r) => [`${r.pool}_depth`, r.queue_depth]));
  const deepest = Math.max(...reports.map((r) => r.queue_depth));
  const status = worst(reports.map((r) => r.status));
  const dead = reports.filter((r) => r.dead_letter_depth > 0).map((r) => `${r.pool} (${r.dead_letter_depth})`);
  return {
    status,
    message:
      `deepest queue holds ${deepest} message(s) (warning > ${t.warning}, critical > ${t.critical})` +
      (dead.length ? `; dead letters waiting: ${dead.join(', ')}` : ''),
    metrics: depths,
  };
}

/** Runbook metric "Failed jobs (24h)" (counted up to just past the critical threshold) and stuck jobs. */
export async function jobFigures(deps: Pick<Deps, 'store' | 'clock'>): Promise<{ failed24h: number; stuck: string[] }> {
  const now = deps.clock.now();
  const t = config().thresholds.failedJobs24h;
  let failed = 0;
  const last24h: [string, string] = [new Date(now - 86_400_000).toISOString(), `${new Date(now).toISOString()}~`];
  for await (const page of pages((cursor) => jobs.byStatus(deps.store, 'failed', { limit: 200, cursor, between: last24h }))) {
    failed += page.items.length;
    if (failed > t.critical) break;
  }
  // Waiting for a person is not being stuck: only running jobs, whose time is spent working, count.
  const stuck: string[] = [];
  for await (const job of jobs.eachInStatus(deps.store, 'running')) {
    const limitMin = own(JOB_TYPES, job.type)?.maxRuntimeMinutes;
    const since = Date.parse(job.started_at ?? job.created_at);
    if (limitMin && now - since > limitMin * 60_000) stuck.push(job.id);
  }
  return { failed24h: failed, stuck };
}

async function jobsHealth(deps: Pick<Deps, 'store' | 'clock'>): Promise<ComponentHealth> {
  const t = config().thresholds.failedJobs24h;
  const { failed24h: failed, stuck } = await jobFigures(deps);
  const level = worst([levelFor(failed, t), stuck.length ? 'degraded' : 'ok']);
  return {
    status: level,
    message:
      `${failed}${failed > t.critical ? '+' : ''} job(s) failed in the last 24 h (warning > ${t.warning}, critical > ${t.critical})` +
      (stuck.length ? `; stuck (running past their type's limit): ${stuck.slice(0, 10).join(', ')}` : ''),
    metrics: { failed_jobs_24h: failed, stuck_jobs: stuck.length },
  };
}

/** Runbook "iDRAC unreachable %": warning > 5 %, critical > 20 % (configurable). */
async function idracHealth(deps: Pick<Deps, 'store' | 'clock'>): Promise<ComponentHealth> {
  const t = config().thresholds.idracUnreachablePct;
  const f = await idracFigures(deps);
  if (f.checked === 0)
    return {
      status: 'ok',
      message: `${f.total} iDRAC endpoint(s), none probed yet`,
      metrics: { endpoints: f.total, unreachable: 0, unreachable_pct: 0 },
    };
  return {
    status: levelFor(f.unreachable_pct, t),
    message:
      `${f.unreachable} of ${f.checked} probed iDRAC endpoint(s) unreachable ` +
      `(${f.unreachable_pct} %; warning > ${t.warning} %, critical > ${t.critical} %)` +
      (f.worst.length ? `: ${f.worst.join(', ')}` : ''),
    metrics: { endpoints: f.total, probed: f.checked, unreachable: f.unreachable, unreachable_pct: f.unreachable_pct },
  };
}

export type HealthReport = {
  status: HealthLevel;
  version: string;
  started_at: string;
  uptime_seconds: number;
  checked_at: string;
  components: Record<string, ComponentHealth>;
};

export async function systemHealth(deps: Deps): Promise<HealthReport> {
  const probes: Record<string, () => Promise<ComponentHealth>> = {
    store: () => storeHealth(deps),
    queues: () => queuesHealth(deps),
    jobs: () => jobsHealth(deps),
    vcenter_api: () => vcenterApiHealth(deps),
    idrac: () => idracHealth(deps),
    ipam: () => ipamHealth(deps),
    ...deps.probes,
  };
  const names = Object.keys(probes);
  const results = await Promise.all(names.map((n) => probe(n, probes[n]!)));
  const components = Object.fromEntries(names.map((n, i) => [n, results[i]!]));
  const now = deps.clock.now();
  return {
    status: worst(results.map((r) => r.status)),
    version: config().version,
    started_at: new Date(deps.startedAt).toISOString(),
    uptime_seconds: Math.floor((now - deps.startedAt) / 1000),
    checked_at: new Date(now).toISOString(),
    components,
  };
}
