import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('sites', () => {
  it('creates a site with a client-chosen id, refuses the same id twice', async () => {
    // Management networks decide where iDRAC credentials may go: an admin sets them.
    const res = await h.call('POST', '/api/v1/sites', {
      role: 'admin',
      body: { id: 'site-001', name: 'Frankfurt DC1', management_networks: ['10.45.12.0/22'] },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe('/api/v1/sites/site-001');
    expect(res.body).toMatchObject({ id: 'site-001', name: 'Frankfurt DC1', management_networks: ['10.45.12.0/22'], version: 1 });
    expect(res.body.created_by).toBe('test-admin');
    const again = await h.call('POST', '/api/v1/sites', { role: 'operator', body: { id: 'site-001', name: 'dup' } });
    expect((await h.call('POST', '/api/v1/sites', { role: 'operator', body: { name: 'plain' } })).body.created_by).toBe('test-operator');
    expect(again.status).toBe(409);
    expect((await h.call('GET', '/api/v1/sites/site-001', { role: 'viewer' })).body.name).toBe('Frankfurt DC1');
  });

  it('generates a prefixed id when none is given', async () => {
    const res = await h.call('POST', '/api/v1/sites', { role: 'operator', body: { name: 'Generated' } });
    expect(res.status).toBe(201);
    expect(res.body.id).toMatch(/^site-[a-z0-9]+$/);
  });

  it('updates with optimistic locking: a stale version gets 409 and changes nothing', async () => {
    const ok = await h.call('PATCH', '/api/v1/sites/site-001', { role: 'operator', body: { description: 'new', version: 1 } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ description: 'new', version: 2 });
    const stale = await h.call('PATCH', '/api/v1/sites/site-001', { role: 'operator', body: { description: 'lost', version: 1 } });
    expect(stale.status).toBe(409);
    expect((await h.call('GET', '/api/v1/sites/site-001', { role: 'viewer' })).body.description).toBe('new');
    expect((await h.call('PATCH', '/api/v1/sites/site-404', { role: 'operator', body: { name: 'x' } })).status).toBe(404);
    expect((await h.call('PATCH', '/api/v1/sites/site-001', { role: 'operator', body: {} })).status).toBe(400);
  });

  it('concurrent updates never lose one another', async () => {
    await h.call('POST', '/api/v1/sites', { role: 'operator', body: { id: 'site-race', name: 'race' } });
    const results = await Promise.all(
      ['a', 'b', 'c', 'd'].map((d) => h.call('PATCH', '/api/v1/sites/site-race', { role: 'operator', body: { description: d } })),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const final = await h.call('GET', '/api/v1/sites/site-race', { role: 'viewer' });
    expect(final.body.version).toBe(5);
  });

  it('pages through every site exactly once', async () => {
    for (let i = 0; i < 7; i++) await h.call('POST', '/api/v1/sites', { role: 'operator', body: { id: `site-page-${i}`, name: `p${i}` } });
    const seen: string[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const q: string = token ? `&next_token=${encodeURIComponent(token)}` : '';
      const res = await h.call('GET', `/api/v1/sites?limit=3${q}`, { role: 'viewer' });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...res.body.items.map((s: { id: string }) => s.id));
      token = res.body.next_token;
      pages++;
    } while (token && pages < 20);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(['site-001', 'site-race', ...Array.from({ length: 7 }, (_, i) => `site-page-${i}`)]));
  });

  it('keeps every site across a restart of the stack', async () => {
    const before = (await h.call('GET', '/api/v1/sites?limit=200', { role: 'viewer' })).body.items;
    await h.restart();
    const after = (await h.call('GET', '/api/v1/sites?limit=200', { role: 'viewer' })).body.items;
    expect(after).toEqual(before);
    // Tokens survive too: the signing key lives in the data directory.
    expect((await h.call('GET', '/api/v1/sites/site-001', { role: 'viewer' })).status).toBe(200);
  });
});
