/**
 * Health as GET /api/v1/health reports it: levels in increasing severity, per component and per vCenter
 * instance, and the runbook's warning/critical threshold rule.
 */
import type { SyncRunStatus, SyncType } from './vcenter';

/** Health levels, in increasing severity. */
export const LEVELS = ['ok', 'degraded', 'critical'] as const;
export type HealthLevel = (typeof LEVELS)[number];

export type ComponentHealth = {
  status: HealthLevel;
  message: string;
  metrics?: Record<string, number | string | boolean | null>;
  /** Per monitored instance, by id, for components that watch several (vcenter_api: each vCenter). */
  instances?: Record<string, InstanceHealth>;
};

/** One vCenter instance inside `vcenter_api`: its own level, why, and the facts the runbook's diagnosis starts from. */
export type InstanceHealth = {
  status: HealthLevel;
  /** Why: sync age, unreachable with the last contact error, never synced, last sync error or retry. */
  message: string;
  /** Minutes since the last successful sync; null when it never synced (then it ages from registration). */
  sync_age_minutes: number | null;
  /** From the last contact; null before the first one. */
  reachable: boolean | null;
  last_sync: LastSyncSummary | null;
};

export type LastSyncSummary = {
  id: string;
  /** What ran (a delta that fell back ran as full), else what was asked for. */
  type: SyncType;
  status: SyncRunStatus;
  finished_at: string | null;
  error: string | null;
  attempts: number | null;
  next_attempt_at: string | null;
};

export type Threshold = { warning: number; critical: number };

/**
 * The runbook's "Key Metrics to Monitor", in one table: what each figure is, the CloudWatch metric EIO
 * publishes for it (namespace EIO, every minute from the housekeeping sweep), its unit, its default
 * thresholds and the variables that override them. `/health`, the published metrics and the CDK alarms all
 * read this table, so a threshold is written once.
 */
export type KeyMetric = {
  /** The runbook's name of the figure. */
  label: string;
  metric: string;
  /** Dimension the metric is published per (worker utilization: per pool), if any. */
  dimension?: string;
  unit: string;
  defaults: Threshold;
  /** Environment variables overriding the warning and the critical threshold (shared/config.ts). */
  env: { warning: string; critical: string };
  meaning: string;
};

export const KEY_METRICS = {
  jobQueueDepth: {
    label: 'Job queue depth',
    metric: 'JobQueueDepth',
    unit: 'jobs',
    defaults: { warning: 50, critical: 200 },
    env: { warning: 'THRESHOLD_QUEUE_DEPTH_WARNING', critical: 'THRESHOLD_QUEUE_DEPTH_CRITICAL' },
    meaning: 'jobs waiting to start: queued, including those held while the scheduler is paused',
  },
  workerUtilizationPct: {
    label: 'Worker utilization',
    metric: 'WorkerUtilization',
    dimension: 'pool',
    unit: '%',
    defaults: { warning: 80, critical: 95 },
    env: { warning: 'THRESHOLD_WORKER_UTILIZATION_WARNING', critical: 'THRESHOLD_WORKER_UTILIZATION_CRITICAL' },
    meaning: 'per pool whose load is steady (and the job-step function): work in flight over its concurrency limit',
  },
  vcenterSyncAgeMinutes: {
    label: 'vCenter sync age',
    metric: 'VCenterSyncAgeMinutes',
    unit: 'minutes',
    defaults: { warning: 30, critical: 120 },
    env: { warning: 'THRESHOLD_VCENTER_SYNC_AGE_WARNING_MIN', critical: 'THRESHOLD_VCENTER_SYNC_AGE_CRITICAL_MIN' },
    meaning: 'minutes since the oldest vCenter last synced successfully (since registration when it never did)',
  },
  idracUnreachablePct: {
    label: 'iDRAC unreachable %',
    metric: 'IdracUnreachablePct',
    unit: '%',
    defaults: { warning: 5, critical: 20 },
    env: { warning: 'THRESHOLD_IDRAC_UNREACHABLE_WARNING_PCT', critical: 'THRESHOLD_IDRAC_UNREACHABLE_CRITICAL_PCT' },
    meaning: 'probed iDRAC endpoints unreachable at their last probe, in percent',
  },
  failedJobs24h: {
    label: 'Failed jobs (24h)',
    metric: 'FailedJobs24h',
    unit: 'jobs',
    defaults: { warning: 5, critical: 20 },
    env: { warning: 'THRESHOLD_FAILED_JOBS_24H_WARNING', critical: 'THRESHOLD_FAILED_JOBS_24H_CRITICAL' },
    meaning: 'jobs that ended failed in the last 24 hours, whenever they were created',
  },
} as const satisfies Record<string, KeyMetric>;
export type KeyMetricName = keyof typeof KEY_METRICS;

/**
 * What a worker pool at its concurrency limit means. `steady`: work arrives at its own pace, so a full pool
 * and a backlog are overload (the runbook's thresholds apply). `sweep`: one request fans out into many
 * messages (a discovery sweep queues every address), so a full pool is the pool working as designed and
 * the backlog is the sweep's remaining work: reported, never alarming.
 */
export type PoolLoad = 'steady' | 'sweep';

/** Runbook rule: above warning → degraded, above critical → critical. */
export const levelFor = (value: number, t: Threshold): HealthLevel =>
  value > t.critical ? 'critical' : value > t.warning ? 'degraded' : 'ok';

export const worst = (levels: HealthLevel[]): HealthLevel =>
  levels.reduce<HealthLevel>((a, b) => (LEVELS.indexOf(b) > LEVELS.indexOf(a) ? b : a), 'ok');
