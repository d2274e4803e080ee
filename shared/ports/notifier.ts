/**
 * Operator notifications: what someone should know without watching EIO (a job waits for a person, an
 * approval is asked for, a job failed, the kill switch changed, health turned critical). AWS: the SNS topic
 * the alarms also use; locally: a signed webhook, when one is configured. Never carries a secret.
 */
export const NOTIFICATION_KINDS = [
  'job.paused',
  'approval.requested',
  'job.failed',
  'kill_switch.on',
  'kill_switch.off',
  'health.critical',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export type Notification = {
  kind: NotificationKind;
  /** One line for a pager or a mail subject. */
  subject: string;
  /** What happened and what the operator can do, in the runbook's words. */
  message: string;
  at: string;
  /** The record it is about (job, approval, switch, health), so a receiver can look it up. */
  subject_id: string;
  details?: Record<string, string | number | boolean | null>;
};

export interface Notifier {
  /** Delivers one notification; throws when it could not (the caller logs, never fails its own work). */
  notify(n: Notification): Promise<void>;
}
