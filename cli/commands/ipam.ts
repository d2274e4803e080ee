/**
 * Runbook "IPAM Duplicate Detection False Positives": what was seen at an address, the findings, an exception for
 * a known multi-homed host, and resolving a finding with an explanation.
 */
import { type Command, Option } from 'commander';
import { FINDING_STATUSES, FINDING_TYPES } from '../../shared/domain/ipam/findings';
import { seg } from '../client';
import { action } from '../context';
import { listAction, paged } from '../list';
import { fields } from '../output';

type Observation = {
  address: string;
  source: string;
  hostname?: string;
  mac?: string;
  last_seen: string;
  entity?: { id: string; kind: string };
};
type Finding = { id: string; type: string; status: string; address: string; site_id: string; detail: string; detected_at: string };
type IpException = { id: string; owner: string; reason: string; scope: { type: string; value: string }; expires_at: string };
const FINDING_FIELDS = ['id', 'type', 'status', 'address', 'site_id', 'detail', 'entities', 'detected_at', 'resolved_by', 'resolution'];
type FindingOptions = { type?: string; status?: string; address?: string; site?: string };
const collect = (v: string, all: string[]) => [...all, v];

export function ipamCommands(program: Command): void {
  const ipam = program.command('ipam').description('IP address management: observations, findings, exceptions');
  paged(
    ipam
      .command('observations')
      .description('GET /api/v1/ipam/observations: everything seen at an address (IPAM duplicate false positives)')
      .requiredOption('--address <ip>', 'the address'),
  ).action(
    listAction<Observation, { address: string }>('/api/v1/ipam/observations', (o) => ({ address: o.address }), [
      ['address', (i) => i.address],
      ['source', (i) => i.source],
      ['entity', (i) => i.entity?.id],
      ['kind', (i) => i.entity?.kind],
      ['hostname', (i) => i.hostname],
      ['mac', (i) => i.mac],
      ['last seen', (i) => i.last_seen],
    ]),
  );

  paged(
    ipam
      .command('findings')
      .description('GET /api/v1/ipam/findings: findings no exception covers (e.g. --type duplicate_usage)')
      .addOption(new Option('--type <type>', 'only this type').choices(FINDING_TYPES))
      .addOption(new Option('--status <status>', 'only this status').choices(FINDING_STATUSES))
      .option('--address <ip>', 'only at this address')
      .option('--site <id>', 'only this site'),
  ).action(
    listAction<Finding, FindingOptions>(
      '/api/v1/ipam/findings',
      (o) => ({ type: o.type, status: o.status, address: o.address, site_id: o.site }),
      [
        ['finding', (f) => f.id],
        ['type', (f) => f.type],
        ['status', (f) => f.status],
        ['address', (f) => f.address],
        ['site', (f) => f.site_id],
        ['detail', (f) => f.detail],
      ],
    ),
  );
  ipam
    .command('finding <id>')
    .description('GET /api/v1/ipam/findings/{id}')
    .action(
      action(async ({ api, out }, id: string) => {
        const f = await api.call<Record<string, unknown>>('GET', `/api/v1/ipam/findings/${seg(id)}`);
        out.print(f, () => fields(f, FINDING_FIELDS));
      }),
    );
  ipam
    .command('acknowledge <id>')
    .description('POST /api/v1/ipam/findings/{id}/acknowledge: seen, being looked at')
    .action(
      action(async ({ api, out }, id: string) => {
        const f = await api.call<Finding>('POST', `/api/v1/ipam/findings/${seg(id)}/acknowledge`);
        out.print(f, () => `${f.id}: ${f.status}`);
      }),
    );
  ipam
    .command('resolve <id>')
    .description('POST /api/v1/ipam/findings/{id}/resolve: mark the finding resolved, saying why')
    .requiredOption('--explanation <text>', 'why it is resolved (kept with the finding)')
    .action(
      action(async ({ api, out }, id: string, o: { explanation: string }) => {
        const f = await api.call<Finding>('POST', `/api/v1/ipam/findings/${seg(id)}/resolve`, { explanation: o.explanation });
        out.print(f, () => `${f.id}: ${f.status}`);
      }),
    );

  const exceptions = ipam.command('exceptions').description('exceptions: what a finding must not be raised for');
  paged(
    exceptions
      .command('list', { isDefault: true })
      .description('GET /api/v1/ipam/exceptions')
      .addOption(new Option('--status <status>', 'active or expired').choices(['active', 'expired'])),
  ).action(
    listAction<IpException, { status?: string }>('/api/v1/ipam/exceptions', (o) => ({ status: o.status }), [
      ['exception', (e) => e.id],
      ['scope', (e) => `${e.scope.type} ${e.scope.value}`],
      ['owner', (e) => e.owner],
      ['expires', (e) => e.expires_at],
      ['reason', (e) => e.reason],
    ]),
  );
  exceptions
    .command('add')
    .description('POST /api/v1/ipam/exceptions: e.g. a known multi-homed host (--entity host-12 --type duplicate_usage)')
    .requiredOption('--owner <who>', 'who answers for it')
    .requiredOption('--reason <text>', 'why the findings are expected')
    .requiredOption('--expires <iso>', 'when it stops applying, e.g. 2027-06-30T00:00:00Z')
    .option('--address <ip>', 'scope: one address')
    .option('--entity <id>', 'scope: one entity (host, VM, iDRAC endpoint)')
    .option('--prefix <cidr>', 'scope: a prefix')
    .option('--type <type>', 'only findings of this type (repeat; default all)', collect, [])
    .action(
      action(
        async (
          { api, out },
          o: { owner: string; reason: string; expires: string; address?: string; entity?: string; prefix?: string; type: string[] },
        ) => {
          const scopes = (['address', 'entity', 'prefix'] as const).filter((k) => o[k] !== undefined);
          if (scopes.length !== 1) throw new Error('give exactly one scope: --address, --entity or --prefix');
          const e = await api.call<IpException>('POST', '/api/v1/ipam/exceptions', {
            owner: o.owner,
            reason: o.reason,
            expires_at: o.expires,
            scope: { type: scopes[0], value: o[scopes[0]!] },
            ...(o.type.length ? { finding_types: o.type } : {}),
          });
          out.print(e, () => `${e.id}: ${e.scope.type} ${e.scope.value} excepted until ${e.expires_at}`);
        },
      ),
    );
}
