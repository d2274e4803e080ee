/**
 * Periodic work, in one table: CDK turns each row into an EventBridge Scheduler schedule that sends
 * `message` (with `schedule`: the row's name) to the pool's queue; the local stack fires the same rows
 * in-process. Expressions use EventBridge syntax: `rate(15 minutes)` or `cron(0 2 * * ? *)`.
 *
 * A paused scheduler (maintenance window) is honoured where the message arrives, in both runtimes: the
 * pool's worker drops a `held` row's message (usecases/scheduled-work.ts); `runs` rows go on, as
 * housekeeping must (approval expiry, pause timeouts, lock release, the key metrics the alarms watch).
 */
export type ScheduleSpec = {
  expression: string;
  pool: string;
  message: Record<string, unknown>;
  /** While the scheduler is paused: `held` (the tick is dropped; the next one after resume runs) or `runs`. */
  whilePaused: 'held' | 'runs';
  description: string;
};

export const SCHEDULES: Record<string, ScheduleSpec> = {
  housekeeping: {
    expression: 'rate(1 minute)',
    pool: 'housekeeping',
    message: { task: 'housekeeping' },
    whilePaused: 'runs',
    description: 'Expire approvals past their time; re-dispatch queued jobs whose message was lost',
  },
  'vcenter-delta-sync': {
    expression: process.env.EIO_VCENTER_DELTA_SYNC_SCHEDULE ?? 'rate(15 minutes)',
    pool: 'vcenter-sync',
    message: { task: 'vcenter-sync-all', sync_type: 'delta' },
    whilePaused: 'held',
    description: 'Delta sync (WaitForUpdatesEx) of every vCenter instance',
  },
  'vcenter-full-sync': {
    expression: process.env.EIO_VCENTER_FULL_SYNC_SCHEDULE ?? 'cron(0 2 * * ? *)',
    pool: 'vcenter-sync',
    message: { task: 'vcenter-sync-all', sync_type: 'full' },
    whilePaused: 'held',
    description: 'Nightly full sync of every vCenter instance',
  },
  'idrac-discovery': {
    expression: 'cron(0 3 * * ? *)',
    pool: 'discovery',
    message: { task: 'discover_all' },
    whilePaused: 'held',
    description: 'Nightly iDRAC discovery of every site whose management networks can be swept (/20 or smaller)',
  },
  'ipam-reconciliation': {
    expression: process.env.EIO_IPAM_RECONCILIATION_SCHEDULE ?? 'rate(1 hour)',
    pool: 'ipam',
    message: { task: 'ipam-reconcile' },
    whilePaused: 'held',
    description: 'IPAM full reconciliation: duplicates tied through other addresses, cleared conditions, stale allocations',
  },
};

/** The message body a schedule's tick sends, in both runtimes: its row's message, named after the row. */
export const scheduleInput = (name: string, spec: Pick<ScheduleSpec, 'message'>): string =>
  JSON.stringify({ ...spec.message, schedule: name });
