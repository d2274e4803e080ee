import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness, untilDiscoveryEnds } from '../support/harness';
import { waitFor } from '../support/wait';

/** The demo lab's simulated iDRACs (npm start), on this file's own range 127.55.0.x. */
const DEMO = { baseAddress: '127.55.0.1', ports: { https: 18443, wsman: 15986 } };

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ demo: true, demoIdracs: DEMO });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

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
  it('seeds idrac-001…003 pinned to the simulators, with their capabilities', async () => {
    expect(h.stack.seeded).toEqual(expect.arrayContaining(['si-001', 'site-001', 'idrac-001', 'idrac-002', 'idrac-003']));
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
    const idrac8 = (await h.call('GET', '/api/v1/dell/endpoints/idrac-003', { role: 'viewer' })).body;
    expect(idrac8).toMatchObject({ status: 'reachable', generation: 'idrac8', protocols: { wsman: { port: 15986 } } });
  });

  it("the runbook's discovery command works on the demo site: re-finds the three, creates nothing new", async () => {
    const started = await h.call('POST', '/api/v1/dell/discover', { role: 'operator', body: { site_ids: ['site-001'] } });
    expect(started.status).toBe(202);
    expect(started.body.total).toBe(254 + 3);
    const run = await untilDiscoveryEnds(h, started.body.id, 60_000);
    expect(run).toMatchObject({
      status: 'succeeded',
      probed: 257,
      found: 3,
      unreachable: 254,
      errors: 0,
      endpoints_created: 0,
      endpoints_updated: 3,
    });
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
