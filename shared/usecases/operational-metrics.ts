import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { metrics } from '../observability/metrics';
import { idracFigures } from './dell-endpoints';
import type { Deps } from './deps';
import { jobFigures, workerPoolReports } from './health';
import { openFindingFigures } from './ipam-findings';
import { vcenterFigures } from './vcenter-health';

/**
 * Publishes the runbook's "Key Metrics to Monitor" so CloudWatch alarms can use the same thresholds as
 * GET /api/v1/health: job queue depth and worker utilization per pool, failed jobs in 24 h, stuck jobs, iDRAC
 * unreachable %, vCenter sync age (the oldest, and per instance), open IPAM findings. Run by the housekeeping
 * sweep every minute.
 */
export async function publishOperationalMetrics(deps: Pick<Deps, 'store' | 'clock' | 'queue' | 'workerPools'>) {
  const [pools, jobs, idrac] = await Promise.all([workerPoolReports(deps), jobFigures(deps), idracFigures(deps)]);
  for (const p of pools) {
    const perPool = metrics.singleMetric();
    perPool.addDimension('pool', p.pool);
    perPool.addMetric('QueueDepth', MetricUnit.Count, p.queue_depth);
    const util = metrics.singleMetric();
    util.addDimension('pool', p.pool);
    util.addMetric('WorkerUtilization', MetricUnit.Percent, p.utilization_pct);
  }
  metrics.addMetric('JobQueueDepth', MetricUnit.Count, pools.find((p) => p.pool === 'jobs')?.queue_depth ?? 0);
  metrics.addMetric('FailedJobs24h', MetricUnit.Count, jobs.failed24h);
  metrics.addMetric('StuckJobs', MetricUnit.Count, jobs.stuck.length);
  metrics.addMetric('IdracUnreachablePct', MetricUnit.Percent, idrac.unreachable_pct);
  metrics.addMetric('IpamOpenFindings', MetricUnit.Count, (await openFindingFigures(deps)).open);
  const vcenter = await vcenterFigures(deps);
  metrics.addMetric('VCenterSyncAgeMinutes', MetricUnit.Count, vcenter.max_sync_age_minutes);
  for (const age of vcenter.alarm_ages) {
    const perInstance = metrics.singleMetric();
    perInstance.addDimension('instance', age.id);
    perInstance.addMetric('VCenterSyncAgeMinutes', MetricUnit.Count, age.minutes);
  }
  metrics.publishStoredMetrics();
  return {
    pools: pools.length,
    failed_jobs_24h: jobs.failed24h,
    stuck_jobs: jobs.stuck.length,
    idrac_unreachable_pct: idrac.unreachable_pct,
  };
}
