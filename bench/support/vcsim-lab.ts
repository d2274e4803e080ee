/**
 * The benches' vCenter lab: vcsim registered as `vc-bench` on site `site-bench` under its own service identity,
 * fully synced once, so a bench starts from the inventory an operator would have.
 */
import type { Harness } from '../../test/support/harness';
import type { Vcsim } from '../../test/support/vcsim';
import { waitFor } from '../../test/support/wait';
import { must } from './intervals';

export async function registerAndSyncVcsim(h: Pick<Harness, 'call'>, sim: Vcsim, identityId: string): Promise<void> {
  await must(h.call('POST', '/api/v1/sites', { role: 'operator', body: { id: 'site-bench', name: 'Bench' } }), 201, 'site');
  await must(
    h.call('POST', '/api/v1/service-identities', {
      role: 'admin',
      body: { id: identityId, name: identityId, target_kind: 'vcenter', username: sim.user, secret: sim.password },
    }),
    201,
    identityId,
  );
  await must(
    h.call('POST', '/api/v1/vcenter/instances', {
      role: 'admin',
      body: { id: 'vc-bench', url: sim.url, site_id: 'site-bench', service_identity_id: identityId, tls: { ca_pem: sim.certPem } },
    }),
    201,
    'instance',
  );
  const sync = await must(
    h.call('POST', '/api/v1/vcenter/sync', { role: 'operator', body: { instance_ids: ['vc-bench'], sync_type: 'full' } }),
    202,
    'sync',
  );
  await waitFor(
    'full sync',
    async () => {
      const r = await h.call('GET', `/api/v1/vcenter/sync-runs/${sync.sync_run_ids[0]}`, { role: 'viewer' });
      if (r.body?.status === 'failed') throw new Error(`full sync failed: ${r.text}`);
      return r.body?.status === 'succeeded' ? true : undefined;
    },
    300_000,
    200,
  );
}
