/** Runbook "Service Identity Management": rotate (and follow the rotation), verify, activity. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { type CredentialRotation, isFinalRotation } from '../../shared/domain/credential-rotation';
import { seg } from '../client';
import { action } from '../context';
import { follow } from '../follow';
import { fields, table } from '../output';

const showRotation = (r: CredentialRotation) =>
  [
    fields(r as unknown as Record<string, unknown>, ['id', 'service_identity_id', 'status', 'requested_by', 'finished_at', 'reason']),
    ...(r.targets.length
      ? [
          table(r.targets, [
            ['target', (t) => t.id],
            ['address', (t) => t.address],
            ['canary', (t) => t.canary],
            ['state', (t) => t.state],
            ['message', (t) => t.message],
          ]),
        ]
      : []),
    ...(r.manual_steps?.length ? ['to do by hand:', ...r.manual_steps.map((m) => `  - ${m}`)] : []),
  ].join('\n');

export function identityCommands(program: Command): void {
  const si = program.command('identities').description('service identities (iDRAC and vCenter credentials)');
  si.command('rotate <id>')
    .description(
      'POST /api/v1/service-identities/{id}/rotate: a new password set on every target, canary first (--follow: ' +
        'GET /api/v1/service-identities/{id}/rotations/{rotation_id}); --secret-stdin records one changed by hand',
    )
    .option('--secret-stdin', 'read the new password from stdin (never from an argument: it would be in the shell history)')
    .option('--follow', 'wait for the rotation to end, printing each step')
    .action(
      action(async ({ api, out }, id: string, o: { secretStdin?: boolean; follow?: boolean }) => {
        const path = `/api/v1/service-identities/${seg(id)}`;
        if (o.secretStdin) {
          const secret = readFileSync(0, 'utf8').replace(/\r?\n$/, '');
          const r = await api.call<Record<string, unknown>>('POST', `${path}/rotate`, { secret });
          out.print(r, () => `${id}: new password recorded (secret version ${String(r.secret_version ?? '?')})`);
          return;
        }
        let rotation = await api.call<CredentialRotation>('POST', `${path}/rotate`);
        if (o.follow)
          rotation = await follow({
            read: () => api.call<CredentialRotation>('GET', `${path}/rotations/${seg(rotation.id)}`),
            done: (r) => isFinalRotation(r.status),
            describe: (r) => `${r.id}: ${r.status} (${r.targets.map((t) => `${t.id} ${t.state}`).join(', ') || 'no targets'})`,
            progress: out.progress,
          });
        out.print(rotation, () => showRotation(rotation));
        if (rotation.status === 'failed' || rotation.status === 'rolled_back') process.exitCode = 1;
      }),
    );
  si.command('rotation <id> <rotation_id>')
    .description("GET /api/v1/service-identities/{id}/rotations/{rotation_id}: a rotation's step and each target's result")
    .action(
      action(async ({ api, out }, id: string, rotationId: string) => {
        const r = await api.call<CredentialRotation>('GET', `/api/v1/service-identities/${seg(id)}/rotations/${seg(rotationId)}`);
        out.print(r, () => showRotation(r));
      }),
    );
  si.command('verify <id>')
    .description('GET /api/v1/service-identities/{id}/verify: tries the credential on a target')
    .action(
      action(async ({ api, out }, id: string) => {
        const r = await api.call<{ result: string; message: string; target?: string }>(
          'GET',
          `/api/v1/service-identities/${seg(id)}/verify`,
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
          `/api/v1/service-identities/${seg(id)}/activity`,
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
