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

/** Runbook rule: above warning → degraded, above critical → critical. */
export const levelFor = (value: number, t: Threshold): HealthLevel =>
  value > t.critical ? 'critical' : value > t.warning ? 'degraded' : 'ok';

export const worst = (levels: HealthLevel[]): HealthLevel =>
  levels.reduce<HealthLevel>((a, b) => (LEVELS.indexOf(b) > LEVELS.indexOf(a) ? b : a), 'ok');
