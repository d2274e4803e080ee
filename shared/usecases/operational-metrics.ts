import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { KEY_METRICS } from '../domain/health';
import { metrics } from '../observability/metrics';
import { idracFigures } from './dell-endpoints';
import type { Deps } from './deps';
import { jobFigures, jobQueueFigures, workerPoolReports } from './health';
import { openFindingFigures } from './ipam-findings';
import { vcenterFigures } from './vcenter-health';

/**
 * Publishes the runbook's "Key Metrics to Monitor" (KEY_METRICS in domain/health.ts) so the CloudWatch alarms
 * judge the same figures as GET /api/v1/health: job queue depth (queued jobs, held ones included), worker
 * utilization per pool and of the job-step function, failed jobs in 24 h, stuck jobs, iDRAC unreachable %,
 * vCenter sync age (the oldest, and per instance), open IPAM findings; and each pool's message backlog. Run
 * by the housekeeping sweep every minute.
 */
export async function publishOperationalMetrics(deps: Pick<Deps, 'store' | 'clock' | 'queue' | 'workerPools'>) {
  const [pools, jobs, idrac, queue] = await Promise.all([
    workerPoolReports(deps),
    jobFigures(deps),
    idracFigures(deps),
    jobQueueFigures(deps),
  ]);
  for (const p of pools) {
    const perPool = metrics.singleMetric();
    perPool.addDimension('pool', p.pool);
    perPool.addMetric('QueueDepth', MetricUnit.Count, p.queue_depth);
    const util = metrics.singleMetric();
    util.addDimension(KEY_METRICS.workerUtilizationPct.dimension, p.pool);
    util.addMetric(KEY_METRICS.workerUtilizationPct.metric, MetricUnit.Percent, p.utilization_pct);
  }
  metrics.addMetric(KEY_METRICS.jobQueueDepth.metric, MetricUnit.Count, queue.waiting);
  metrics.addMetric(KEY_METRICS.failedJobs24h.metric, MetricUnit.Count, jobs.failed24h);
  metrics.addMetric('StuckJobs', MetricUnit.Count, jobs.stuck.length);
  metrics.addMetric(KEY_METRICS.idracUnreachablePct.metric, MetricUnit.Percent, idrac.unreachable_pct);
  metrics.addMetric('IpamOpenFindings', MetricUnit.Count, (await openFindingFigures(deps)).open);
  const vcenter = await vcenterFigures(deps);
  metrics.addMetric(KEY_METRICS.vcenterSyncAgeMinutes.metric, MetricUnit.Count, vcenter.max_sync_age_minutes);
  for (const age of vcenter.alarm_ages) {
    const perInstance = metrics.singleMetric();
    perInstance.addDimension('instance', age.id);
    perInstance.addMetric(KEY_METRICS.vcenterSyncAgeMinutes.metric, MetricUnit.Count, age.minutes);
  }
  metrics.publishStoredMetrics();
  return {
    pools: pools.length,
    job_queue_depth: queue.waiting,
    failed_jobs_24h: jobs.failed24h,
    stuck_jobs: jobs.stuck.length,
    idrac_unreachable_pct: idrac.unreachable_pct,
  };
}
