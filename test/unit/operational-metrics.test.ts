import { afterAll, describe, expect, it } from 'vitest';
import { LocalQueue } from '../../shared/adapters/queue/local-queue';
import { WORKER_POOLS } from '../../shared/catalog/worker-pools';
import { jobs } from '../../shared/records/jobs';
import { unitDeps } from '../support/fakes';

// Metrics are off in tests by default; this file is about them.
process.env.POWERTOOLS_METRICS_DISABLED = 'false';

describe('operational metrics (runbook "Key Metrics to Monitor")', () => {
  const queue = new LocalQueue({
    queues: Object.entries(WORKER_POOLS).map(([name, s]) => ({ name, visibilityTimeoutSeconds: s.visibilityTimeoutSeconds, maxReceiveCount: s.maxReceiveCount })),
  });
  afterAll(() => queue.close());

  it('publishes job queue depth, worker utilization, failed jobs in 24 h and stuck jobs as EMF', async () => {
    const { publishOperationalMetrics } = await import('../../shared/usecases/operational-metrics');
    const base = unitDeps();
    const now = base.clock.now();
    const at = (msAgo: number) => new Date(now - msAgo).toISOString();
    const job = (id: string, status: 'failed' | 'running', createdAgo: number) => ({
      id, type: 'health_check', target_ids: ['site-a'], params: {}, status, requested_by: 'x', requires_approval: false,
      created_at: at(createdAgo), updated_at: at(0), started_at: at(createdAgo), execution_attempt: 1, version: 1,
    });
    await jobs.create(base.store, job('job-f1', 'failed', 60_000));
    await jobs.create(base.store, job('job-f2', 'failed', 3_600_000));
    await jobs.create(base.store, job('job-old', 'failed', 2 * 86_400_000)); // outside the 24 h window
    await jobs.create(base.store, job('job-stuck', 'running', 2 * 3_600_000)); // health_check allows 30 min
    await queue.send('jobs', [{ body: '{"job_id":"job-q1"}' }, { body: '{"job_id":"job-q2"}' }, { body: '{"job_id":"job-q3"}' }]);
    const workerPools = {
      state: async (pool: string) => ({ pool, concurrency: WORKER_POOLS[pool]!.concurrency, inFlight: pool === 'jobs' ? 2 : 0, draining: false }),
      drain: async () => undefined,
      undrain: async () => undefined,
    };
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: unknown) => (lines.push(String(chunk)), true)) as typeof process.stdout.write;
    let summary;
    try {
      summary = await publishOperationalMetrics({ ...base, queue, workerPools });
    } finally {
      process.stdout.write = write;
    }
    expect(summary).toEqual({ pools: Object.keys(WORKER_POOLS).length, failed_jobs_24h: 2, stuck_jobs: 1, idrac_unreachable_pct: 0 });
    const emf = lines.flatMap((l) => l.split('\n')).filter((l) => l.includes('_aws')).map((l) => JSON.parse(l));
    const value = (name: string, pool?: string) =>
      emf.find((e) => name in e && (pool === undefined || e.pool === pool))?.[name];
    expect(value('JobQueueDepth')).toBe(3);
    expect(value('FailedJobs24h')).toBe(2);
    expect(value('StuckJobs')).toBe(1);
    expect(value('IdracUnreachablePct')).toBe(0);
    expect(value('WorkerUtilization', 'jobs')).toBe(50);
    expect(value('QueueDepth', 'jobs')).toBe(3);
    expect(emf.every((e) => e._aws.CloudWatchMetrics[0].Namespace === 'EIO')).toBe(true);
  });
});
