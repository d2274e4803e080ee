/**
 * Audit events: every change to a record and every use of a credential, newest first.
 *   by subject   pk = AUDIT#<subject id>                 sk = AT#<iso time>#<sequence>#<random>
 *   by time      gsi1pk = AUDITLOG#<yyyy-mm>            gsi1sk = the same (a partition per month keeps writes spread)
 *   by actor     gsi2pk = AUDITBY#<normalised actor>    gsi2sk = the same
 * Kept for RETENTION_AUDIT_DAYS, then DynamoDB's TTL removes them.
 */
import { config } from '../config';
import { normalIdentity } from '../domain/roles';
import { currentContext } from '../observability/context';
import { InvalidCursorError, type Item, type Page, type QueryInput, type Store } from '../ports/store';
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
  const sk = timeSortKey('AT', event.at);
  return {
    pk: `AUDIT#${event.subject_id}`,
    sk,
    gsi1pk: `AUDITLOG#${event.at.slice(0, 7)}`,
    gsi1sk: sk,
    gsi2pk: `AUDITBY#${normalIdentity(full.actor)}`,
    gsi2sk: sk,
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

export type AuditSearch = {
  subject_id?: string;
  actor?: string;
  action?: string;
  /** ISO times, inclusive. */
  since: string;
  until: string;
  limit: number;
  cursor?: string;
};

/** Store pages read per answer at most while an action filter finds few matches: the answer then ends early, with a cursor. */
const MAX_PAGES_PER_ANSWER = 20;

/**
 * Audit events newest first, by subject, by actor or all, in a time range, optionally of one action. The
 * cursor carries where to go on: the month partition (all events) and the store's own cursor.
 */
export async function searchAudit(store: Store, q: AuditSearch): Promise<Page<AuditEvent>> {
  const between: [string, string] = [`AT#${q.since}`, `AT#${q.until}~`];
  const base = (pk: string, index?: QueryInput['index']) => ({ pk, index, skBetween: between, descending: true });
  const months = monthsBetween(q.since, q.until);
  let at = decodeAuditCursor(q.cursor, months);
  const source = (month: string): Omit<QueryInput, 'limit' | 'cursor'> =>
    q.subject_id
      ? base(`AUDIT#${q.subject_id}`)
      : q.actor
        ? base(`AUDITBY#${normalIdentity(q.actor)}`, 'gsi2')
        : base(`AUDITLOG#${month}`, 'gsi1');
  const items: AuditEvent[] = [];
  for (let pages = 0; at && pages < MAX_PAGES_PER_ANSWER && items.length < q.limit; pages++) {
    const page = await store.query({ ...source(at.month), limit: q.limit - items.length, cursor: at.inner });
    for (const i of page.items) {
      const e = stripKeys<AuditEvent>(i);
      // Filters the partition does not apply: the action, and the actor when listing one subject.
      if ((!q.action || e.action === q.action) && (!q.actor || normalIdentity(e.actor) === normalIdentity(q.actor))) items.push(e);
    }
    // One partition unless listing all events: then the next older month once this one is done.
    const older = !q.subject_id && !q.actor ? months[months.indexOf(at.month) + 1] : undefined;
    at = page.cursor ? { month: at.month, inner: page.cursor } : older ? { month: older } : undefined;
  }
  return { items, cursor: at ? Buffer.from(JSON.stringify(at)).toString('base64url') : undefined };
}

/** `yyyy-mm` of every month from until's back to since's. */
function monthsBetween(since: string, until: string): string[] {
  const out: string[] = [];
  const d = new Date(`${until.slice(0, 7)}-01T00:00:00Z`);
  while (out.length < 1200 && d.toISOString().slice(0, 7) >= since.slice(0, 7)) {
    out.push(d.toISOString().slice(0, 7));
    d.setUTCMonth(d.getUTCMonth() - 1);
  }
  return out;
}

function decodeAuditCursor(cursor: string | undefined, months: string[]): { month: string; inner?: string } | undefined {
  if (!cursor) return months[0] ? { month: months[0] } : undefined;
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { month?: unknown; inner?: unknown };
    if (typeof c.month === 'string' && months.includes(c.month) && (c.inner === undefined || typeof c.inner === 'string'))
      return { month: c.month, inner: c.inner as string | undefined };
  } catch {
    // falls through to the error below
  }
  throw new InvalidCursorError();
}
