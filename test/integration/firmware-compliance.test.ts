import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatorFleet } from '../../infra/local/simulators';
import { type Harness, startHarness } from '../support/harness';
import { registerSimulatedIdrac } from '../support/simulated-idracs';

/**
 * Firmware baselines and compliance over HTTP on the local stack, against two simulated R750 iDRACs
 * (127.172.0.x) and a Dell catalog in the shape Dell publishes (test/fixtures/firmware/Catalog.xml).
 */
const CERT_DIR = join(tmpdir(), 'eio-idrac-client-test-certs');
const CATALOG = readFileSync(new URL('../fixtures/firmware/Catalog.xml', import.meta.url), 'utf8');

let h: Harness;
let idracs: SimulatorFleet;
let baselineId: string;

type Server = { endpoint_id: string; status: string; counts: Record<string, number>; components: { fqdd: string; status: string }[] };
const compliance = async (query: string): Promise<Server[]> => {
  const res = await h.call('GET', `/api/v1/firmware/compliance?${query}`, { role: 'viewer' });
  expect(res.status, res.text).toBe(200);
  return res.body.items;
};

beforeAll(async () => {
  h = await startHarness();
  idracs = await SimulatorFleet.start({ count: 2, baseAddress: '127.172.0.1', certDir: CERT_DIR, speed: 200, seed: 'fw-compliance' });
  expect((await h.call('POST', '/api/v1/sites', { role: 'operator', body: { id: 'site-001', name: 'Lab' } })).status).toBe(201);
  const si = await h.call('POST', '/api/v1/service-identities', {
    role: 'admin',
    body: { id: 'si-idrac', name: 'si-idrac', target_kind: 'idrac', username: 'root', secret: 'calvin' },
  });
  expect(si.status, si.text).toBe(201);
  for (const [i, idrac] of idracs.info().entries())
    await registerSimulatedIdrac(h, `idrac-fw-${i}`, idrac, { site_id: 'site-001', service_identity_id: 'si-idrac' });
}, 120_000);

afterAll(async () => {
  await h?.close();
  await idracs?.stop();
});

describe('firmware baselines and compliance on the local stack', () => {
  it("a catalog imported for the site's model governs its servers: per server and component, drift on the endpoint", async () => {
    const query = 'name=R750%2026.10&models=R750&site_ids=site-001&repository_uri=http://repo.lab.example/dell';
    const res = await h.call('POST', `/api/v1/firmware/baselines/import?${query}`, {
      role: 'operator',
      rawBody: CATALOG,
      headers: { 'content-type': 'application/xml' },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ site_ids: ['site-001'], source: { kind: 'catalog', release_id: 'EIO26' }, skipped: { pci_only: 1 } });
    expect(res.headers.get('location')).toBe(`/api/v1/firmware/baselines/${res.body.id}`);
    baselineId = res.body.id;

    const servers = await compliance('site_id=site-001');
    expect(servers.map((s) => [s.endpoint_id, s.status])).toEqual([
      ['idrac-fw-0', 'outdated'],
      ['idrac-fw-1', 'outdated'],
    ]);
    expect(servers[0]!.counts).toEqual({ compliant: 2, outdated: 3, newer: 2, unknown: 1 });
    expect(servers[0]!.components.find((c) => c.fqdd === 'iDRAC.Embedded.1-1')).toMatchObject({
      status: 'outdated',
      installed_version: '6.00.30.00',
      baseline_version: '7.00.00.00',
      image_uri: expect.stringMatching(/^http:\/\/repo\.lab\.example\/dell\/FOLDER11000001M\//),
    });
    expect((await compliance('endpoint_id=idrac-fw-1&status=compliant')).map((s) => s.endpoint_id)).toEqual([]);

    const ep = await h.call('GET', '/api/v1/dell/endpoints/idrac-fw-0', { role: 'viewer' });
    expect(ep.body.firmware_compliance).toMatchObject({ baseline_id: baselineId, status: 'outdated', counts: { outdated: 3 } });
  });

  it('a baseline changed by hand counts at once; one baseline per site; bad input names its fields', async () => {
    const components = [
      { name: 'iDRAC', component_id: '25227', version: '6.00.30.00', image_uri: 'https://repo.lab.example/idrac-6.00.30.00.EXE' },
      { name: 'BIOS', fqdd: 'BIOS.Setup.1-1', version: '1.8.2' },
    ];
    const patched = await h.call('PATCH', `/api/v1/firmware/baselines/${baselineId}`, {
      role: 'operator',
      body: { components, version: 1 },
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.version).toBe(2);
    expect((await compliance('site_id=site-001')).map((s) => [s.status, s.components.length])).toEqual([
      ['compliant', 2],
      ['compliant', 2],
    ]);

    const second = await h.call('POST', '/api/v1/firmware/baselines', {
      role: 'operator',
      body: { name: 'other', site_ids: ['site-001'], components },
    });
    expect(second.status, second.text).toBe(409);
    expect(second.body.error.message).toContain(`site 'site-001' is governed by baseline '${baselineId}'`);
    const bad = await h.call('POST', '/api/v1/firmware/baselines', {
      role: 'operator',
      body: {
        name: 'bad',
        components: [
          { name: 'x', version: '1' },
          { name: 'y', fqdd: 'BIOS.Setup.1-1', version: '1', image_uri: 'ftp://x/y' },
        ],
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(['body.components[0]', 'body.components[1].image_uri']);
    const notXml = await h.call('POST', '/api/v1/firmware/baselines/import?name=x', {
      role: 'operator',
      rawBody: '<Manifest><SoftwareComponent></Manifest>',
      headers: { 'content-type': 'application/xml' },
    });
    expect(notXml.status).toBe(400);
    expect(notXml.body.error.message).toContain('not well-formed XML');
    expect((await h.call('GET', '/api/v1/firmware/baselines/fwb-missing', { role: 'viewer' })).status).toBe(404);
    expect((await h.call('GET', '/api/v1/firmware/compliance?endpoint_id=idrac-missing', { role: 'viewer' })).status).toBe(404);

    expect((await h.call('DELETE', `/api/v1/firmware/baselines/${baselineId}`, { role: 'admin' })).status).toBe(204);
    expect((await compliance('site_id=site-001')).map((s) => s.status)).toEqual(['no_baseline', 'no_baseline']);
  });
});
