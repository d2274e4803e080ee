import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatorFleet } from '../../infra/local/simulators';
import { ForeignDevice, serviceRootFixture } from '../support/foreign-devices';
import { type Harness, startHarness, untilDiscoveryEnds } from '../support/harness';
import { waitFor } from '../support/wait';

/**
 * Issue 13, item 1: an operator cannot make EIO hand an iDRAC password to a machine of their choosing. Fake
 * BMCs that record everything they receive sit where an operator would aim, and every path that can send a
 * credential is driven as an operator: create, PATCH, refresh, verify, discovery, health_check.
 * - an impostor answering exactly like a Dell iDRAC (Dell service root, sessions, accepts any login) outside
 *   the sites' management networks;
 * - the same impostor inside a site's network, with a certificate nobody trusts (the site has no trust on first use);
 * - another vendor's BMC inside a site that trusts on first use.
 * A real (simulated) iDRAC in the network shows the same paths do log in where they should.
 * This file's addresses: 127.73.0.0/29 (site-reach, trust on first use), 127.73.0.8/29 (site-strict), 127.73.1.x (outside).
 */
const CERT_DIR = join(tmpdir(), 'eio-idrac-client-test-certs');
const PORTS = { https: 21443, wsman: 21986 };
const PASSWORD = 'calvin-reach';
const OUTSIDE = '127.73.1.1';

const DELL_ROOT = {
  '@odata.id': '/redfish/v1',
  '@odata.type': '#ServiceRoot.v1_11_0.ServiceRoot',
  Id: 'RootService',
  Name: 'Root Service',
  RedfishVersion: '1.13.1',
  Vendor: 'Dell',
  Product: 'Integrated Dell Remote Access Controller',
  Oem: { Dell: { '@odata.type': '#DellServiceRoot.v1_0_0.DellServiceRoot', ServiceTag: 'FAKE001' } },
  Systems: { '@odata.id': '/redfish/v1/Systems' },
  Managers: { '@odata.id': '/redfish/v1/Managers' },
  UpdateService: { '@odata.id': '/redfish/v1/UpdateService' },
  SessionService: { '@odata.id': '/redfish/v1/SessionService' },
  Links: { Sessions: { '@odata.id': '/redfish/v1/SessionService/Sessions' } },
};

let h: Harness;
let idrac: SimulatorFleet;
const fake: Record<'outside' | 'untrusted' | 'hpe', ForeignDevice> = {} as never;

const as = (role: 'operator' | 'admin') => ({
  post: (path: string, body?: unknown) => h.call('POST', path, { role, body }),
  patch: (path: string, body: unknown) => h.call('PATCH', path, { role, body }),
});
const operator = as('operator');
const admin = as('admin');
const fieldsOf = (res: { body: any }) => (res.body.error.details ?? []).map((d: { path: string }) => d.path);
const noCredentialReachedAFake = () => {
  for (const [name, device] of Object.entries(fake))
    expect({ name, credentials: device.credentialsReceived() }).toEqual({ name, credentials: [] });
};

beforeAll(async () => {
  process.env.IDRAC_CONNECT_TIMEOUT_MS = '1000';
  process.env.IDRAC_HEADERS_TIMEOUT_MS = '3000';
  const at = { port: PORTS.https, extraPorts: [PORTS.wsman], certDir: CERT_DIR };
  const impostor = {
    kind: 'redfish' as const,
    root: DELL_ROOT,
    sessions: 'created' as const,
    accepts: { username: 'root', password: PASSWORD },
  };
  [idrac, fake.outside, fake.untrusted, fake.hpe] = await Promise.all([
    SimulatorFleet.start({
      count: 1,
      baseAddress: '127.73.0.1',
      ports: PORTS,
      certDir: CERT_DIR,
      speed: 200,
      seed: 'reach',
      credentials: { username: 'root', password: PASSWORD },
    }),
    ForeignDevice.start({ address: OUTSIDE, ...at, ...impostor }),
    ForeignDevice.start({ address: '127.73.0.9', ...at, ...impostor }),
    ForeignDevice.start({ kind: 'redfish', address: '127.73.0.3', ...at, root: serviceRootFixture('hpe-ilo5') }),
  ]);
  h = await startHarness();
  for (const id of ['si-reach', 'si-spare'])
    expect(
      (
        await admin.post('/api/v1/service-identities', {
          id,
          name: id,
          target_kind: 'idrac',
          username: 'root',
          secret: PASSWORD,
        })
      ).status,
    ).toBe(201);
  const site = (id: string, network: string, tofu: boolean) => ({
    id,
    name: id,
    management_networks: [network],
    idrac_service_identity_id: 'si-reach',
    trust_on_first_use: tofu,
    redfish_port: PORTS.https,
    wsman_port: PORTS.wsman,
  });
  // Setting a site's networks, credential and trust on first use is an admin's.
  const refused = await operator.post('/api/v1/sites', site('site-reach', '127.73.0.0/29', true));
  expect(refused.status).toBe(403);
  expect(fieldsOf(refused)).toEqual(['body.management_networks', 'body.idrac_service_identity_id', 'body.trust_on_first_use']);
  expect((await admin.post('/api/v1/sites', site('site-reach', '127.73.0.0/29', true))).status).toBe(201);
  expect((await admin.post('/api/v1/sites', site('site-strict', '127.73.0.8/29', false))).status).toBe(201);
}, 60_000);

