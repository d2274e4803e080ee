/** Runbook "Triggering Manual Sync", "vCenter Sync Failing", "iDRAC Endpoints Unreachable": syncs, discovery, and their subjects. */
import { type Command, Option } from 'commander';
import { action } from '../context';
import { follow } from '../follow';
import { fields, table } from '../output';

type SyncRun = {
  id: string;
  instance_id: string;
  sync_type: string;
  status: string;
  error?: string;
  progress?: { phase: string; objects_retrieved: number };
  counts?: Record<string, number>;
};
type DiscoveryRun = {
  id: string;
  status: string;
  total: number;
  probed: number;
  found: number;
  unreachable: number;
  errors: number;
  endpoints_created: number;
};
type Observation = {
  address: string;
  source: string;
  hostname?: string;
  mac?: string;
  last_seen: string;
  entity?: { id: string; kind: string };
};
const SYNC_DONE = ['succeeded', 'failed'];

export function inventoryCommands(program: Command): void {
  const vcenter = program.command('vcenter').description('vCenter instances and inventory syncs');
  vcenter
    .command('sync <instance...>')
    .description('POST /api/v1/vcenter/sync; --follow shows each run until it ends')
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
        out.print(o.follow ? { sync_runs: runs } : r, () =>
          table(runs, [
            ['run', (s) => s.id],
            ['instance', (s) => s.instance_id],
            ['type', (s) => s.sync_type],
            ['status', (s) => s.status],
            ['hosts', (s) => s.counts?.hosts],
            ['vms', (s) => s.counts?.vms],
            ['error', (s) => s.error],
          ]),
        );
        if (runs.some((s) => s.status === 'failed')) process.exitCode = 1;
      }),
    );
  vcenter
    .command('get <instance>')
    .description('GET /api/v1/vcenter/instances/{id}: connectivity and last sync')
    .action(
      action(async ({ api, out }, id: string) => {
        const i = await api.call<Record<string, unknown>>('GET', `/api/v1/vcenter/instances/${encodeURIComponent(id)}`);
        out.print(i, () =>
          fields(i, ['id', 'name', 'url', 'site_id', 'reachable', 'last_contact_error', 'last_successful_sync_at', 'last_sync']),
        );
      }),
    );

  const dell = program.command('dell').description('Dell iDRAC discovery and endpoints');
  dell
    .command('discover <site...>')
    .description('POST /api/v1/dell/discover; --follow shows the sweep until it ends')
    .option('--follow', 'wait for the run, printing its progress')
    .action(
      action(async ({ api, out }, sites: string[], o: { follow?: boolean }) => {
        let run = await api.call<DiscoveryRun>('POST', '/api/v1/dell/discover', { site_ids: sites });
        if (o.follow)
          run = await follow({
            read: () => api.call<DiscoveryRun>('GET', `/api/v1/dell/discovery-runs/${run.id}`),
            done: (r) => r.status !== 'running',
            describe: (r) => `${r.id}: ${r.status}, ${r.probed}/${r.total} probed, ${r.found} iDRAC(s) found, ${r.unreachable} unreachable`,
            progress: out.progress,
          });
        out.print(run, () =>
          fields(run, ['id', 'status', 'total', 'probed', 'found', 'unreachable', 'errors', 'endpoints_created', 'status_reason']),
        );
      }),
    );
  dell
    .command('endpoint <id>')
    .description('GET /api/v1/dell/endpoints/{id}: reachability and capabilities')
    .action(
      action(async ({ api, out }, id: string) => {
        const e = await api.call<Record<string, unknown>>('GET', `/api/v1/dell/endpoints/${encodeURIComponent(id)}`);
        out.print(e, () =>
          fields(e, ['id', 'address', 'site_id', 'status', 'model', 'generation', 'firmware_version', 'last_error', 'last_seen_at']),
        );
      }),
    );

  program
    .command('ipam')
    .description('IP address management')
    .command('observations')
    .description('GET /api/v1/ipam/observations: everything seen at an address (IPAM duplicate false positives)')
    .requiredOption('--address <ip>', 'the address')
    .action(
      action(async ({ api, out }, o: { address: string }) => {
        const r = await api.call<{ items: Observation[] }>('GET', `/api/v1/ipam/observations?address=${encodeURIComponent(o.address)}`);
        out.print(r, () =>
          table(r.items, [
            ['address', (i) => i.address],
            ['source', (i) => i.source],
            ['entity', (i) => i.entity?.id],
            ['kind', (i) => i.entity?.kind],
            ['hostname', (i) => i.hostname],
            ['mac', (i) => i.mac],
            ['last seen', (i) => i.last_seen],
          ]),
        );
      }),
    );
}
