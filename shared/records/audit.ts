/**
 * Audit events: every change to a record and every use of a credential, newest first per subject.
 *   pk = AUDIT#<subject id>   sk = AT#<iso time>#<random>
 * Kept for RETENTION_AUDIT_DAYS, then DynamoDB's TTL removes them.
 */
import { config } from '../config';
import { currentContext } from '../observability/context';
import type { Item, Page, Store } from '../ports/store';
import { expiresAfter, stripKeys, timeSortKey } from './entity';

/** One audit event: who did what to which subject, and when. */
export type AuditEvent = {
  subject_id: string;
  action: string;
  actor: string;
  at: string;
  correlation_id?: string;
  detail?: Record<string, unknown>;
};

/** The stored item of an audit event, with the actor and correlation id of the current request. */
export function auditItem(event: Omit<AuditEvent, 'correlation_id' | 'actor'> & { actor?: string }): Item {
  const ctx = currentContext();
  const full: AuditEvent = {
    ...event,
    actor: event.actor ?? ctx.actor ?? 'system',
    correlation_id: ctx.correlation_id,
  };
  return {
    pk: `AUDIT#${event.subject_id}`,
    sk: timeSortKey('AT', event.at),
    ...full,
    ...expiresAfter(event.at, config().retention.auditMs),
  };
}

export async function recordAudit(store: Store, event: Omit<AuditEvent, 'correlation_id' | 'actor'> & { actor?: string }): Promise<void> {
  await store.put(auditItem(event));
}

export async function listAudit(store: Store, subjectId: string, page: { limit: number; cursor?: string }): Promise<Page<AuditEvent>> {
  const result = await store.query({
    pk: `AUDIT#${subjectId}`,
    skPrefix: 'AT#',
    limit: page.limit,
    cursor: page.cursor,
    descending: true,
  });
  return { items: result.items.map((i) => stripKeys<AuditEvent>(i)), cursor: result.cursor };
}
