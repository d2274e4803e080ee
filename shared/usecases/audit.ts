/** The audit trail across subjects (`GET /api/v1/audit`): who did what, when, filtered and paged. */
import { config } from '../config';
import { ValidationError } from '../domain/errors';
import type { AuditQuery } from '../domain/requests';
import type { Page } from '../ports/store';
import { type AuditEvent, searchAudit } from '../records/audit';
import type { Deps } from './deps';

/** Without `since`, as far back as the trail is kept (RETENTION_AUDIT_DAYS); without `until`, now. */
export function auditLog(deps: Pick<Deps, 'store' | 'clock'>, q: AuditQuery): Promise<Page<AuditEvent>> {
  const now = deps.clock.now();
  const until = new Date(q.until ? Date.parse(q.until) : now).toISOString();
  const since = new Date(q.since ? Date.parse(q.since) : now - config().retention.auditMs).toISOString();
  if (since > until)
    throw new ValidationError('since is after until', [{ path: 'query.since', message: `must not be after until (${until})` }]);
  return searchAudit(deps.store, {
    subject_id: q.entity,
    actor: q.actor,
    action: q.action,
    since,
    until,
    limit: q.limit,
    cursor: q.next_token,
  });
}
