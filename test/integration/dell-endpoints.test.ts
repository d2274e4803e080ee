import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatorFleet } from '../../infra/local/simulators';
import { observationsAt } from '../../shared/records/ip-observations';
import { type Harness, startHarness, untilDiscoveryEnds } from '../support/harness';
import { waitFor } from '../support/wait';

/**
 * Dell endpoints over HTTP on the real local stack, against simulated iDRACs on loopback.
 * This file's addresses: 127.51.0.x (fleet with free ports), 127.52.0.x (dead), 127.53.0.0/28 (discovery sweep),
 * 127.54.0.x (health_check fleet), 127.56.0.0/29 (sweep with a TLS 1.0-only iDRAC), 10.45.x (never contacted).
 * One endpoint per address: every registration below uses its own address.
 */
const CERT_DIR = join(tmpdir(), 'eio-idrac-client-test-certs');
const SWEEP_PORTS = { https: 18443, wsman: 15986 };

let h: Harness;
let fleet: SimulatorFleet;
let sweepFleet: SimulatorFleet;
let hcFleet: SimulatorFleet;
let legacyFleet: SimulatorFleet;

beforeAll(async () => {
  // Short timeouts: a hanging iDRAC costs one connect timeout.
  process.env.IDRAC_CONNECT_TIMEOUT_MS = '1000';
  process.env.IDRAC_HEADERS_TIMEOUT_MS = '3000';
  [fleet, sweepFleet, hcFleet, legacyFleet] = await Promise.all([
    SimulatorFleet.start({ count: 16, baseAddress: '127.51.0.1', certDir: CERT_DIR, speed: 200, seed: 'dell-ep' }),
    SimulatorFleet.start({
      count: 3,
      baseAddress: '127.53.0.1',
      ports: SWEEP_PORTS,
      certDir: CERT_DIR,
      speed: 200,
      seed: 'dell-sweep',
      generation: (i) => (i === 2 ? 'idrac8' : 'idrac9'),
    }),
    SimulatorFleet.start({ count: 2, baseAddress: '127.54.0.1', certDir: CERT_DIR, speed: 200, seed: 'dell-hc' }),
    // An iDRAC9 and an iDRAC8 whose firmware speaks TLS 1.0 only, on the sweep's fixed ports.
    SimulatorFleet.start({
      count: 2,
      baseAddress: '127.56.0.1',
      ports: SWEEP_PORTS,
      certDir: CERT_DIR,
      speed: 200,
      seed: 'dell-legacy',
      generation: (i) => (i === 1 ? 'idrac8' : 'idrac9'),
      endpoint: (i) => (i === 1 ? { maxTlsVersion: 'TLSv1' } : {}),
    }),
  ]);
  h = await startHarness();
  expect(
    (
      await h.call('POST', '/api/v1/service-identities', {
        role: 'admin',
        body: { id: 'si-idrac', name: 'iDRAC root', target_kind: 'idrac', username: 'root', secret: 'calvin' },
      })
    ).status,
  ).toBe(201);
  expect(
    (
      await h.call('POST', '/api/v1/service-identities', {
        role: 'admin',
        body: { id: 'si-vc', name: 'vCenter', target_kind: 'vcenter', username: 'administrator@vsphere.local', secret: 'x' },
      })
    ).status,
  ).toBe(201);
  expect(
    (
      await h.call('POST', '/api/v1/sites', {
        role: 'admin',
        body: {
          id: 'site-dell',
          name: 'Dell lab',
          idrac_service_identity_id: 'si-idrac',
          management_networks: ['10.0.0.0/24', '10.45.0.0/16', '127.51.0.0/24', '127.52.0.0/24'],
        },
      })
    ).status,
  ).toBe(201);
}, 60_000);

afterAll(async () => {
  await h?.close();
  await Promise.all([fleet?.stop(), sweepFleet?.stop(), hcFleet?.stop(), legacyFleet?.stop()]);
  delete process.env.IDRAC_CONNECT_TIMEOUT_MS;
  delete process.env.IDRAC_HEADERS_TIMEOUT_MS;
});

const sim = (f: SimulatorFleet, i: number) => f.info()[i]!;
/** Registers as an operator; trust settings (a pin) and another credential than the site's need an admin. */
const register = (body: Record<string, unknown>, role: 'operator' | 'admin' = 'operator') =>
  h.call('POST', '/api/v1/dell/endpoints', { role, body });
