import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatorFleet } from '../../infra/local/simulators';
import { ForeignDevice, serviceRootFixture } from '../support/foreign-devices';
import type { Harness } from '../support/harness';
import { outputCapture } from '../support/output-capture';

// INFO for this file (tests run SILENT): the run's log is part of what is asserted. Set before the stack's
// modules load (imported below), since the logger reads its level once.
process.env.LOG_LEVEL = 'INFO';

/**
 * Discovery of a swept network that holds more than iDRACs, over HTTP on the real local stack: an iDRAC9 and an
 * iDRAC8 (simulators), another vendor's Redfish BMC, a basic-auth-only Redfish service and a plain HTTPS server,
 * all on the site's ports, the rest of the /28 empty. This file's addresses: 127.58.0.0/28.
 */
const CERT_DIR = join(tmpdir(), 'eio-idrac-client-test-certs');
const PORTS = { https: 19443, wsman: 19986 };
const PASSWORD = 'calvin-interop';

const output = outputCapture();
const { captured } = output;

let h: Harness;
let fleet: SimulatorFleet;
const foreign: Record<'hpe' | 'basic' | 'plain', ForeignDevice> = {} as never;

beforeAll(async () => {
  process.env.IDRAC_CONNECT_TIMEOUT_MS = '1000';
  process.env.IDRAC_HEADERS_TIMEOUT_MS = '3000';
  const at = { port: PORTS.https, extraPorts: [PORTS.wsman], certDir: CERT_DIR };
  [fleet, foreign.hpe, foreign.basic, foreign.plain] = await Promise.all([
    SimulatorFleet.start({
      count: 2,
      baseAddress: '127.58.0.1',
      ports: PORTS,
      certDir: CERT_DIR,
      speed: 200,
      seed: 'interop',
      generation: (i) => (i === 0 ? 'idrac9' : 'idrac8'),
      credentials: { username: 'root', password: PASSWORD },
    }),
    ForeignDevice.start({ kind: 'redfish', address: '127.58.0.3', ...at, root: serviceRootFixture('hpe-ilo5') }),
    ForeignDevice.start({
      kind: 'redfish',
      address: '127.58.0.4',
      ...at,
      root: serviceRootFixture('basic-auth-emulator'),
      sessions: 'unauthorized',
      accepts: { username: 'root', password: PASSWORD },
    }),
    ForeignDevice.start({ kind: 'plain-https', address: '127.58.0.5', ...at }),
  ]);
  output.start();
  const { startHarness } = await import('../support/harness');
  h = await startHarness();
  const si = await h.call('POST', '/api/v1/service-identities', {
    role: 'admin',
    body: { id: 'si-interop', name: 'iDRAC root', target_kind: 'idrac', username: 'root', secret: PASSWORD },
  });
  expect(si.status).toBe(201);
  const site = await h.call('POST', '/api/v1/sites', {
    role: 'admin',
    body: {
      id: 'site-interop',
      name: 'mixed management network',
      management_networks: ['127.58.0.0/28'],
      idrac_service_identity_id: 'si-interop',
      trust_on_first_use: true,
      redfish_port: PORTS.https,
      wsman_port: PORTS.wsman,
    },
  });
  expect(site.status).toBe(201);
}, 60_000);

afterAll(async () => {
  await h?.close();
  output.stop();
  await Promise.all([fleet?.stop(), ...Object.values(foreign).map((d) => d.stop())]);
});

describe('discovery of a network with other devices on it', () => {
  it('registers exactly the two iDRACs, reports the others with what they are, sends them no credential, logs no ERROR', async () => {
    const started = await h.call('POST', '/api/v1/dell/discover', { role: 'operator', body: { site_ids: ['site-interop'] } });
    expect(started.status).toBe(202);
    const { untilDiscoveryEnds } = await import('../support/harness');
    const run = await untilDiscoveryEnds(h, started.body.id, 60_000);
    expect(run).toMatchObject({
      status: 'succeeded',
      total: 14,
      found: 2,
      not_idrac: 3,
      unreachable: 9,
      not_contacted: 0,
      errors: 0,
      endpoints_created: 2,
    });
    const seen = Object.fromEntries(run.seen.map((d: { address: string; kind: string }) => [d.address, d]));
    expect(seen['127.58.0.3']).toMatchObject({ kind: 'other_vendor_bmc', vendor: 'HPE', product: 'ProLiant DL360 Gen10' });
    expect(seen['127.58.0.4']).toMatchObject({ kind: 'redfish_without_vendor', redfish_version: '1.5.0' });
    expect(seen['127.58.0.5']).toMatchObject({ kind: 'https_not_redfish' });
    expect(Object.keys(seen)).toHaveLength(3);

    const eps = (await h.call('GET', '/api/v1/dell/endpoints?site_id=site-interop', { role: 'viewer' })).body.items;
    expect(eps.map((e: { address: string; generation: string; status: string }) => [e.address, e.generation, e.status])).toEqual([
      ['127.58.0.1', 'idrac9', 'reachable'],
      ['127.58.0.2', 'idrac8', 'reachable'],
    ]);
    expect(eps.every((e: { device: { kind: string }; inventory_at?: string }) => e.device.kind === 'idrac' && e.inventory_at)).toBe(true);

    for (const device of Object.values(foreign)) expect(device.credentialsReceived()).toEqual([]);
    expect(foreign.hpe.requests.length).toBeGreaterThan(0);
    const { observationsAt } = await import('../../shared/records/ip-observations');
    expect((await observationsAt(h.stack.deps.store, '127.58.0.3'))[0]).toMatchObject({
      entity_kind: 'device',
      device_kind: 'other_vendor_bmc',
    });

    const logs = captured.join('');
    // The discovery function's own lines are here (its container thread writes to this process's stdout).
    expect(logs.split('\n').filter((l) => l.includes('not an iDRAC, no credential sent'))).toHaveLength(3);
    expect(logs).not.toMatch(/"level":"error"/);
    expect(logs).not.toContain('circuit breaker opened');
    const summaries = logs.split('\n').filter((l) => l.includes('Discovery run finished') && l.includes(started.body.id));
    expect(summaries).toHaveLength(1);

    // IPAM: the run's observations are there at once; the run queued one full pass (the hourly one is not due).
    for (const address of ['127.58.0.1', '127.58.0.2']) {
      const seenAt = await h.call('GET', `/api/v1/ipam/observations?address=${address}`, { role: 'viewer' });
      expect(seenAt.status, seenAt.text).toBe(200);
      expect(seenAt.body.items).toContainEqual(
        expect.objectContaining({ address, source: 'idrac', entity: expect.objectContaining({ kind: 'idrac' }) }),
      );
    }
    const { waitFor } = await import('../support/wait');
    const passes = () =>
      captured
        .join('')
        .split('\n')
        .filter((l) => l.includes('IPAM reconciliation done'));
    await waitFor('the IPAM full pass', async () => (passes().length ? true : undefined), 30_000);
    expect(passes()).toHaveLength(1);
    expect(JSON.parse(passes()[0]!)).toMatchObject({ observations: expect.any(Number) });
    expect(JSON.parse(passes()[0]!).observations).toBeGreaterThanOrEqual(5); // two iDRACs and three other devices at least
  });
});
