/** Runbook "Emergency Stop (Kill Switch)" and "Maintenance Window Procedure": the switches. */
import type { Command } from 'commander';
import { action } from '../context';

type Switch = { on: boolean; reason?: string; changed_by?: string; changed_at?: string; jobs_stopped?: string[]; jobs_released?: number };

const describe = (what: string, onWord: string, offWord: string) => (s: Switch) =>
  `${what}: ${s.on ? onWord : offWord}` +
  (s.changed_by ? ` (by ${s.changed_by} at ${s.changed_at}${s.reason ? `: ${s.reason}` : ''})` : '') +
  (s.jobs_stopped ? `; jobs stopped: ${s.jobs_stopped.length ? s.jobs_stopped.join(', ') : 'none'}` : '') +
  (s.jobs_released !== undefined ? `; jobs released: ${s.jobs_released}` : '');

export function systemCommands(program: Command): void {
  const switches = [
    { name: 'kill-switch', path: 'kill-switch', on: 'activate', off: 'deactivate', words: ['ACTIVE: no job may start or act', 'off'] },
    { name: 'scheduler', path: 'scheduler', on: 'pause', off: 'resume', words: ['paused: queued jobs and schedules held', 'running'] },
  ] as const;
  for (const sw of switches) {
    const show = describe(sw.name, sw.words[0], sw.words[1]);
    const group = program.command(sw.name).description(`GET|POST /api/v1/system/${sw.path}`);
    group
      .command('status', { isDefault: true })
      .description(`GET /api/v1/system/${sw.path}`)
      .action(
        action(async ({ api, out }) => {
          const s = await api.call<Switch>('GET', `/api/v1/system/${sw.path}`);
          out.print(s, () => show(s));
        }),
      );
    for (const verb of [sw.on, sw.off])
      group
        .command(verb)
        .description(`POST /api/v1/system/${sw.path}/${verb}`)
        .option('--reason <text>', 'why, recorded with the change')
        .action(
          action(async ({ api, out }, o: { reason?: string }) => {
            const s = await api.call<Switch>('POST', `/api/v1/system/${sw.path}/${verb}`, o.reason ? { reason: o.reason } : undefined);
            out.print(s, () => show(s));
          }),
        );
  }
}
