/** Runbook 004 "Circuit Breaker Open": each upstream's breaker and limits, and an admin's reset. */
import { type Command, Option } from 'commander';
import type { UpstreamView } from '../../shared/domain/upstream';
import { query, seg } from '../client';
import { action } from '../context';
import { table } from '../output';

const seconds = (ms: number) => `${ms / 1000} s`;

export function upstreamCommands(program: Command): void {
  const upstreams = program.command('upstreams').description('circuit breakers and limits per vCenter and iDRAC');
  upstreams
    .command('list', { isDefault: true })
    .description('GET /api/v1/upstreams: each breaker (from the shared board) and what the clients enforce')
    .addOption(new Option('--kind <kind>', 'only this kind').choices(['vcenter', 'idrac']))
    .addOption(new Option('--state <state>', 'only breakers in this state').choices(['closed', 'open', 'half-open']))
    .action(
      action(async ({ api, out }, o: { kind?: string; state?: string }) => {
        const r = await api.call<{ items: UpstreamView[] }>('GET', `/api/v1/upstreams${query({ kind: o.kind, state: o.state })}`);
        out.print(r, () =>
          r.items.length
            ? table(r.items, [
                ['upstream', (u) => u.id],
                ['name', (u) => u.name],
                ['breaker', (u) => u.breaker.state],
                ['failures', (u) => `${u.breaker.consecutive_failures}/${u.limits.breaker.failure_threshold}`],
                ['next attempt', (u) => u.breaker.next_attempt_at],
                ['last failure', (u) => u.breaker.last_failure],
                ['concurrent', (u) => `${u.limits.max_concurrent_requests} (+${u.limits.max_queued_requests} queued)`],
                [
                  'timeouts (connect / response)',
                  (u) => `${seconds(u.limits.connect_timeout_ms)} / ${seconds(u.limits.response_timeout_ms)}`,
                ],
                ['reset', (u) => (u.breaker.reset_by ? `${u.breaker.reset_by} at ${u.breaker.reset_at}` : undefined)],
              ])
            : 'no upstreams',
        );
      }),
    );
  upstreams
    .command('reset <id>')
    .description('POST /api/v1/upstreams/{id}/reset (admin): closes the breaker in every container, e.g. vcenter:vc-001')
    .action(
      action(async ({ api, out }, id: string) => {
        const u = await api.call<UpstreamView>('POST', `/api/v1/upstreams/${seg(id)}/reset`);
        out.print(u, () => `${u.id}: breaker ${u.breaker.state} (reset by ${u.breaker.reset_by} at ${u.breaker.reset_at})`);
      }),
    );
}
