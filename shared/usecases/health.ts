import { JOB_TYPES } from '../catalog/job-types';
import { JOB_STEPS, WORKER_POOLS } from '../catalog/worker-pools';
import { config } from '../config';
import { type ComponentHealth, type HealthLevel, levelFor, type PoolLoad, worst } from '../domain/health';
import { withDeadline } from '../lib/async';
import { own } from '../lib/own';
import { logger } from '../observability/logger';
import { jobFailures, jobs } from '../records/jobs';
import { pages } from '../records/paging';
import { readSwitch } from '../records/switches';
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
  /** What the pool at its limit means (domain/health.ts PoolLoad); `function` is the job-step function. */
  load: PoolLoad | 'function';
  status: HealthLevel;
  /** What set the status, in the operator's words; absent when ok. */
  reason?: string;
  concurrency_limit: number;
  in_flight: number;
  utilization_pct: number;
  queue_depth: number;
  in_flight_messages: number;
  oldest_message_age_seconds: number;
  dead_letter_depth: number;
  draining: boolean;
};

const percent = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 1000) / 10 : 0);

/**
 * A steady pool is judged on both figures (the runbook's worker utilization and, for its backlog, the queue
 * depth thresholds); a sweep pool at its limit is working, so neither sets its status.
 */
function poolLevel(load: PoolLoad, utilization: number, depth: number): { status: HealthLevel; reason?: string } {
  if (load === 'sweep') return { status: 'ok' };
  const t = config().thresholds;
  const byUse = levelFor(utilization, t.workerUtilizationPct);
  const byDepth = levelFor(depth, t.jobQueueDepth);
  const status = worst([byUse, byDepth]);
  if (status === 'ok') return { status };
  const u = t.workerUtilizationPct;
  const reasons = [
    byUse === status ? `${utilization} % of its workers busy (warning > ${u.warning} %, critical > ${u.critical} %)` : '',
    byDepth === status ? `${depth} message(s) waiting (warning > ${t.jobQueueDepth.warning}, critical > ${t.jobQueueDepth.critical})` : '',
  ];
  return { status, reason: reasons.filter(Boolean).join(' and ') };
}

/** Jobs at work: each running job has one step in flight in the job-step function. */
async function runningJobs(deps: Pick<Deps, 'store'>): Promise<number> {
  let n = 0;
  for await (const page of pages((cursor) => jobs.byStatus(deps.store, 'running', { limit: 200, cursor }))) n += page.items.length;
  return n;
}

export async function workerPoolReports(deps: Pick<Deps, 'queue' | 'workerPools' | 'store'>): Promise<WorkerPoolReport[]> {
  const pools = await Promise.all(
    Object.entries(WORKER_POOLS).map(async ([pool, spec]): Promise<WorkerPoolReport> => {
      const [state, stats] = await Promise.all([deps.workerPools.state(pool), deps.queue.stats(pool)]);
      const utilization = percent(state.inFlight, state.concurrency);
      return {
        pool,
        worker_id: spec.workerId,
        description: spec.description,
        load: spec.load,
        ...poolLevel(spec.load, utilization, stats.depth),
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
  const steps = await runningJobs(deps);
  const stepUse = percent(steps, JOB_STEPS.concurrency);
  const t = config().thresholds.workerUtilizationPct;
  const stepLevel = levelFor(stepUse, t);
  pools.push({
    pool: JOB_STEPS.name,
    worker_id: JOB_STEPS.workerId,
    description: JOB_STEPS.description,
    load: 'function',
    status: stepLevel,
    ...(stepLevel === 'ok'
      ? {}
      : {
          reason:
            `${steps} job(s) running for ${JOB_STEPS.concurrency} planned ` +
            `(${stepUse} %; warning > ${t.warning} %, critical > ${t.critical} %)`,
        }),
    concurrency_limit: JOB_STEPS.concurrency,
    in_flight: steps,
    utilization_pct: stepUse,
    queue_depth: 0,
    in_flight_messages: 0,
    oldest_message_age_seconds: 0,
    dead_letter_depth: 0,
    draining: false,
  });
  return pools;
}

/** Runbook "Job queue depth": jobs waiting to start, those held by a paused scheduler included (counted up to just past critical). */
export async function jobQueueFigures(deps: Pick<Deps, 'store'>): Promise<{ waiting: number; held: boolean }> {
  const cap = config().thresholds.jobQueueDepth.critical;
  let waiting = 0;
  for await (const page of pages((cursor) => jobs.byStatus(deps.store, 'queued', { limit: 200, cursor }))) {
    waiting += page.items.length;
    if (waiting > cap) break;
  }
  return { waiting, held: (await readSwitch(deps.store, 'scheduler')).on };
}

/** The job queue, then every pool: the message names each figure that set the status, or sums up when all is well. */
async function queuesHealth(deps: Pick<Deps, 'queue' | 'workerPools' | 'store'>): Promise<ComponentHealth> {
  const [reports, queue] = await Promise.all([workerPoolReports(deps), jobQueueFigures(deps)]);
  const t = config().thresholds.jobQueueDepth;
  const queueLevel = levelFor(queue.waiting, t);
  const jobQueue =
    `job queue: ${queue.waiting}${queue.waiting > t.critical ? '+' : ''} job(s) waiting` +
    (queue.held ? ' (held: the scheduler is paused)' : '') +
    ` (warning > ${t.warning}, critical > ${t.critical})`;
  const status = worst([queueLevel, ...reports.map((r) => r.status)]);
  const findings = [
    ...(queueLevel !== 'ok' ? [jobQueue] : []),
    ...reports.filter((r) => r.reason).map((r) => `${r.pool} (${r.worker_id}): ${r.reason}`),
  ];
  const sweeping = reports.filter((r) => r.load === 'sweep' && (r.in_flight > 0 || r.queue_depth > 0));
  const dead = reports.filter((r) => r.dead_letter_depth > 0).map((r) => `${r.pool} (${r.dead_letter_depth})`);
  const message = [
    findings.length ? findings.join('; ') : `${jobQueue}; every pool within its limits`,
    ...sweeping.map((r) => `${r.pool} sweeping: ${r.in_flight} of ${r.concurrency_limit} in flight, ${r.queue_depth} waiting (by design)`),
    ...(dead.length ? [`dead letters waiting: ${dead.join(', ')}`] : []),
  ].join('; ');
  return {
    status,
    message,
    metrics: { job_queue_depth: queue.waiting, ...Object.fromEntries(reports.map((r) => [`${r.pool}_depth`, r.queue_depth])) },
  };
}

/** Runbook metric "Failed jobs (24h)": jobs that failed in the last 24 h (counted up to just past critical), and stuck jobs. */
export async function jobFigures(deps: Pick<Deps, 'store' | 'clock'>): Promise<{ failed24h: number; stuck: string[] }> {
  const now = deps.clock.now();
  const t = config().thresholds.failedJobs24h;
  const failed = await jobFailures.count(deps.store, new Date(now - 86_400_000).toISOString(), new Date(now).toISOString(), t.critical);
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
