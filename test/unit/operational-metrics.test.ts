import { afterAll, describe, expect, it } from 'vitest';
import { LocalQueue } from '../../shared/adapters/queue/local-queue';
import { WORKER_POOLS } from '../../shared/catalog/worker-pools';
import { jobs } from '../../shared/records/jobs';
import { vcenterInstances } from '../../shared/records/vcenter';
import { moveJob } from '../../shared/usecases/jobs/common';
import { vcenterApiHealth } from '../../shared/usecases/vcenter-health';
import { instanceRecord } from '../support/fake-vcenter';
import { unitDeps } from '../support/fakes';

/** Runs `fn` and returns the EMF documents it printed (Powertools Metrics writes them to stdout). */
async function emfOf(fn: () => Promise<unknown>): Promise<Record<string, any>[]> {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: unknown) => (lines.push(String(chunk)), true)) as typeof process.stdout.write;
  try {
    await fn();
  } finally {
    process.stdout.write = write;
  }
  return lines
    .flatMap((l) => l.split('\n'))
    .filter((l) => l.includes('_aws'))
    .map((l) => JSON.parse(l));
}

const idleWorkerPools = {
  state: async (pool: string) => ({ pool, concurrency: WORKER_POOLS[pool]!.concurrency, inFlight: 0, draining: false }),
  drain: async () => undefined,
  undrain: async () => undefined,
  setConcurrency: async () => undefined,
};

// Metrics are off in tests by default; this file is about them.
process.env.POWERTOOLS_METRICS_DISABLED = 'false';

describe('operational metrics (runbook "Key Metrics to Monitor")', () => {
  const queue = new LocalQueue({
    queues: Object.entries(WORKER_POOLS).map(([name, s]) => ({
      name,
      visibilityTimeoutSeconds: s.visibilityTimeoutSeconds,
      maxReceiveCount: s.maxReceiveCount,
    })),
  });
  afterAll(() => queue.close());

  it('publishes job queue depth (queued jobs), worker utilization, jobs failed in the last 24 h and stuck jobs as EMF', async () => {
    const { publishOperationalMetrics } = await import('../../shared/usecases/operational-metrics');
    const base = unitDeps();
    const now = base.clock.now();
    const at = (msAgo: number) => new Date(now - msAgo).toISOString();
    const job = (id: string, status: 'queued' | 'running', createdAgo: number) => ({
      id,
      type: 'health_check',
      target_ids: ['site-a'],
      params: {},
      status,
      requested_by: 'x',
      requires_approval: false,
      created_at: at(createdAgo),
      updated_at: at(0),
      started_at: at(createdAgo),
      execution_attempt: 1,
      version: 1,
    });
    // Failed in the last 24 h, one of them created two days ago: both count.
    for (const [id, ago] of [
      ['job-f1', 60_000],
      ['job-f2', 2 * 86_400_000],
    ] as const) {
      await jobs.create(base.store, job(id, 'running', ago));
      await moveJob({ ...base, queue }, id, 'failed', { status_reason: 'boom' });
    }
    await jobs.create(base.store, job('job-stuck', 'running', 2 * 3_600_000)); // health_check allows 30 min
    for (const id of ['job-q1', 'job-q2', 'job-q3']) await jobs.create(base.store, job(id, 'queued', 1000));
    await queue.send('jobs', [{ body: '{"job_id":"job-q1"}' }]);
    const workerPools = {
      state: async (pool: string) => ({
        pool,
        concurrency: WORKER_POOLS[pool]!.concurrency,
        inFlight: pool === 'jobs' ? 2 : 0,
        draining: false,
      }),
      drain: async () => undefined,
      undrain: async () => undefined,
      setConcurrency: async () => undefined,
    };
    let summary: Awaited<ReturnType<typeof publishOperationalMetrics>> | undefined;
    const emf = await emfOf(async () => (summary = await publishOperationalMetrics({ ...base, queue, workerPools })));
    expect(summary).toEqual({
      pools: Object.keys(WORKER_POOLS).length + 1, // and the job-step function
      job_queue_depth: 3,
      failed_jobs_24h: 2,
      stuck_jobs: 1,
      idrac_unreachable_pct: 0,
    });
    const value = (name: string, pool?: string) => emf.find((e) => name in e && (pool === undefined || e.pool === pool))?.[name];
    expect(value('JobQueueDepth')).toBe(3);
    expect(value('FailedJobs24h')).toBe(2);
    expect(value('StuckJobs')).toBe(1);
    expect(value('IdracUnreachablePct')).toBe(0);
    expect(value('WorkerUtilization', 'jobs')).toBe(50);
    expect(value('QueueDepth', 'jobs')).toBe(1);
    expect(value('WorkerUtilization', 'job-steps')).toBe(2); // 1 running job of 50
    expect(emf.every((e) => e._aws.CloudWatchMetrics[0].Namespace === 'EIO')).toBe(true);
  });

  it("publishes a never-synced vCenter's age since registration: an alarm on the sync age fires when /health is critical", async () => {
    const { publishOperationalMetrics } = await import('../../shared/usecases/operational-metrics');
    const base = unitDeps();
    const now = base.clock.now();
    const minutesAgo = (m: number) => new Date(now - m * 60_000).toISOString();
    await vcenterInstances.create(base.store, instanceRecord('vc-never', minutesAgo(180))); // registered 3 h ago, never synced
    const fresh = instanceRecord('vc-fresh', minutesAgo(600), { last_successful_sync_at: minutesAgo(10), reachable: true });
    await vcenterInstances.create(base.store, fresh);
    const health = await vcenterApiHealth(base);
    expect(health.status).toBe('critical');
    expect(health.instances?.['vc-never']).toMatchObject({ status: 'critical', sync_age_minutes: null });

    const emf = await emfOf(() => publishOperationalMetrics({ ...base, queue, workerPools: idleWorkerPools }));
    const age = (instance?: string) =>
      emf.find((e) => 'VCenterSyncAgeMinutes' in e && (instance === undefined ? !('instance' in e) : e.instance === instance))
        ?.VCenterSyncAgeMinutes;
    expect(age()).toBe(180); // above the 120-minute critical threshold, as /health says
    expect(age('vc-never')).toBe(180);
    expect(age('vc-fresh')).toBe(10);
  });
});
