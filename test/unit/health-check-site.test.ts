import { describe, expect, it } from 'vitest';
import { DellEndpointCreate } from '../../shared/domain/dell-endpoint';
import type { CapabilityFingerprint } from '../../shared/domain/idrac';
import { SiteCreate } from '../../shared/domain/site';
import { VCenterInstanceCreate } from '../../shared/domain/vcenter';
import { type ProbeOutcome, probeSite } from '../../shared/jobs/health-check';
import type { Idrac, IdracTarget } from '../../shared/ports/idrac';
import { createDellEndpoint, deleteDellEndpoint } from '../../shared/usecases/dell-endpoints';
import { createServiceIdentity } from '../../shared/usecases/service-identities';
import { createSite } from '../../shared/usecases/sites';
import { createVcenterInstance, updateVcenterInstance } from '../../shared/usecases/vcenter-instances';
import { unitDeps } from '../support/fakes';

/** The iDRAC port, faked: addresses in `down` refuse the connection, the others answer Redfish. */
function fakeIdrac(down: Set<string>): Idrac {
  const probe = async (t: IdracTarget): Promise<CapabilityFingerprint> =>
    down.has(t.address)
      ? {
          address: t.address,
          reachable: false,
          protocols: {},
          device: { kind: 'nothing', summary: 'nothing answered' },
          generation: 'unknown',
          generation_basis: 'none',
          error: { code: 'unreachable', message: 'connect ECONNREFUSED' },
        }
      : {
          address: t.address,
          reachable: true,
          protocols: { redfish: { version: '1.11.0', port: 443 } },
          device: { kind: 'idrac', vendor: 'Dell', redfish_version: '1.11.0', summary: 'Dell iDRAC, Redfish 1.11.0' },
          generation: 'idrac9',
          generation_basis: 'redfish_version',
        };
  const unused = async (): Promise<never> => {
    throw new Error('a reachability probe does not call this');
  };
  const fake: Partial<Idrac> = { probe, inventory: unused, verifyCredential: unused, upstreams: () => [], dispose: async () => undefined };
  return fake as Idrac;
}

/** vCenter probes, faked per instance id; records which instances were asked. */
function fakeVcenters(answers: Record<string, ProbeOutcome>) {
  const asked: string[] = [];
  return {
    asked,
    vcenter: async (_deps: unknown, id: string): Promise<ProbeOutcome> => {
      asked.push(id);
      return answers[id] ?? { ok: false, result: { error: `no fake answer for ${id}` } };
    },
  };
}

/** Site 001 with vc-001, vc-002 and idrac-001 (10.0.0.11), site 002 with vc-003, an empty site; iDRACs in `down` refuse. */
async function lab(down = new Set<string>()) {
  const deps = { ...unitDeps(), idrac: fakeIdrac(down) };
  await createServiceIdentity(
    deps,
    { id: 'si-vc', name: 'vc', description: '', target_kind: 'vcenter', username: 'svc', secret: 'pw' },
    'test',
  );
  for (const id of ['site-001', 'site-002', 'site-empty'])
    await createSite(deps, SiteCreate.parse({ id, name: id, management_networks: ['10.0.0.0/24'] }), 'test');
  for (const [id, site] of [
    ['vc-001', 'site-001'],
    ['vc-002', 'site-001'],
    ['vc-003', 'site-002'],
  ] as const) {
    await createVcenterInstance(
      deps,
      VCenterInstanceCreate.parse({
        id,
        url: `https://${id}.example/sdk`,
        site_id: site,
        service_identity_id: 'si-vc',
        tls: { insecure: true },
      }),
      'test',
    );
  }
  await createDellEndpoint(deps, DellEndpointCreate.parse({ id: 'idrac-001', address: '10.0.0.11', site_id: 'site-001' }), 'test');
  return deps;
}

const UP: ProbeOutcome = { ok: true, result: { api_version: '8.0.3.0' } };

