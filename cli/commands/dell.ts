/** Runbook "Dell Endpoint Discovery" and "iDRAC Endpoints Unreachable": discovery, endpoints, their iDRAC jobs. */
import { type Command, Option } from 'commander';
import { ENDPOINT_STATUSES } from '../../shared/domain/dell-endpoint';
import type { IdracJobEntry } from '../../shared/domain/firmware';
import { seg } from '../client';
import { action } from '../context';
import { follow } from '../follow';
import { listAction, paged } from '../list';
import { fields } from '../output';

type DiscoveryRun = {
  id: string;
  status: string;
  total: number;
  probed: number;
  found: number;
  unreachable: number;
  errors: number;
  endpoints_created: number;
  created_at?: string;
};
type Endpoint = Record<string, unknown> & { id: string };
const ENDPOINT_FIELDS = ['id', 'address', 'site_id', 'status', 'model', 'generation', 'firmware_version', 'last_error', 'last_seen_at'];
const RUN_FIELDS = ['id', 'status', 'total', 'probed', 'found', 'unreachable', 'errors', 'endpoints_created', 'status_reason'];

export function dellCommands(program: Command): void {
  const dell = program.command('dell').description('Dell iDRAC discovery and endpoints');
  dell
    .command('discover <site...>')
    .description('POST /api/v1/dell/discover; --follow shows the sweep until it ends (GET /api/v1/dell/discovery-runs/{id})')
    .option('--follow', 'wait for the run, printing its progress')
    .action(
      action(async ({ api, out }, sites: string[], o: { follow?: boolean }) => {
        let run = await api.call<DiscoveryRun>('POST', '/api/v1/dell/discover', { site_ids: sites });
        if (o.follow)
          run = await follow({
            read: () => api.call<DiscoveryRun>('GET', `/api/v1/dell/discovery-runs/${seg(run.id)}`),
            done: (r) => r.status !== 'running',
            describe: (r) => `${r.id}: ${r.status}, ${r.probed}/${r.total} probed, ${r.found} iDRAC(s) found, ${r.unreachable} unreachable`,
            progress: out.progress,
          });
        out.print(run, () => fields(run, RUN_FIELDS));
      }),
    );
  paged(dell.command('discovery-runs').description('GET /api/v1/dell/discovery-runs: recent sweeps, newest first')).action(
    listAction<DiscoveryRun, object>('/api/v1/dell/discovery-runs', () => ({}), [
      ['run', (d) => d.id],
      ['status', (d) => d.status],
      ['probed', (d) => `${d.probed}/${d.total}`],
      ['found', (d) => d.found],
      ['unreachable', (d) => d.unreachable],
      ['created', (d) => d.created_at],
    ]),
  );
  paged(
    dell
      .command('endpoints')
      .description('GET /api/v1/dell/endpoints: endpoints and their reachability ("multiple endpoints unreachable")')
      .option('--site <id>', 'only this site')
      .addOption(new Option('--status <status>', 'only endpoints in this status').choices(ENDPOINT_STATUSES)),
  ).action(
    listAction<Endpoint, { site?: string; status?: string }>('/api/v1/dell/endpoints', (o) => ({ site_id: o.site, status: o.status }), [
      ['endpoint', (e) => e.id],
      ['address', (e) => e.address],
      ['site', (e) => e.site_id],
      ['status', (e) => e.status],
      ['model', (e) => e.model],
      ['firmware', (e) => e.firmware_version],
      ['last error', (e) => e.last_error],
    ]),
  );
  dell
    .command('endpoint <id>')
    .description('GET /api/v1/dell/endpoints/{id}: reachability and capabilities')
    .action(
      action(async ({ api, out }, id: string) => {
        const e = await api.call<Endpoint>('GET', `/api/v1/dell/endpoints/${seg(id)}`);
        out.print(e, () => fields(e, ENDPOINT_FIELDS));
      }),
    );
  dell
    .command('refresh <id>')
    .description('POST /api/v1/dell/endpoints/{id}/refresh: probe the iDRAC again and read its inventory now')
    .action(
      action(async ({ api, out }, id: string) => {
        const e = await api.call<Endpoint>('POST', `/api/v1/dell/endpoints/${seg(id)}/refresh`);
        out.print(e, () => fields(e, ENDPOINT_FIELDS));
      }),
    );
  paged(
    dell
      .command('idrac-jobs <id>')
      .description("GET /api/v1/dell/endpoints/{id}/idrac-jobs: the iDRAC jobs EIO's jobs started there (JIDs, states)"),
  ).action(
    listAction<IdracJobEntry, object>(
      (id) => `/api/v1/dell/endpoints/${seg(id)}/idrac-jobs`,
      () => ({}),
      [
        ['jid', (j) => j.jid],
        ['eio job', (j) => j.job_id],
        ['target', (j) => j.target_id],
        ['component', (j) => j.component],
        ['state', (j) => j.state],
        ['idrac says', (j) => j.idrac_state],
        ['message', (j) => j.message],
      ],
    ),
  );
}
