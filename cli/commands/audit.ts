/** Who did what, when (runbooks 002, 004 "review the audit trail"): the audit trail, filtered and paged. */
import type { Command } from 'commander';
import { query } from '../client';
import { action } from '../context';
import { type PageOptions, page, paged, pageQuery } from '../output';

type AuditEvent = { subject_id: string; action: string; actor: string; at: string; detail?: unknown };

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
    action(async ({ api, out }, o: PageOptions & { entity?: string; actor?: string; action?: string; since?: string; until?: string }) => {
      const q = query({ entity: o.entity, actor: o.actor, action: o.action, since: o.since, until: o.until, ...pageQuery(o) });
      const r = await api.call<{ items: AuditEvent[]; next_token?: string }>('GET', `/api/v1/audit${q}`);
      out.print(r, () =>
        page(r, [
          ['at', (e) => e.at],
          ['subject', (e) => e.subject_id],
          ['action', (e) => e.action],
          ['actor', (e) => e.actor],
          ['detail', (e) => e.detail],
        ]),
      );
    }),
  );
}
