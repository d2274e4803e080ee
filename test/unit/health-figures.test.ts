/**
 * What the runbook's figures mean (issue 16, item 1): failed jobs counted by when they failed, job queue depth
 * counting jobs held by a paused scheduler, the job-step function among the pools, and a sweep pool at its
 * limit reported as working, with every non-ok status naming the figure that set it.
 */
import { describe, expect, it } from 'vitest';
import { WORKER_POOLS } from '../../shared/catalog/worker-pools';
import { KEY_METRICS } from '../../shared/domain/health';
import type { Job } from '../../shared/domain/job';
import type { QueueStats } from '../../shared/ports/queue';
import { jobs } from '../../shared/records/jobs';
import { switches } from '../../shared/records/switches';
import { jobFigures, systemHealth, workerPoolReports } from '../../shared/usecases/health';
import { moveJob } from '../../shared/usecases/jobs/common';
import { RecordingQueue, unitDeps } from '../support/fakes';

const emptyStats: QueueStats = { depth: 0, inFlight: 0, oldestAgeSeconds: 0, deadLetterDepth: 0 };

function setup(load: Record<string, { inFlight?: number; depth?: number }> = {}) {
  const base = unitDeps();
  const queue = Object.assign(new RecordingQueue(), {
    stats: async (pool: string): Promise<QueueStats> => ({ ...emptyStats, depth: load[pool]?.depth ?? 0 }),
  });
  const workerPools = {
    state: async (pool: string) => ({
      pool,
      concurrency: WORKER_POOLS[pool]!.concurrency,
      inFlight: load[pool]?.inFlight ?? 0,
      draining: false,
    }),
    drain: async () => undefined,
    undrain: async () => undefined,
    setConcurrency: async () => undefined,
  };
  return { ...base, queue: queue as never, workerPools };
}

const job = (id: string, status: Job['status'], createdAt: string): Job => ({
  id,
  type: 'health_check',
  target_ids: ['site-a'],
  params: {},
  status,
  requested_by: 'x',
  requires_approval: false,
  created_at: createdAt,
  updated_at: createdAt,
  execution_attempt: 1,
  version: 1,
});

describe('failed jobs (24h)', () => {
  it('counts jobs that failed in the last 24 h, whenever they were created', async () => {
    const d = setup();
    const dayAgo = (days: number) => new Date(d.clock.now() - days * 86_400_000).toISOString();
    await jobs.create(d.store, job('job-old-created', 'running', dayAgo(3)));
    await jobs.create(d.store, job('job-fresh', 'running', dayAgo(0)));
    await moveJob(d, 'job-old-created', 'failed', { status_reason: 'boom' });
    await moveJob(d, 'job-fresh', 'failed', { status_reason: 'boom' });
    expect((await jobFigures(d)).failed24h).toBe(2);
    d.clock.advance(86_400_000 + 1000);
    expect((await jobFigures(d)).failed24h).toBe(0);
  });

  it('does not count a failed job created in the window but failed before it… nor a cancelled one', async () => {
    const d = setup();
    await jobs.create(d.store, job('job-c', 'running', new Date(d.clock.now()).toISOString()));
    await moveJob(d, 'job-c', 'cancelled', { status_reason: 'operator' });
    expect((await jobFigures(d)).failed24h).toBe(0);
  });
});

describe('job queue depth', () => {
  it('counts queued jobs, those held by a paused scheduler included, and says they are held', async () => {
    const d = setup();
    const t = KEY_METRICS.jobQueueDepth.defaults;
    const now = new Date(d.clock.now()).toISOString();
    for (let i = 0; i <= t.warning; i++) await jobs.create(d.store, job(`job-q${i}`, 'queued', now));
    await switches.create(d.store, { id: 'scheduler', on: true, history: [], version: 1 } as never);
    const health = await systemHealth({ ...d, startedAt: d.clock.now(), probes: {} } as never);
    expect(health.components.queues).toMatchObject({ status: 'degraded', metrics: { job_queue_depth: t.warning + 1 } });
    expect(health.components.queues!.message).toContain(`job queue: ${t.warning + 1} job(s) waiting (held: the scheduler is paused)`);
  });
});

describe('worker pools', () => {
  it('reports a discovery sweep at its limit as working, naming it, not as overload', async () => {
    const limit = WORKER_POOLS.discovery!.concurrency;
    const d = setup({ discovery: { inFlight: limit, depth: 55 } });
    const discovery = (await workerPoolReports(d)).find((r) => r.pool === 'discovery')!;
    expect(discovery).toMatchObject({ load: 'sweep', status: 'ok', utilization_pct: 100, queue_depth: 55 });
    const health = await systemHealth({ ...d, startedAt: d.clock.now(), probes: {} } as never);
    expect(health.components.queues!.status).toBe('ok');
    expect(health.components.queues!.message).toContain(`discovery sweeping: ${limit} of ${limit} in flight, 55 waiting (by design)`);
  });

  it('names the steady pool and the figure that set its status', async () => {
    const d = setup({ 'vcenter-sync': { inFlight: 2 } });
    const sync = (await workerPoolReports(d)).find((r) => r.pool === 'vcenter-sync')!;
    expect(sync).toMatchObject({ status: 'critical', utilization_pct: 100 });
    expect(sync.reason).toBe('100 % of its workers busy (warning > 80 %, critical > 95 %)');
    const health = await systemHealth({ ...d, startedAt: d.clock.now(), probes: {} } as never);
    expect(health.components.queues).toMatchObject({ status: 'critical' });
    expect(health.components.queues!.message).toContain('vcenter-sync (worker-004): 100 % of its workers busy');
  });

  it('counts the job-step function: running jobs against the steps it is sized for', async () => {
    const d = setup();
    const now = new Date(d.clock.now()).toISOString();
    for (let i = 0; i < 45; i++) await jobs.create(d.store, job(`job-r${i}`, 'running', now));
    await jobs.create(d.store, job('job-p', 'paused', now)); // waiting for a person runs no step
    const steps = (await workerPoolReports(d)).find((r) => r.pool === 'job-steps')!;
    expect(steps).toMatchObject({ load: 'function', in_flight: 45, concurrency_limit: 50, utilization_pct: 90, status: 'degraded' });
    expect(steps.reason).toContain('45 job(s) running for 50 planned (90 %');
  });
});
