import { describe, expect, it } from 'vitest';
import { SiteCreate } from '../../shared/domain/site';
import { VCenterInstanceCreate } from '../../shared/domain/vcenter';
import { vcenterInstances } from '../../shared/records/vcenter';
import { createServiceIdentity } from '../../shared/usecases/service-identities';
import { createSite } from '../../shared/usecases/sites';
import { createVcenterInstance, deleteVcenterInstance, updateVcenterInstance } from '../../shared/usecases/vcenter-instances';
import { unitDeps } from '../support/fakes';

async function registered() {
  const deps = unitDeps();
  await createServiceIdentity(
    deps,
    { id: 'si-vc', name: 'vc', description: '', target_kind: 'vcenter', username: 'svc', secret: 'pw' },
    'test',
  );
  await createSite(deps, SiteCreate.parse({ id: 'site-001', name: 'lab' }), 'test');
  const body = { id: 'vc-001', url: 'https://vc.example/sdk', site_id: 'site-001', service_identity_id: 'si-vc', tls: { insecure: true } };
  await createVcenterInstance(deps, VCenterInstanceCreate.parse(body), 'test');
  // As a full sync leaves it: a checkpoint whose session part is a secret.
  await deps.secrets.put('vcenter-sessions/vc-001', '{"cookie":"c"}');
  await vcenterInstances.update(deps.store, 'vc-001', (c) => ({
    ...c,
    sync_state: { collector_version: '7', session_secret_ref: 'vcenter-sessions/vc-001' },
  }));
  return deps;
}

describe('vCenter instances and their clients', () => {
  it("a new URL, identity or TLS policy drops the instance's client and its delta checkpoint; a new description keeps both", async () => {
    const deps = await registered();
    await updateVcenterInstance(deps, 'vc-001', { description: 'lab' });
    expect(deps.vcenter.dropped).toEqual([]);
    expect((await vcenterInstances.get(deps.store, 'vc-001')).sync_state).toMatchObject({ collector_version: '7' });

    await updateVcenterInstance(deps, 'vc-001', { url: 'https://vc2.example/sdk' });
    expect(deps.vcenter.dropped).toEqual(['vc-001']);
    expect((await vcenterInstances.get(deps.store, 'vc-001')).sync_state).toBeUndefined();
    expect(deps.secrets.values.has('vcenter-sessions/vc-001')).toBe(false);
  });

  it("deleting an instance drops its client and its checkpoint's secret", async () => {
    const deps = await registered();
    await deleteVcenterInstance(deps, 'vc-001');
    expect(deps.vcenter.dropped).toEqual(['vc-001']);
    expect(deps.secrets.values.has('vcenter-sessions/vc-001')).toBe(false);
  });
});
