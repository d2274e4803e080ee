import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/harness';

/**
 * Input that used to reach the store or the job catalog unchecked and came back as a 500: each now gets a
 * 4xx in the error shape naming what is wrong, and changes nothing.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  expect(
    (await h.call('POST', '/api/v1/sites', { role: 'admin', body: { id: 'site-a', name: 'a', management_networks: ['10.0.0.0/8'] } }))
      .status,
  ).toBe(201);
});
afterAll(() => h.close());

const count = async (path: string) => (await h.call('GET', path, { role: 'viewer' })).body.items.length as number;

describe('path ids', () => {
  const long = 'x'.repeat(3000);
  it.each([
    ['GET', `/api/v1/sites/${long}`, 'viewer'],
    ['PATCH', `/api/v1/sites/${long}`, 'admin'],
    ['DELETE', `/api/v1/sites/${long}`, 'admin'],
    ['GET', `/api/v1/jobs/${long}`, 'viewer'],
    ['POST', `/api/v1/approvals/${long}/approve`, 'approver'],
    ['GET', `/api/v1/vcenter/instances/${long}/hosts`, 'viewer'],
  ] as const)('%s %s… longer than a store key allows → 400 naming the parameter', async (method, path, role) => {
    const res = await h.call(method, path, { role, ...(method === 'PATCH' ? { body: { name: 'b' } } : {}) });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'validation_error',
      details: [{ path: 'path.id', message: 'must be at most 256 bytes' }],
    });
  });

  it('bad percent-encoding in the path → 400 naming the parameter', async () => {
    for (const id of ['%ZZ', '%E0%A4%A', '%']) {
      const res = await h.call('GET', `/api/v1/sites/${id}`, { role: 'viewer' });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'validation_error', message: 'path.id is not valid percent-encoded UTF-8' });
    }
  });

  it('an over-long URL gets the error shape (431), not a bare status', async () => {
    const res = await h.call('GET', `/api/v1/sites?x=${'y'.repeat(20_000)}`, { role: 'viewer' });
    expect(res.status).toBe(431);
    expect(res.body.error).toMatchObject({ code: 'request_too_large', correlation_id: expect.any(String) });
  });
});

describe('names looked up in catalogs', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])('job type %s → 400 listing the known types', async (type) => {
    for (const path of ['/api/v1/jobs', '/api/v1/jobs/plan']) {
      const res = await h.call('POST', path, { role: 'operator', body: { type, target_ids: ['site-a'] } });
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual([{ path: 'body.type', message: expect.stringMatching(/^must be one of health_check/) }]);
    }
    expect(await count('/api/v1/jobs')).toBe(0);
  });

  it('a worker pool named like an object property → 404', async () => {
    const res = await h.call('POST', '/api/v1/workers/constructor/drain', { role: 'admin' });
    expect(res.status).toBe(404);
  });
});

describe('bodies', () => {
  it('a JSON syntax error is refused without repeating the body (it may hold a password)', async () => {
    const res = await h.call('POST', '/api/v1/sites', {
      role: 'admin',
      rawBody: '{"id": "site-b", "secret": Pa55word!}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.text).not.toContain('Pa55word');
    expect(await count('/api/v1/sites')).toBe(1);
  });

  it.each([
    ['fd00::1/64', 'host bits set; the network is fd00::/64'],
    ['fe80::%eth0/64', 'has a zone id'],
    ['::/0', 'the whole address space'],
    ['0.0.0.0/0', 'the whole address space'],
  ])('management network %s → 400 (%s)', async (network, why) => {
    const res = await h.call('POST', '/api/v1/sites', { role: 'admin', body: { id: 'site-n', name: 'n', management_networks: [network] } });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0]).toMatchObject({ path: 'body.management_networks[0]', message: expect.stringContaining(why) });
  });

  it('one discovery request sweeps at most DISCOVERY_MAX_ADDRESSES in all; a site named twice counts once', async () => {
    for (const i of [1, 2, 3, 4, 5]) {
      const body = { id: `site-big-${i}`, name: `big ${i}`, management_networks: [`10.${i}.0.0/20`] };
      expect((await h.call('POST', '/api/v1/sites', { role: 'admin', body })).status).toBe(201);
    }
    const big = await h.call('POST', '/api/v1/dell/discover', {
      role: 'operator',
      body: { site_ids: [1, 2, 3, 4, 5].map((i) => `site-big-${i}`) },
    });
    expect(big.status).toBe(400);
    expect(big.body.error.details).toEqual([
      { path: 'body.site_ids', message: expect.stringMatching(/hold 20470 addresses to sweep; one request sweeps at most 16384/) },
    ]);
    expect(await count('/api/v1/dell/discovery-runs')).toBe(0);
    const tiny = { id: 'site-tiny', name: 'tiny', management_networks: ['127.0.0.0/30'] };
    expect((await h.call('POST', '/api/v1/sites', { role: 'admin', body: tiny })).status).toBe(201);
    const twice = await h.call('POST', '/api/v1/dell/discover', {
      role: 'operator',
      body: { site_ids: ['site-tiny', 'site-tiny', 'site-tiny'] },
    });
    expect(twice.status).toBe(202);
    expect(twice.body).toMatchObject({ site_ids: ['site-tiny'], total: 2 });
  });

  it('IPv6 management networks are stored in their canonical form', async () => {
    const res = await h.call('POST', '/api/v1/sites', {
      role: 'admin',
      body: { id: 'site-six', name: 'six', management_networks: ['FD00:0:0:0::/64'] },
    });
    expect(res.status).toBe(201);
    expect(res.body.management_networks).toEqual(['fd00::/64']);
  });

  it.each(['0.0.0.0', '169.254.169.254', '224.0.0.1', '255.255.255.255', '240.0.0.1'])(
    'endpoint address %s is not a unicast host address → 400',
    async (address) => {
      const res = await h.call('POST', '/api/v1/dell/endpoints', { role: 'admin', body: { address, site_id: 'site-a' } });
      expect(res.status).toBe(400);
      expect(res.body.error.details[0]).toMatchObject({
        path: 'body.address',
        message: expect.stringMatching(/^must be a unicast host address/),
      });
      expect(await count('/api/v1/dell/endpoints')).toBe(0);
    },
  );
});
