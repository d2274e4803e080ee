/** Who did what, when (runbooks 002, 004 "review the audit trail"): the audit trail, filtered and paged. */
import type { Command } from 'commander';
import { listAction, paged } from '../list';

type AuditEvent = { subject_id: string; action: string; actor: string; at: string; detail?: unknown };
type Filters = { entity?: string; actor?: string; action?: string; since?: string; until?: string };

export function auditCommands(program: Command): void {
  paged(
    program
      .command('audit')
      .description('GET /api/v1/audit: the audit trail, newest first (e.g. --entity kill-switch, --actor alice)')
      .option('--entity <id>', 'only events about this record (job-001, si-001, vcenter:vc-001, pool:jobs)')
      .option('--actor <who>', 'only events by this caller')
      .option('--action <action>', 'only this action (e.g. upstream.reset, pool.scaled)')
      .option('--since <iso>', 'from this time')
      .option('--until <iso>', 'up to this time'),
  ).action(
    // The filters are the query's own names.
    listAction<AuditEvent, Filters>(
      '/api/v1/audit',
      ({ entity, actor, action, since, until }) => ({ entity, actor, action, since, until }),
      [
        ['at', (e) => e.at],
        ['subject', (e) => e.subject_id],
        ['action', (e) => e.action],
        ['actor', (e) => e.actor],
        ['detail', (e) => e.detail],
      ],
    ),
  );
}