afterAll(async () => {
  await h?.close();
  await Promise.all([idrac?.stop(), ...Object.values(fake).map((d) => d?.stop())]);
  delete process.env.IDRAC_CONNECT_TIMEOUT_MS;
  delete process.env.IDRAC_HEADERS_TIMEOUT_MS;
});

describe('as an operator, no path sends a credential to a device EIO has not identified and does not trust', () => {
  it('create: outside the networks, an override, trust settings or another credential are refused', async () => {
    const outside = await operator.post('/api/v1/dell/endpoints', { id: 'idrac-evil', address: OUTSIDE, site_id: 'site-reach' });
    expect(outside.status).toBe(400);
    expect(fieldsOf(outside)).toEqual(['body.address']);
    expect(outside.body.error.message).toContain("outside site 'site-reach''s management networks");
    const overridden = await operator.post('/api/v1/dell/endpoints', {
      address: OUTSIDE,
      site_id: 'site-reach',
      outside_site_networks: { reason: 'trust me' },
    });
    expect(overridden.status).toBe(403);
    expect(overridden.body.error.message).toContain("'admin' is needed");
    for (const [body, field] of [
      [{ tls: { insecure: true } }, 'body.tls.insecure'],
      [{ tls: { legacy: true } }, 'body.tls.legacy'],
      [{ tls: { ca_pem: '-----BEGIN CERTIFICATE-----\nMII=\n-----END CERTIFICATE-----' } }, 'body.tls.ca_pem'],
      [{ tls: { pinned_thumbprint: 'AB'.repeat(32) } }, 'body.tls.pinned_thumbprint'],
      [{ service_identity_id: 'si-spare' }, 'body.service_identity_id'],
    ] as const) {
      const res = await operator.post('/api/v1/dell/endpoints', { address: '127.73.0.9', site_id: 'site-strict', ...body });
      expect(res.status).toBe(403);
      expect(fieldsOf(res)).toEqual([field]);
    }
    // The network's broadcast address is not a device.
    const broadcast = await admin.post('/api/v1/dell/endpoints', {
      address: '127.73.0.7',
      site_id: 'site-reach',
      outside_site_networks: { reason: 'x' },
    });
    expect(broadcast.status).toBe(400);
    expect(broadcast.body.error.message).toContain('broadcast address of 127.73.0.0/29');
    expect((await h.call('GET', '/api/v1/dell/endpoints/idrac-evil', { role: 'viewer' })).status).toBe(404);
    noCredentialReachedAFake();
  });

  it('PATCH: moving an endpoint outside, trusting another certificate or naming another credential are refused', async () => {
    const real = idrac.info()[0]!;
    expect((await operator.post('/api/v1/dell/endpoints', { id: 'idrac-real', address: real.address, site_id: 'site-reach' })).status).toBe(
      201,
    );
    const moved = await operator.patch('/api/v1/dell/endpoints/idrac-real', { address: OUTSIDE });
    expect(moved.status).toBe(400);
    expect(fieldsOf(moved)).toEqual(['body.address']);
    for (const body of [
      { tls: { insecure: true } },
      { tls: { pinned_thumbprint: null } },
      { tls: { legacy: true } },
      { service_identity_id: 'si-spare' },
      { address: OUTSIDE, outside_site_networks: { reason: 'trust me' } },
    ])
      expect((await operator.patch('/api/v1/dell/endpoints/idrac-real', body)).status).toBe(403);
    // Widening a site's networks, or trusting on first use, is an admin's too.
    expect((await operator.patch('/api/v1/sites/site-reach', { management_networks: ['127.73.0.0/23'] })).status).toBe(403);
    expect((await operator.patch('/api/v1/sites/site-strict', { trust_on_first_use: true })).status).toBe(403);
    expect((await operator.patch('/api/v1/sites/site-strict', { idrac_service_identity_id: 'si-spare' })).status).toBe(403);
    expect((await h.call('GET', '/api/v1/dell/endpoints/idrac-real', { role: 'viewer' })).body.address).toBe(real.address);
    noCredentialReachedAFake();
  });

  it('refresh: the real iDRAC is logged in to; the untrusted impostor and the other vendor BMC get nothing', async () => {
    const real = await operator.post('/api/v1/dell/endpoints/idrac-real/refresh');
    expect(real.body).toMatchObject({ status: 'reachable', last_error: null, service_tag: idrac.info()[0]!.serviceTag });
    expect(real.body.inventory_at).toBeTruthy();
    for (const [id, address, site] of [
      ['idrac-impostor', '127.73.0.9', 'site-strict'],
      ['idrac-hpe', '127.73.0.3', 'site-reach'],
    ] as const) {
      expect((await operator.post('/api/v1/dell/endpoints', { id, address, site_id: site })).status).toBe(201);
      expect((await operator.post(`/api/v1/dell/endpoints/${id}/refresh`)).body.status).toBe('unreachable');
    }
    const impostor = (await h.call('GET', '/api/v1/dell/endpoints/idrac-impostor', { role: 'viewer' })).body;
    expect(impostor.last_error.code).toBe('certificate_untrusted');
    expect((await h.call('GET', '/api/v1/dell/endpoints/idrac-hpe', { role: 'viewer' })).body.last_error.code).toBe('not_an_idrac');
    noCredentialReachedAFake();
  });

  it('verify: the credential is tried only where it may go', async () => {
    const verified = await h.call('GET', '/api/v1/service-identities/si-reach/verify', { role: 'operator' });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ result: 'verified', target: 'idrac-real' });
    noCredentialReachedAFake();
  });

  it('discovery of both sites, with trust on first use in one: the fakes are seen, never logged in to', async () => {
    const started = await operator.post('/api/v1/dell/discover', { site_ids: ['site-reach', 'site-strict'] });
    expect(started.status).toBe(202);
    const run = await untilDiscoveryEnds(h, started.body.id, 30_000);
    expect(run).toMatchObject({ status: 'succeeded', errors: 0 });
    expect(fake.untrusted.requests.length + fake.hpe.requests.length).toBeGreaterThan(0);
    noCredentialReachedAFake();
  });

  it('health_check of both sites and the endpoints: probes only, no credential', async () => {
    const job = await operator.post('/api/v1/jobs', {
      type: 'health_check',
      target_ids: ['site-reach', 'site-strict', 'idrac-impostor', 'idrac-hpe', 'idrac-real'],
    });
    expect(job.status).toBe(202);
    const done = await waitFor(
      'health_check to end',
      async () => {
        const j = (await h.call('GET', `/api/v1/jobs/${job.body.id}`, { role: 'viewer' })).body;
        return ['succeeded', 'failed'].includes(j.status) ? j : undefined;
      },
      30_000,
    );
    expect(done.steps.find((s: { target_id?: string }) => s.target_id === 'idrac-real').status).toBe('succeeded');
    noCredentialReachedAFake();
    expect(fake.outside.requests).toEqual([]);
  });
});

describe('an admin may register an endpoint outside the site networks, with a reason that is audited', () => {
  it('records the allowance on the endpoint and in the audit trail, naming the admin', async () => {
    const res = await admin.post('/api/v1/dell/endpoints', {
      id: 'idrac-oob',
      address: '127.73.1.2',
      site_id: 'site-reach',
      outside_site_networks: { reason: 'out-of-band rack, change CHG-4711' },
    });
    expect(res.status).toBe(201);
    const allowance = { reason: 'out-of-band rack, change CHG-4711', address: '127.73.1.2', approved_by: 'test-admin' };
    expect(res.body.outside_site_networks).toMatchObject(allowance);
    const audit = await h.call('GET', '/api/v1/audit?entity=idrac-oob', { role: 'viewer' });
    expect(audit.body.items).toEqual([
      expect.objectContaining({
        action: 'dell_endpoint.created',
        actor: 'test-admin',
        detail: expect.objectContaining({ outside_site_networks: expect.objectContaining(allowance) }),
      }),
    ]);
  });
});
