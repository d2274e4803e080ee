/** Pre-maintenance checklist "Pending approvals cleared or deferred": the approvals and their decisions. */
import { type Command, Option } from 'commander';
import { APPROVAL_STATUSES, type Approval } from '../../shared/domain/approval';
import { seg } from '../client';
import { action } from '../context';
import { listAction, paged } from '../list';

type PublicApproval = Omit<Approval, 'task_token'>;

export function approvalCommands(program: Command): void {
  const approvals = program.command('approvals').description('approval requests: list, approve, reject, defer');
  paged(
    approvals
      .command('list', { isDefault: true })
      .description('GET /api/v1/approvals (e.g. --status pending before a maintenance window)')
      .addOption(new Option('--status <status>', 'only this status').choices(APPROVAL_STATUSES)),
  ).action(
    listAction<PublicApproval, { status?: string }>('/api/v1/approvals', (o) => ({ status: o.status }), [
      ['approval', (a) => a.id],
      ['job', (a) => a.job_id],
      ['type', (a) => a.job_type],
      ['status', (a) => a.status],
      ['requested by', (a) => a.requested_by],
      ['expires', (a) => a.expires_at],
    ]),
  );
  for (const verb of ['approve', 'reject', 'defer'] as const)
    approvals
      .command(`${verb} <id>`)
      .description(`POST /api/v1/approvals/{id}/${verb} (approver; never your own job)`)
      .option('--comment <text>', 'kept with the decision')
      .action(
        action(async ({ api, out }, id: string, o: { comment?: string }) => {
          const a = await api.call<PublicApproval>('POST', `/api/v1/approvals/${seg(id)}/${verb}`, o.comment ? { comment: o.comment } : {});
          out.print(a, () => `${a.id} (job ${a.job_id}): ${a.status}`);
        }),
      );
}
