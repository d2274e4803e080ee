/**
 * Runbook "Emergency Stop (Kill Switch)", "Maintenance Window Procedure" and emergency read-only mode (runbooks
 * 002, 004): the switches; the pre-maintenance backup check; the OpenAPI document.
 */
import type { Command } from 'commander';
import { action } from '../context';

type Switch = { on: boolean; reason?: string; changed_by?: string; changed_at?: string; jobs_stopped?: string[]; jobs_released?: number };

const describe = (what: string, onWord: string, offWord: string) => (s: Switch) =>
  `${what}: ${s.on ? onWord : offWord}` +
  (s.changed_by ? ` (by ${s.changed_by} at ${s.changed_at}${s.reason ? `: ${s.reason}` : ''})` : '') +
  (s.jobs_stopped ? `; jobs stopped: ${s.jobs_stopped.length ? s.jobs_stopped.join(', ') : 'none'}` : '') +
  (s.jobs_released !== undefined ? `; jobs released: ${s.jobs_released}` : '');

type Backups = {
  runtime: string;
  latest: { id: string; created_at: string; kind: string; status: string; location: string } | null;
  latest_age_hours: number | null;
  point_in_time_recovery?: { enabled: boolean; latest_restorable_at?: string };
};

export function systemCommands(program: Command): void {
  program
    .command('backups')
    .description('GET /api/v1/system/backups: the latest recovery point (pre-maintenance: "recent backup verified")')
    .action(
      action(async ({ api, out }) => {
        const b = await api.call<Backups>('GET', '/api/v1/system/backups');
        const pitr = b.point_in_time_recovery;
        out.print(b, () =>
          [
            b.latest
              ? `latest ${b.latest.kind} backup ${b.latest.id} at ${b.latest.created_at} ` +
                `(${b.latest_age_hours} h ago, ${b.latest.status}): ${b.latest.location}`
              : `no backup yet (${b.runtime})`,
            ...(pitr ? [`point-in-time recovery: ${pitr.enabled ? `on, restorable to ${pitr.latest_restorable_at}` : 'OFF'}`] : []),
          ].join('\n'),
        );
        if (!b.latest) process.exitCode = 1;
      }),
    );

  const switches = [
    { name: 'kill-switch', what: 'the kill switch', on: 'activate', off: 'deactivate', words: ['ACTIVE: no job may start or act', 'off'] },
    {
      name: 'scheduler',
      what: 'the job scheduler',
      on: 'pause',
      off: 'resume',
      words: ['paused: queued jobs and schedules held', 'running'],
    },
    // Turning read-only mode on always says why: every refused write repeats it.
    {
      name: 'read-only',
      what: 'read-only emergency mode',
      on: 'activate',
      off: 'deactivate',
      words: ['ON: every write is refused (503)', 'off'],
      reasonToTurnOn: true,
    },
  ] as const;
  for (const sw of switches) {
    const show = describe(sw.name, sw.words[0], sw.words[1]);
    const group = program.command(sw.name).description(`${sw.what}: status, ${sw.on}, ${sw.off}`);
    group
      .command('status', { isDefault: true })
      .description(`GET /api/v1/system/${sw.name}`)
      .action(
        action(async ({ api, out }) => {
          const s = await api.call<Switch>('GET', `/api/v1/system/${sw.name}`);
          out.print(s, () => show(s));
        }),
      );
    for (const verb of [sw.on, sw.off]) {
      const command = group.command(verb).description(`POST /api/v1/system/${sw.name}/${verb}`);
      if (verb === sw.on && 'reasonToTurnOn' in sw) command.requiredOption('--reason <text>', 'why, recorded and shown with every refusal');
      else command.option('--reason <text>', 'why, recorded with the change');
      command.action(
        action(async ({ api, out }, o: { reason?: string }) => {
          const s = await api.call<Switch>('POST', `/api/v1/system/${sw.name}/${verb}`, o.reason ? { reason: o.reason } : undefined);
          out.print(s, () => show(s));
        }),
      );
    }
  }

  program
    .command('openapi')
    .description('GET /api/v1/openapi.json: this API as an OpenAPI 3.1 document (always JSON)')
    .action(
      action(async ({ api }) => {
        process.stdout.write(`${JSON.stringify(await api.call('GET', '/api/v1/openapi.json'), null, 2)}\n`);
      }),
    );
}
