/**
 * Periodic work, in one table: CDK turns each row into an EventBridge Scheduler schedule that sends
 * `message` to the pool's queue; the local stack fires the same rows in-process. Expressions use
 * EventBridge syntax: `rate(15 minutes)` or `cron(0 2 * * ? *)`.
 */
export type ScheduleSpec = {
  expression: string;
  pool: string;
  message: Record<string, unknown>;
  description: string;
};

export const SCHEDULES: Record<string, ScheduleSpec> = {
  housekeeping: {
    expression: 'rate(1 minute)',
    pool: 'housekeeping',
    message: { task: 'housekeeping' },
    description: 'Expire approvals past their time; re-dispatch queued jobs whose message was lost',
  },
};