describe('health_check on a site', () => {
  it('probes the site vCenter instances with its iDRAC endpoints and names each unreachable one with its error', async () => {
    const deps = await lab();
    const refused =
      'Connection to vCenter https://vc-002.example/sdk failed during RetrieveServiceContent: connect ECONNREFUSED [ECONNREFUSED]';
    const vc = fakeVcenters({
      'vc-001': UP,
      'vc-002': { ok: false, result: { url: 'https://vc-002.example/sdk', error: refused } },
      'vc-003': UP,
    });
    const outcome = await probeSite(deps, 'site-001', vc);
    expect(vc.asked.sort()).toEqual(['vc-001', 'vc-002']); // vc-003 belongs to site-002
    expect(outcome.ok).toBe(false);
    expect(outcome.result).toMatchObject({
      endpoints_probed: 1,
      unreachable: 0,
      vcenter_instances_probed: 2,
      vcenter_reachable: 1,
      vcenter_unreachable: 1,
      unreachable_vcenter_instances: [{ id: 'vc-002', url: 'https://vc-002.example/sdk', error: refused }],
    });
    expect(outcome.result.error).toBe(
      `1 of 2 vCenter instance(s) of site 'site-001' unreachable: vc-002 (https://vc-002.example/sdk: ${refused})`,
    );
  });

  it('names unreachable iDRACs and vCenters together', async () => {
    const deps = await lab(new Set(['10.0.0.11']));
    const vc = fakeVcenters({ 'vc-001': { ok: false, result: { error: 'did not answer within 10000 ms' } }, 'vc-002': UP });
    const outcome = await probeSite(deps, 'site-001', vc);
    expect(outcome.ok).toBe(false);
    expect(outcome.result).toMatchObject({ endpoints_probed: 1, unreachable: 1, vcenter_instances_probed: 2, vcenter_unreachable: 1 });
    const error = String(outcome.result.error);
    expect(error).toMatch(/^1 of 1 iDRAC endpoint\(s\) of site 'site-001' unreachable: idrac-001 \(10\.0\.0\.11/);
    expect(error).toContain(
      "1 of 2 vCenter instance(s) of site 'site-001' unreachable: vc-001 (https://vc-001.example/sdk: did not answer within 10000 ms)",
    );
  });

  it('an endpoint deleted while its site is probed is left out, not a failed step', async () => {
    const deps = await lab();
    await createDellEndpoint(deps, DellEndpointCreate.parse({ id: 'idrac-002', address: '10.0.0.12', site_id: 'site-001' }), 'test');
    const probe = deps.idrac.probe.bind(deps.idrac);
    deps.idrac.probe = async (t) => {
      if (t.address === '10.0.0.12') await deleteDellEndpoint(deps, 'idrac-002'); // an operator, meanwhile
      return probe(t);
    };
    const outcome = await probeSite(deps, 'site-001', fakeVcenters({ 'vc-001': UP, 'vc-002': UP }));
    expect(outcome).toMatchObject({ ok: true, result: { endpoints_probed: 1, reachable: 1, unreachable: 0 } });
  });

  it('a site with only vCenter instances, all answering, is ok; an empty site has nothing to probe', async () => {
    const deps = await lab();
    const only = await probeSite(deps, 'site-002', fakeVcenters({ 'vc-003': UP }));
    expect(only).toEqual({
      ok: true,
      result: expect.objectContaining({
        endpoints_probed: 0,
        vcenter_instances_probed: 1,
        vcenter_reachable: 1,
        unreachable_vcenter_instances: [],
      }),
    });
    expect(only.result.error).toBeUndefined();
    const empty = await probeSite(deps, 'site-empty', fakeVcenters({}));
    expect(empty.ok).toBe(true);
    expect(empty.result).toMatchObject({
      endpoints_probed: 0,
      vcenter_instances_probed: 0,
      message: expect.stringContaining('nothing to probe'),
    });
    const gone = await probeSite(deps, 'site-404', fakeVcenters({}));
    expect(gone).toEqual({ ok: false, result: { error: "site 'site-404' no longer exists" } });
  });

  it('an instance moved to another site is probed there, not under its old site', async () => {
    const deps = await lab();
    await updateVcenterInstance(deps, 'vc-002', { site_id: 'site-002' });
    const old = fakeVcenters({ 'vc-001': UP });
    expect((await probeSite(deps, 'site-001', old)).result).toMatchObject({ vcenter_instances_probed: 1 });
    expect(old.asked).toEqual(['vc-001']);
    const moved = fakeVcenters({ 'vc-002': UP, 'vc-003': UP });
    await probeSite(deps, 'site-002', moved);
    expect(moved.asked.sort()).toEqual(['vc-002', 'vc-003']);
  });
});
