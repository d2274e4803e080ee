/** Firmware baselines and each server's compliance with its site's baseline (read-only; changes go through jobs). */
import { type Command, Option } from 'commander';
import { COMPLIANCE_STATUSES, type FirmwareBaseline } from '../../shared/domain/firmware-baseline';
import type { ServerCompliance } from '../../shared/usecases/firmware-compliance';
import { seg } from '../client';
import { action } from '../context';
import { listAction, paged } from '../list';
import { fields, table } from '../output';

type ComplianceOptions = { site?: string; cluster?: string; endpoint?: string; baseline?: string; status?: string };

export function firmwareCommands(program: Command): void {
  const firmware = program.command('firmware').description('firmware baselines and compliance');
  paged(firmware.command('baselines').description('GET /api/v1/firmware/baselines')).action(
    listAction<FirmwareBaseline, object>('/api/v1/firmware/baselines', () => ({}), [
      ['baseline', (b) => b.id],
      ['name', (b) => b.name],
      ['sites', (b) => b.site_ids.join(',')],
      ['components', (b) => b.components.length],
      ['updated', (b) => b.updated_at],
    ]),
  );
  firmware
    .command('baseline <id>')
    .description('GET /api/v1/firmware/baselines/{id}: the baseline and its components')
    .action(
      action(async ({ api, out }, id: string) => {
        const b = await api.call<FirmwareBaseline>('GET', `/api/v1/firmware/baselines/${seg(id)}`);
        out.print(b, () =>
          [
            fields(b as unknown as Record<string, unknown>, ['id', 'name', 'description', 'site_ids', 'updated_at']),
            table(b.components, [
              ['component', (c) => c.name],
              ['fqdd', (c) => c.fqdd ?? c.component_id],
              ['version', (c) => c.version],
              ['models', (c) => c.models?.join(', ') ?? 'all'],
            ]),
          ].join('\n'),
        );
      }),
    );
  paged(
    firmware
      .command('compliance')
      .description('GET /api/v1/firmware/compliance: each server against its baseline (e.g. --site site-001 --status outdated)')
      .option('--site <id>', 'only this site')
      .option('--cluster <id>', "a synced cluster's hosts, e.g. vc-001/domain-c7")
      .option('--endpoint <id>', 'one iDRAC endpoint')
      .option('--baseline <id>', "compare with this baseline instead of each site's own")
      .addOption(new Option('--status <status>', 'only servers in this status').choices([...COMPLIANCE_STATUSES, 'no_baseline'])),
  ).action(
    listAction<ServerCompliance, ComplianceOptions>(
      '/api/v1/firmware/compliance',
      (o) => ({ site_id: o.site, cluster: o.cluster, endpoint_id: o.endpoint, baseline_id: o.baseline, status: o.status }),
      [
        ['endpoint', (s) => s.endpoint_id],
        ['host', (s) => s.host_name ?? s.host_id],
        ['model', (s) => s.model],
        ['baseline', (s) => s.baseline_id],
        ['status', (s) => s.status],
        ['outdated', (s) => s.counts.outdated],
        ['compliant', (s) => s.counts.compliant],
      ],
    ),
  );
}
