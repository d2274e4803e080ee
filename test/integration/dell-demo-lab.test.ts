import { connect } from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDRACS } from '../../infra/local/demo-lab';
import { type Harness, startHarness, untilDiscoveryEnds } from '../support/harness';
import { waitFor } from '../support/wait';

/** The demo lab's simulated iDRACs (npm start), one per demo vCenter host, on this file's own range 127.55.0.x. */
const DEMO = { baseAddress: '127.55.0.1', ports: { https: 18443, wsman: 15986 } };

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ demo: true, demoIdracs: DEMO });
}, 60_000);
afterAll(async () => {
  await h?.close();
  await insecure.close();
});

type Host = { name: string; data?: Record<string, string>; [key: string]: unknown };
type Endpoint = { id: string; system_uuid: string; service_tag: string };
const field = (host: Host, key: string) => String(host.data?.[key] ?? host[key]);

const demoHosts = (ready: (hosts: Host[]) => boolean) =>
  waitFor(
    'the demo vc-001 hosts',
    async () => {
      const items = (await h.call('GET', '/api/v1/vcenter/instances/vc-001/hosts?limit=50', { role: 'viewer' })).body?.items as Host[];
      return items && ready(items) ? items : undefined;
    },
    60_000,
    200,
  );

async function fullSync(): Promise<void> {
  const res = await h.call('POST', '/api/v1/vcenter/sync', { role: 'operator', body: { instance_ids: ['vc-001'], sync_type: 'full' } });
  expect(res.status).toBe(202);
  const id = res.body.sync_runs[0].id as string;
  await waitFor(
    `sync run ${id}`,
    async () => {
      const run = (await h.call('GET', `/api/v1/vcenter/sync-runs/${id}`, { role: 'viewer' })).body;
      return run.status === 'succeeded' ? run : run.status === 'failed' ? Promise.reject(new Error(run.error)) : undefined;
    },
    60_000,
    100,
  );
}

// The demo iDRACs' Redfish, as an operator's curl would reach it (self-signed certificate, factory account).
const insecure = new Agent({ connect: { rejectUnauthorized: false } });
const AUTH = `Basic ${Buffer.from('root:calvin').toString('base64')}`;
async function redfishReset(address: string, resetType: string): Promise<void> {
  const res = await request(`https://${address}:18443/redfish/v1/Systems/System.Embedded.1/Actions/ComputerSystem.Reset`, {
    method: 'POST',
    headers: { authorization: AUTH, 'content-type': 'application/json' },
    body: JSON.stringify({ ResetType: resetType }),
    dispatcher: insecure,
  });
  await res.body.text();
  expect(res.statusCode).toBe(204);
}
async function redfishSystem(address: string): Promise<{ PowerState: string }> {
  const res = await request(`https://${address}:18443/redfish/v1/Systems/System.Embedded.1`, {
    headers: { authorization: AUTH },
    dispatcher: insecure,
  });
  return (await res.body.json()) as { PowerState: string };
}

const refused = (port: number, host: string) =>
  new Promise<boolean>((resolve) => {
    const s = connect({ port, host });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });

