/**
 * Sends operator notifications (ports/notifier.ts). Every notification is logged first ("Operator
 * notification", with its kind), so the log has it even where no receiver is configured or delivery fails;
 * a failed delivery is a warning, never a failure of the work that caused it (a job must not fail because a
 * pager is down). Values that look like secrets never enter a notification: details are scalars chosen here.
 */
import { logger } from '../observability/logger';
import { redact } from '../observability/redact';
import type { Notification, NotificationKind, Notifier } from '../ports/notifier';

export async function notifyOperators(deps: { notifier?: Notifier }, n: Notification): Promise<void> {
  const safe = { ...n, ...(n.details ? { details: redact(n.details) as Notification['details'] } : {}) };
  logger.info('Operator notification', { notification_kind: safe.kind, subject_id: safe.subject_id, subject: safe.subject });
  try {
    await deps.notifier?.notify(safe);
  } catch (e) {
    logger.warn('Operator notification not delivered', { notification_kind: n.kind, subject_id: n.subject_id, error: e as Error });
  }
}

/** A notification about now. */
export const notification = (
  kind: NotificationKind,
  at: string,
  subjectId: string,
  subject: string,
  message: string,
  details?: Notification['details'],
): Notification => ({ kind, at, subject_id: subjectId, subject, message, ...(details ? { details } : {}) });