const get = async (id: string) => (await h.call('GET', `/api/v1/dell/endpoints/${id}`, { role: 'viewer' })).body;
/** A site whose management network holds simulators on the sweep ports, trusting on first use. */
const createSweepSite = (id: string, name: string, network: string) =>
  h.call('POST', '/api/v1/sites', {
    role: 'admin',
    body: {
      id,
      name,
      management_networks: [network],
      idrac_service_identity_id: 'si-idrac',
      trust_on_first_use: true,
      redfish_port: SWEEP_PORTS.https,
      wsman_port: SWEEP_PORTS.wsman,
    },
  });
const refresh = (id: string) => h.call('POST', `/api/v1/dell/endpoints/${id}/refresh`, { role: 'operator' });
const paths = (res: { body: any }) => (res.body.error.details ?? []).map((d: { path: string }) => d.path);

describe('Dell endpoints: CRUD and validation', () => {
  it('creates with a client id and defaults, refuses the same id twice', async () => {
    const res = await register({ id: 'idrac-001', address: '10.45.12.17', site_id: 'site-dell' });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe('/api/v1/dell/endpoints/idrac-001');
    expect(res.body).toMatchObject({
      id: 'idrac-001',
      address: '10.45.12.17',
      site_id: 'site-dell',
      redfish_port: 443,
      wsman_port: 5986,
      tls: { insecure: false, legacy: false },
      status: 'unknown',
      version: 1,
    });
    expect((await register({ id: 'idrac-001', address: '10.45.12.18', site_id: 'site-dell' })).status).toBe(409);
    const generated = await register({ address: '10.45.12.19', site_id: 'site-dell' });
    expect(generated.body.id).toMatch(/^idrac-[a-z0-9]+$/);
  });

  it('refuses bad input with field paths', async () => {
    const bad = await register(
      {
        address: '10.45.12.300',
        site_id: 'nope',
        redfish_port: 70000,
        tls: { pinned_thumbprint: 'zz', bogus: 1 },
      },
      'admin',
    );
    expect(bad.status).toBe(400);
    expect(paths(bad)).toEqual(
      expect.arrayContaining(['body.address', 'body.site_id', 'body.redfish_port', 'body.tls.pinned_thumbprint', 'body.tls']),
    );
    const noSite = await register({ address: '10.0.0.1', site_id: 'site-missing' });
    expect(noSite.status).toBe(400);
    expect(paths(noSite)).toEqual(['body.site_id']);
    const wrongKind = await register({ address: '10.0.0.1', site_id: 'site-dell', service_identity_id: 'si-vc' }, 'admin');
    expect(wrongKind.status).toBe(400);
    expect(paths(wrongKind)).toEqual(['body.service_identity_id']);
    expect(wrongKind.body.error.message).toContain('vcenter');
    const siteWrongKind = await h.call('POST', '/api/v1/sites', {
      role: 'admin',
      body: { name: 'x', idrac_service_identity_id: 'si-vc' },
    });
    expect(siteWrongKind.status).toBe(400);
    expect(paths(siteWrongKind)).toEqual(['body.idrac_service_identity_id']);
    expect(
      (await h.call('POST', '/api/v1/dell/endpoints', { role: 'viewer', body: { address: '10.0.0.1', site_id: 'site-dell' } })).status,
    ).toBe(403);
  });

  it('gets, lists with filters, patches, 404s', async () => {
    expect((await get('idrac-001')).address).toBe('10.45.12.17');
    expect((await h.call('GET', '/api/v1/dell/endpoints/idrac-404', { role: 'viewer' })).status).toBe(404);
    const list = await h.call('GET', '/api/v1/dell/endpoints?site_id=site-dell&status=unknown&limit=200', { role: 'viewer' });
    expect(list.status).toBe(200);
    expect(list.body.items.map((e: { id: string }) => e.id)).toContain('idrac-001');
    const none = await h.call('GET', '/api/v1/dell/endpoints?status=reachable&model=PowerEdge%20X1', { role: 'viewer' });
    expect(none.body.items).toEqual([]);
    expect((await h.call('GET', '/api/v1/dell/endpoints?status=sideways', { role: 'viewer' })).status).toBe(400);
    const patched = await h.call('PATCH', '/api/v1/dell/endpoints/idrac-001', {
      role: 'operator',
      body: { wsman_port: 15986, version: 1 },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ wsman_port: 15986, version: 2 });
    expect(
      (await h.call('PATCH', '/api/v1/dell/endpoints/idrac-001', { role: 'operator', body: { wsman_port: 1, version: 1 } })).status,
    ).toBe(409);
    expect((await h.call('PATCH', '/api/v1/dell/endpoints/idrac-404', { role: 'operator', body: { wsman_port: 1 } })).status).toBe(404);
  });

  it('a site or identity in use cannot be deleted (409 naming the endpoint); delete is admin only', async () => {
    await h.call('POST', '/api/v1/sites', {
      role: 'admin',
      body: { id: 'site-del', name: 'to delete', management_networks: ['10.9.9.0/24'] },
    });
    await register({ id: 'idrac-del', address: '10.9.9.9', site_id: 'site-del', service_identity_id: 'si-idrac' }, 'admin');
    const siteInUse = await h.call('DELETE', '/api/v1/sites/site-del', { role: 'admin' });
    expect(siteInUse.status).toBe(409);
    expect(siteInUse.body.error.message).toContain("iDRAC endpoint 'idrac-del'");
    const siInUse = await h.call('DELETE', '/api/v1/service-identities/si-idrac', { role: 'admin' });
    expect(siInUse.status).toBe(409);
    expect(siInUse.body.error.message).toContain("site 'site-dell'");
    expect((await h.call('DELETE', '/api/v1/dell/endpoints/idrac-del', { role: 'operator' })).status).toBe(403);
    expect((await h.call('DELETE', '/api/v1/dell/endpoints/idrac-del', { role: 'admin' })).status).toBe(204);
    expect((await h.call('DELETE', '/api/v1/dell/endpoints/idrac-del', { role: 'admin' })).status).toBe(404);
    expect((await h.call('DELETE', '/api/v1/sites/site-del', { role: 'admin' })).status).toBe(204);
  });

  it('one endpoint per address, in any site: 409 naming the holder; an address change or a delete frees it', async () => {
    expect((await register({ id: 'idrac-dup1', address: '10.45.13.1', site_id: 'site-dell' })).status).toBe(201);
    const again = await register({ id: 'idrac-dup2', address: '10.45.13.1', site_id: 'site-dell' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
    expect(again.body.error.message).toContain("already registered as endpoint 'idrac-dup1'");
    expect(again.body.error.details).toEqual({ address: '10.45.13.1', endpoint_id: 'idrac-dup1', site_id: 'site-dell' });
    await h.call('POST', '/api/v1/sites', {
      role: 'admin',
      body: { id: 'site-other', name: 'other', management_networks: ['10.45.13.0/24'] },
    });
    const elsewhere = await register({ id: 'idrac-dup2', address: '10.45.13.1', site_id: 'site-other' });
    expect(elsewhere.status).toBe(409);
    expect(elsewhere.body.error.details.endpoint_id).toBe('idrac-dup1');
    expect((await h.call('GET', '/api/v1/dell/endpoints/idrac-dup2', { role: 'viewer' })).status).toBe(404);

    expect((await register({ id: 'idrac-dup2', address: '10.45.13.2', site_id: 'site-other' })).status).toBe(201);
    const onto = await h.call('PATCH', '/api/v1/dell/endpoints/idrac-dup2', { role: 'operator', body: { address: '10.45.13.1' } });
    expect(onto.status).toBe(409);
    expect(onto.body.error.message).toContain("'idrac-dup1'");
    expect((await get('idrac-dup2')).address).toBe('10.45.13.2');

    const moved = await h.call('PATCH', '/api/v1/dell/endpoints/idrac-dup1', { role: 'operator', body: { address: '10.45.13.3' } });
    expect(moved.status).toBe(200);
    expect((await register({ id: 'idrac-dup3', address: '10.45.13.1', site_id: 'site-dell' })).status).toBe(201);
    expect((await register({ address: '10.45.13.3', site_id: 'site-dell' })).body.error.details.endpoint_id).toBe('idrac-dup1');
    expect((await h.call('DELETE', '/api/v1/dell/endpoints/idrac-dup3', { role: 'admin' })).status).toBe(204);
    expect((await register({ id: 'idrac-dup4', address: '10.45.13.1', site_id: 'site-other' })).status).toBe(201);
  });
});

describe('refresh: probe and inventory through the iDRAC port', () => {
  it('fills the capability fields from a simulated iDRAC9', async () => {
    const s = sim(fleet, 0);
    await register(
      {
        id: 'idrac-sim0',
        address: s.address,
        site_id: 'site-dell',
        redfish_port: s.ports.https,
        wsman_port: 9,
        tls: { pinned_thumbprint: s.certificate.thumbprint },
      },
      'admin',
    );
    const res = await refresh('idrac-sim0');
    expect(res.status).toBe(200);
    const ep = await get('idrac-sim0');
    expect(ep).toMatchObject({
      status: 'reachable',
      unreachable_since: null,
      last_error: null,
      generation: 'idrac9',
      generation_basis: 'inventory',
      model: s.model,
      service_tag: s.serviceTag,
      system_uuid: s.systemUuid,
      firmware_version: s.idracFirmware,
      power_state: expect.any(String),
      health_rollup: expect.any(String),
      tls_facts: { thumbprint: s.certificate.thumbprint, protocol: expect.stringMatching(/^TLSv1/) },
    });
    expect(ep.protocols.redfish.version).toMatch(/^1\./);
    expect(ep.bios_version).toBeTruthy();
    expect(ep.firmware.length).toBeGreaterThan(0);
    expect(ep.nics.length).toBeGreaterThan(0);
    expect(ep.idrac_nic.mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    expect(ep.inventory_at).toBeTruthy();
    const list = await h.call('GET', `/api/v1/dell/endpoints?generation=idrac9&model=${encodeURIComponent(s.model)}`, { role: 'viewer' });
    expect(list.body.items.map((e: { id: string }) => e.id)).toEqual(['idrac-sim0']);
  });

  it('records a thumbprint mismatch with both thumbprints', async () => {
    const s = sim(fleet, 1);
    const pinned = `${'AB:'.repeat(31)}AB`;
    await register(
      {
        id: 'idrac-mismatch',
        address: s.address,
        site_id: 'site-dell',
        redfish_port: s.ports.https,
        wsman_port: 9,
        tls: { pinned_thumbprint: pinned },
      },
      'admin',
    );
    await refresh('idrac-mismatch');
    const ep = await get('idrac-mismatch');
    expect(ep.status).toBe('unreachable');
    expect(ep.unreachable_since).toBeTruthy();
    expect(ep.last_error.code).toBe('certificate_mismatch');
    expect(ep.last_error.details).toMatchObject({ expected_thumbprint: pinned, actual_thumbprint: s.certificate.thumbprint });
    expect(ep.last_error.message).toContain(s.certificate.thumbprint);
  });

  it('trust on first use pins the presented thumbprint when the site allows it, not otherwise', async () => {
    const s = sim(fleet, 2);
    await register({ id: 'idrac-notofu', address: s.address, site_id: 'site-dell', redfish_port: s.ports.https, wsman_port: 9 });
    await refresh('idrac-notofu');
    const untrusted = await get('idrac-notofu');
    expect(untrusted.status).toBe('unreachable');
    expect(untrusted.last_error.code).toBe('certificate_untrusted');
    expect(untrusted.tls_facts.thumbprint).toBe(s.certificate.thumbprint);

    await h.call('POST', '/api/v1/sites', {
      role: 'admin',
      body: {
        id: 'site-tofu',
        name: 'tofu',
        trust_on_first_use: true,
        idrac_service_identity_id: 'si-idrac',
        management_networks: ['127.51.0.0/24'],
      },
    });
    const t = sim(fleet, 3);
    await register({ id: 'idrac-tofu', address: t.address, site_id: 'site-tofu', redfish_port: t.ports.https, wsman_port: 9 });
    await refresh('idrac-tofu');
    const pinned = await get('idrac-tofu');
    expect(pinned.status).toBe('reachable');
    expect(pinned.tls.pinned_thumbprint).toBe(t.certificate.thumbprint);
    expect(pinned.pinned_by_tofu_at).toBeTruthy();
    expect(pinned.service_tag).toBe(t.serviceTag);
  });

  it('a dead address is unreachable and stays unreachable since the first failure', async () => {
    await register({ id: 'idrac-dead', address: '127.52.0.1', site_id: 'site-dell', redfish_port: 18443, wsman_port: 15986 });
    await refresh('idrac-dead');
    const first = await get('idrac-dead');
    expect(first).toMatchObject({ status: 'unreachable', last_error: { code: 'unreachable' } });
    await refresh('idrac-dead');
    expect((await get('idrac-dead')).unreachable_since).toBe(first.unreachable_since);
  });

  it('wrong credentials: reachable, with the inventory refusal recorded', async () => {
    await h.call('POST', '/api/v1/service-identities', {
      role: 'admin',
      body: { id: 'si-wrong', name: 'wrong', target_kind: 'idrac', username: 'root', secret: 'not-calvin' },
    });
    const s = sim(fleet, 4);
    await register(
      {
        id: 'idrac-wrongpw',
        address: s.address,
        site_id: 'site-dell',
        service_identity_id: 'si-wrong',
        redfish_port: s.ports.https,
        wsman_port: 9,
        tls: { pinned_thumbprint: s.certificate.thumbprint },
      },
      'admin',
    );
    const ep = (await refresh('idrac-wrongpw')).body;
    expect(ep.status).toBe('reachable');
    expect(ep.last_error.code).toBe('credential_rejected');
    expect(ep.last_error.message).not.toContain('not-calvin');
    expect(ep.inventory_at).toBeUndefined();
    const verify = await h.call('GET', '/api/v1/service-identities/si-wrong/verify', { role: 'operator' });
    expect(verify.body).toMatchObject({ result: 'rejected', target: 'idrac-wrongpw' });
    expect((await h.call('DELETE', '/api/v1/dell/endpoints/idrac-wrongpw', { role: 'admin' })).status).toBe(204);
  });

  it('verifies the idrac credential against an endpoint that uses it', async () => {
    const res = await h.call('GET', '/api/v1/service-identities/si-idrac/verify', { role: 'operator' });
    expect(res.status).toBe(200);
    expect(res.body.result).toBe('verified');
    expect(res.body.target).toMatch(/^idrac-/);
  });
});

describe('discovery', () => {
  it('sweeps a /28 with three simulators: finds exactly three, the rest unreachable, re-discovery updates', async () => {
    const site = await createSweepSite('site-sweep', 'sweep', '127.53.0.0/28');
    expect(site.status).toBe(201);
    const started = await h.call('POST', '/api/v1/dell/discover', { role: 'operator', body: { site_ids: ['site-sweep'] } });
    expect(started.status).toBe(202);
    expect(started.body.id).toMatch(/^disc-/);
    expect(started.body.total).toBe(14);
    const run = await untilDiscoveryEnds(h, started.body.id, 30_000);
    expect(run).toMatchObject({ status: 'succeeded', total: 14, probed: 14, found: 3, unreachable: 11, errors: 0, endpoints_created: 3 });
    const eps = (await h.call('GET', '/api/v1/dell/endpoints?site_id=site-sweep', { role: 'viewer' })).body.items;
    expect(eps.map((e: { address: string }) => e.address).sort()).toEqual(
      sweepFleet
        .info()
        .map((i) => i.address)
        .sort(),
    );
    expect(eps.every((e: { status: string; service_tag: string }) => e.status === 'reachable' && e.service_tag)).toBe(true);
    expect(eps.map((e: { generation: string }) => e.generation).sort()).toEqual(['idrac8', 'idrac9', 'idrac9']);
    const idrac8 = eps.find((e: { generation: string }) => e.generation === 'idrac8');
    expect(idrac8.protocols.wsman.port).toBe(SWEEP_PORTS.wsman);
    expect(idrac8.service_tag).toBe(sim(sweepFleet, 2).serviceTag);
    // IP observations (ARCHITECTURE.md): the iDRAC's own address and its host NIC IPs, source idrac.
    const first = eps[0];
    const own = await observationsAt(h.stack.deps.store, first.address);
    expect(own).toEqual([
      expect.objectContaining({
        source: 'idrac',
        entity_kind: 'idrac',
        entity_ref: first.id,
        site_id: 'site-sweep',
        mac: first.idrac_nic.mac,
        hardware_ids: { service_tag: first.service_tag, system_uuid: first.system_uuid },
      }),
    ]);
    const hostNic = first.nics.find((n: { ipv4: string[] }) => n.ipv4.length);
    if (hostNic) {
      const seen = await observationsAt(h.stack.deps.store, hostNic.ipv4[0]);
      expect(seen.some((o) => o.entity_kind === 'nic' && o.mac === hostNic.mac && o.entity_ref.startsWith(first.id))).toBe(true);
    }

    const again = await h.call('POST', '/api/v1/dell/discover', { role: 'operator', body: { site_ids: ['site-sweep'] } });
    const run2 = await untilDiscoveryEnds(h, again.body.id, 30_000);
    expect(run2).toMatchObject({ found: 3, endpoints_created: 0, endpoints_updated: 3 });
    expect((await h.call('GET', '/api/v1/dell/endpoints?site_id=site-sweep', { role: 'viewer' })).body.items).toHaveLength(3);
  });

  it('refuses a network larger than /20 and unknown sites with a clear 400', async () => {
    await h.call('POST', '/api/v1/sites', {
      role: 'admin',
      body: { id: 'site-huge', name: 'huge', management_networks: ['10.0.0.0/16'] },
    });
    const res = await h.call('POST', '/api/v1/dell/discover', { role: 'operator', body: { site_ids: ['site-huge', 'site-nope'] } });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([
      { path: 'body.site_ids[0]', message: expect.stringContaining('larger than /20') },
      { path: 'body.site_ids[1]', message: "site 'site-nope' does not exist" },
    ]);
  });
});

describe('health_check job and the idrac health component', () => {
  it('a site with one hanging iDRAC fails the job, naming it', async () => {
    await h.call('POST', '/api/v1/sites', {
      role: 'admin',
      body: { id: 'site-hc', name: 'hc', idrac_service_identity_id: 'si-idrac', management_networks: ['127.54.0.0/24'] },
    });
    for (const [i, s] of hcFleet.info().entries())
      await register(
        {
          id: `idrac-hc${i}`,
          address: s.address,
          site_id: 'site-hc',
          redfish_port: s.ports.https,
          wsman_port: 9,
          tls: { pinned_thumbprint: s.certificate.thumbprint },
        },
        'admin',
      );
    await hcFleet.endpoint(1).setFault({ kind: 'hang' });
    const job = await h.call('POST', '/api/v1/jobs', {
      role: 'operator',
      body: { type: 'health_check', target_ids: ['site-hc', 'idrac-hc0'] },
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
    expect(done.status).toBe('failed');
    expect(done.status_reason).toContain('site-hc');
    const siteStep = done.steps.find((s: { target_id?: string }) => s.target_id === 'site-hc');
    expect(siteStep.status).toBe('failed');
    expect(siteStep.error).toContain('idrac-hc1');
    expect(siteStep.error).not.toContain('idrac-hc0');
    expect(done.steps.find((s: { target_id?: string }) => s.target_id === 'idrac-hc0').status).toBe('succeeded');
    expect((await get('idrac-hc1')).status).toBe('unreachable');
    await hcFleet.endpoint(1).clearFaults();
  });

  it('reports the unreachable share: degraded above 5 %, critical above 20 %', async () => {
    const health = async () => (await h.call('GET', '/api/v1/health')).body.components.idrac;
    // So far: reachable idrac-sim0, idrac-tofu, 3 swept, idrac-hc0; unreachable idrac-mismatch, idrac-notofu,
    // idrac-dead, idrac-hc1 → 4 of 10 probed.
    const before = await health();
    expect(before.metrics).toMatchObject({ probed: 10, unreachable: 4, unreachable_pct: 40 });
    expect(before.status).toBe('critical');
    // Bring three back (the right pin, or a reachable simulator's address), and add reachable ones:
    // 1 of 20 = 5 % is ok, 2 of 20 = 10 % degraded.
    const pinOf = (i: number) => ({ tls: { pinned_thumbprint: sim(fleet, i).certificate.thumbprint } });
    const at = (i: number) => ({ address: sim(fleet, i).address, redfish_port: sim(fleet, i).ports.https, wsman_port: 9, ...pinOf(i) });
    for (const [id, change] of [
      ['idrac-mismatch', pinOf(1)],
      ['idrac-notofu', pinOf(2)],
      ['idrac-dead', at(5)],
    ] as const) {
      expect((await h.call('PATCH', `/api/v1/dell/endpoints/${id}`, { role: 'admin', body: change })).status).toBe(200);
      expect((await refresh(id)).body.status).toBe('reachable');
    }
    for (let i = 0; i < 10; i++) {
      expect((await register({ id: `idrac-extra${i}`, site_id: 'site-dell', ...at(6 + i) }, 'admin')).status).toBe(201);
      await refresh(`idrac-extra${i}`);
    }
    const one = await health();
    expect(one.metrics).toMatchObject({ probed: 20, unreachable: 1, unreachable_pct: 5 });
    expect(one.status).toBe('ok');
    await h.call('PATCH', '/api/v1/dell/endpoints/idrac-extra0', { role: 'operator', body: { address: '127.52.0.2' } });
    await refresh('idrac-extra0');
    const two = await health();
    expect(two.metrics).toMatchObject({ probed: 20, unreachable: 2, unreachable_pct: 10 });
    expect(two.status).toBe('degraded');
    expect(two.message).toContain('idrac-extra0');
  });
});

describe('discovery of an iDRAC that speaks only TLS 1.0', () => {
  it('creates it unreachable with tls_legacy_only and how to allow it; once marked legacy, refresh reaches it', async () => {
    const site = await createSweepSite('site-legacy', 'legacy', '127.56.0.0/29');
    expect(site.status).toBe(201);
    const started = await h.call('POST', '/api/v1/dell/discover', { role: 'operator', body: { site_ids: ['site-legacy'] } });
    expect(started.status).toBe(202);
    const run = await untilDiscoveryEnds(h, started.body.id, 30_000);
    expect(run).toMatchObject({ status: 'succeeded', total: 6, probed: 6, found: 1, unreachable: 5, errors: 0, endpoints_created: 2 });
    expect(Object.keys(run).filter((k) => k.startsWith('counted_slices'))).toEqual([]);
    // The newest run heads the list, shown as by id.
    const listed = await h.call('GET', '/api/v1/dell/discovery-runs?limit=1', { role: 'viewer' });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([run]);

    const eps = (await h.call('GET', '/api/v1/dell/endpoints?site_id=site-legacy', { role: 'viewer' })).body.items;
    const [modern, old] = legacyFleet.info();
    expect(eps.map((e: { address: string }) => e.address).sort()).toEqual([modern!.address, old!.address]);
    expect(eps.find((e: { address: string }) => e.address === modern!.address)).toMatchObject({
      status: 'reachable',
      generation: 'idrac9',
    });
    const legacy = eps.find((e: { address: string }) => e.address === old!.address);
    expect(legacy).toMatchObject({ status: 'unreachable', tls: { legacy: false }, last_error: { code: 'tls_legacy_only' } });
    expect(legacy.last_error.message).toContain('offers only TLS 1.0/1.1');
    expect(legacy.last_error.message).toContain(`PATCH /api/v1/dell/endpoints/${legacy.id} with {"tls": {"legacy": true}}`);

    // Allowing TLS 1.0/1.1 is a trust decision: an operator may not, an admin may.
    const asOperator = await h.call('PATCH', `/api/v1/dell/endpoints/${legacy.id}`, { role: 'operator', body: { tls: { legacy: true } } });
    expect(asOperator.status).toBe(403);
    const marked = await h.call('PATCH', `/api/v1/dell/endpoints/${legacy.id}`, { role: 'admin', body: { tls: { legacy: true } } });
    expect(marked.status).toBe(200);
    expect(marked.body.tls).toEqual({ insecure: false, legacy: true });
    const after = (await refresh(legacy.id)).body;
    expect(after).toMatchObject({
      status: 'reachable',
      last_error: null,
      generation: 'idrac8',
      service_tag: old!.serviceTag,
      tls: { legacy: true, pinned_thumbprint: old!.certificate.thumbprint },
      tls_facts: { protocol: 'TLSv1' },
    });
  });
});