describe('demo lab iDRACs', () => {
  it('seeds idrac-001…007 pinned to the simulators, with their capabilities', async () => {
    expect(DEMO_IDRACS.count).toBe(7);
    const ids = Array.from({ length: 7 }, (_, i) => `idrac-00${i + 1}`);
    expect(h.stack.seeded).toEqual(expect.arrayContaining(['si-001', 'site-001', ...ids]));
    const ep = (await h.call('GET', '/api/v1/dell/endpoints/idrac-001', { role: 'viewer' })).body;
    expect(ep).toMatchObject({
      address: '127.55.0.1',
      site_id: 'site-001',
      status: 'reachable',
      generation: 'idrac9',
      redfish_port: 18443,
    });
    expect(ep.tls.pinned_thumbprint).toBe(ep.tls_facts.thumbprint);
    expect(ep.service_tag).toMatch(/^[A-Z0-9]{7}$/);
    const site = (await h.call('GET', '/api/v1/sites/site-001', { role: 'viewer' })).body;
    expect(site).toMatchObject({ idrac_service_identity_id: 'si-001', redfish_port: 18443, wsman_port: 15986 });
    const idrac8 = (await h.call('GET', '/api/v1/dell/endpoints/idrac-007', { role: 'viewer' })).body;
    expect(idrac8).toMatchObject({ status: 'reachable', generation: 'idrac8', protocols: { wsman: { port: 15986 } } });
  });

  it("the runbook's discovery command works on the demo site: re-finds the seven, creates nothing new", async () => {
    const started = await h.call('POST', '/api/v1/dell/discover', { role: 'operator', body: { site_ids: ['site-001'] } });
    expect(started.status).toBe(202);
    expect(started.body.total).toBe(254 + 7);
    const run = await untilDiscoveryEnds(h, started.body.id, 60_000);
    expect(run).toMatchObject({
      status: 'succeeded',
      probed: 261,
      found: 7,
      unreachable: 254,
      errors: 0,
      endpoints_created: 0,
      endpoints_updated: 7,
    });
  });

  it('each demo vCenter host is one demo iDRAC’s server: the same system UUID and service tag', async () => {
    const hosts = await demoHosts((items) => items.length === 7);
    const endpoints = (await h.call('GET', '/api/v1/dell/endpoints?limit=50', { role: 'viewer' })).body.items as Endpoint[];
    const paired = hosts.map((host) => endpoints.filter((e) => e.system_uuid === field(host, 'hardware_uuid').toLowerCase()));
    expect(paired.map((ids) => ids.length)).toEqual(Array(7).fill(1));
    expect(new Set(paired.flat().map((e) => e.id)).size).toBe(7);
    expect(hosts.map((host, i) => field(host, 'service_tag') === paired[i]![0]!.service_tag)).toEqual(Array(7).fill(true));
  });

  it('a server that goes off (a reboot) makes its vCenter host not connected until it is on again', async () => {
    const host = 'DC0_C0_H0'; // idrac-001's server
    await redfishReset('127.55.0.1', 'ForceOff');
    await fullSync();
    expect(field((await demoHosts((items) => items.length === 7)).find((x) => x.name === host)!, 'connection_state')).toBe('notResponding');
    await redfishReset('127.55.0.1', 'On');
    await waitFor('the server to be on', async () => ((await redfishSystem('127.55.0.1')).PowerState === 'On' ? true : undefined), 30_000);
    await fullSync();
    expect(field((await demoHosts((items) => items.length === 7)).find((x) => x.name === host)!, 'connection_state')).toBe('connected');
  });

  it("the runbook's rotate and verify work on the demo lab, and its iDRACs keep the new password across a restart", async () => {
    const started = await h.call('POST', '/api/v1/service-identities/si-001/rotate', { role: 'admin' });
    expect(started.status, started.text).toBe(202);
    const done = await waitFor(
      'the demo rotation to end',
      async () => {
        const r = (await h.call('GET', started.headers.get('location')!, { role: 'viewer' })).body;
        return ['succeeded', 'rolled_back', 'failed'].includes(r.status) ? r : undefined;
      },
      60_000,
    );
    expect(done.status).toBe('succeeded');
    const ids: string[] = done.targets.map((t: { id: string }) => t.id);
    expect(ids).toEqual(expect.arrayContaining(['idrac-001', 'idrac-002', 'idrac-003']));
    expect((await h.call('GET', '/api/v1/service-identities/si-001/verify', { role: 'operator' })).body.result).toBe('verified');
    await h.restart();
    for (const id of ids) {
      const res = await h.call('POST', `/api/v1/dell/endpoints/${id}/refresh`, { role: 'operator' });
      expect(res.body, id).toMatchObject({ status: 'reachable', last_error: null });
    }
    expect((await h.call('GET', '/api/v1/service-identities/si-001/verify', { role: 'operator' })).body.result).toBe('verified');
  });

  it('keeps working across a restart (same certificates), and stops the fleet on close', async () => {
    await h.restart();
    const res = await h.call('POST', '/api/v1/dell/endpoints/idrac-002/refresh', { role: 'operator' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('reachable');
    await h.stack.close();
    expect(await refused(18443, '127.55.0.1')).toBe(true);
    await h.restart(); // so afterAll closes a running stack
  });
});
