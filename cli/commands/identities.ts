/** Runbook "Service Identity Management": rotate, verify, activity. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { action } from '../context';
import { table } from '../output';

export function identityCommands(program: Command): void {
  const si = program.command('identities').description('service identities (iDRAC and vCenter credentials)');
  si.command('rotate <id>')
    .description('POST /api/v1/service-identities/{id}/rotate; --secret-stdin records a password changed on the targets')
    .option('--secret-stdin', 'read the new password from stdin (never from an argument: it would be in the shell history)')
    .action(
      action(async ({ api, out }, id: string, o: { secretStdin?: boolean }) => {
        const secret = o.secretStdin ? readFileSync(0, 'utf8').replace(/\r?\n$/, '') : undefined;
        const r = await api.call<Record<string, unknown>>(
          'POST',
          `/api/v1/service-identities/${encodeURIComponent(id)}/rotate`,
          secret === undefined ? undefined : { secret },
        );
        out.print(r, () => `${id}: rotated (secret version ${String(r.secret_version ?? '?')})`);
      }),
    );
  si.command('verify <id>')
    .description('GET /api/v1/service-identities/{id}/verify: tries the credential on a target')
    .action(
      action(async ({ api, out }, id: string) => {
        const r = await api.call<{ result: string; message: string; target?: string }>(
          'GET',
          `/api/v1/service-identities/${encodeURIComponent(id)}/verify`,
        );
        out.print(r, () => `${id}: ${r.result}${r.target ? ` on ${r.target}` : ''}: ${r.message}`);
        if (r.result !== 'verified') process.exitCode = 1;
      }),
    );
  si.command('activity <id>')
    .description('GET /api/v1/service-identities/{id}/activity: changes and uses, newest first')
    .action(
      action(async ({ api, out }, id: string) => {
        const r = await api.call<{ items: { at: string; action: string; actor: string; detail?: unknown }[] }>(
          'GET',
          `/api/v1/service-identities/${encodeURIComponent(id)}/activity`,
        );
        out.print(r, () =>
          table(r.items, [
            ['at', (a) => a.at],
            ['action', (a) => a.action],
            ['actor', (a) => a.actor],
            ['detail', (a) => a.detail],
          ]),
        );
      }),
    );
}
