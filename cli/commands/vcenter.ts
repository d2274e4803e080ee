/** Runbook "Triggering Manual Sync" and "vCenter Sync Failing": syncs, their runs and the instances. */
import { type Command, Option } from 'commander';
import { seg } from '../client';
import { action } from '../context';
import { follow } from '../follow';
import { listAction, paged } from '../list';
import { type Column, fields, page, table } from '../output';

type SyncRun = {
  id: string;
  instance_id: string;
  sync_type: string;
  status: string;
  error?: string;
  progress?: { phase: string; objects_retrieved: number };
  counts?: Record<string, number>;
};
const SYNC_DONE = ['succeeded', 'failed'];
const SYNC_RUN_COLUMNS: Column<SyncRun>[] = [
  ['run', (s) => s.id],
  ['instance', (s) => s.instance_id],
  ['type', (s) => s.sync_type],
  ['status', (s) => s.status],
  ['hosts', (s) => s.counts?.hosts],
  ['vms', (s) => s.counts?.vms],
  ['error', (s) => s.error],
];

export function vcenterCommands(program: Command): void {
  const vcenter = program.command('vcenter').description('vCenter instances and inventory syncs');
  vcenter
    .command('sync <instance...>')
    .description('POST /api/v1/vcenter/sync; --follow shows each run until it ends (GET /api/v1/vcenter/sync-runs/{id})')
    .addOption(new Option('--type <type>', 'full or delta').choices(['full', 'delta']).default('delta'))
    .option('--follow', 'wait for the runs, printing their progress')
    .action(
      action(async ({ api, out }, instances: string[], o: { type: string; follow?: boolean }) => {
        const r = await api.call<{ sync_runs: SyncRun[] }>('POST', '/api/v1/vcenter/sync', { instance_ids: instances, sync_type: o.type });
        let runs = r.sync_runs;
        if (o.follow)
          runs = await Promise.all(
            runs.map((run) =>
              follow({
                read: () => api.call<SyncRun>('GET', `/api/v1/vcenter/sync-runs/${run.id}`),
                done: (s) => SYNC_DONE.includes(s.status),
                describe: (s) =>
                  `${s.id} ${s.instance_id}: ${s.status}` +
                  (s.progress ? ` (${s.progress.phase}, ${s.progress.objects_retrieved} objects)` : '') +
                  (s.error ? `: ${s.error}` : ''),
                progress: out.progress,
              }),
            ),
          );
        out.print(o.follow ? { sync_runs: runs } : r, () => table(runs, SYNC_RUN_COLUMNS));
        if (runs.some((s) => s.status === 'failed')) process.exitCode = 1;
      }),
    );
  vcenter
    .command('get <instance>')
    .description('GET /api/v1/vcenter/instances/{id}: connectivity and last sync')
    .action(
      action(async ({ api, out }, id: string) => {
        const i = await api.call<Record<string, unknown>>('GET', `/api/v1/vcenter/instances/${seg(id)}`);
        out.print(i, () =>
          fields(i, ['id', 'name', 'url', 'site_id', 'reachable', 'last_contact_error', 'last_successful_sync_at', 'last_sync']),
        );
      }),
    );
  vcenter
    .command('list')
    .description('GET /api/v1/vcenter/instances: every instance with its reachability')
    .action(
      action(async ({ api, out }) => {
        const r = await api.call<{ items: Record<string, unknown>[]; next_token?: string }>('GET', '/api/v1/vcenter/instances?limit=200');
        out.print(r, () =>
          page(r, [
            ['instance', (i) => i.id],
            ['name', (i) => i.name],
            ['site', (i) => i.site_id],
            ['reachable', (i) => i.reachable],
            ['last successful sync', (i) => i.last_successful_sync_at],
          ]),
        );
      }),
    );
  paged(
    vcenter
      .command('sync-runs')
      .description('GET /api/v1/vcenter/sync-runs: recent sync runs, newest first, with their errors ("Check recent sync errors")')
      .option('--instance <id>', 'only runs of this instance'),
  ).action(listAction<SyncRun, { instance?: string }>('/api/v1/vcenter/sync-runs', (o) => ({ instance_id: o.instance }), SYNC_RUN_COLUMNS));
  vcenter
    .command('sync-run <id>')
    .description('GET /api/v1/vcenter/sync-runs/{id}: one run, its progress and error')
    .action(
      action(async ({ api, out }, id: string) => {
        const run = await api.call<SyncRun>('GET', `/api/v1/vcenter/sync-runs/${seg(id)}`);
        out.print(run, () => table([run], SYNC_RUN_COLUMNS));
      }),
    );
}
