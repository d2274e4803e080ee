import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/harness';

/** `GET /api/v1/audit`: the trail across subjects, filtered and paged, over what the API did. */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  const as = async (subject: string) => h.token('admin', { subject });
  const call = async (subject: string, method: string, path: string, body?: unknown) =>
    h.call(method, path, { token: await as(subject), body });
  expect((await call('alice', 'POST', '/api/v1/sites', { id: 'site-a', name: 'a', management_networks: ['127.0.0.0/30'] })).status).toBe(
    201,
  );
  expect((await call('bob', 'POST', '/api/v1/sites', { id: 'site-b', name: 'b' })).status).toBe(201);
  expect((await call('alice', 'PATCH', '/api/v1/sites/site-b', { description: 'second' })).status).toBe(200);
  expect((await call('carol', 'POST', '/api/v1/dell/discover', { site_ids: ['site-a'] })).status).toBe(202);
  // Refused: nothing done, nothing audited.
  expect((await call('carol', 'POST', '/api/v1/dell/discover', { site_ids: ['site-nope'] })).status).toBe(400);
  expect((await call('carol', 'POST', '/api/v1/vcenter/sync', { instance_ids: ['vc-nope'] })).status).toBe(400);
});
afterAll(() => h.close());

const audit = async (query: string) => {
  const res = await h.call('GET', `/api/v1/audit${query}`, { role: 'viewer' });
  expect(res.status).toBe(200);
  return res.body as { items: { subject_id: string; action: string; actor: string; at: string }[]; next_token: string | null };
};

describe('GET /api/v1/audit', () => {
  it('lists every subject newest first, with who did it; refused requests left no entry', async () => {
    const { items } = await audit('');
    expect(items.map((e) => [e.action, e.actor])).toEqual([
      ['discovery.started', 'carol'],
      ['site.updated', 'alice'],
      ['site.created', 'bob'],
      ['site.created', 'alice'],
    ]);
    expect([...items].sort((a, b) => b.at.localeCompare(a.at))).toEqual(items);
  });

  it('filters by entity, actor (any spelling of it) and action', async () => {
    expect((await audit('?entity=site-b')).items.map((e) => e.action)).toEqual(['site.updated', 'site.created']);
    expect((await audit('?actor=%20Alice')).items.map((e) => e.subject_id)).toEqual(['site-b', 'site-a']);
    expect((await audit('?action=site.created')).items.map((e) => e.subject_id)).toEqual(['site-b', 'site-a']);
    expect((await audit('?entity=site-b&actor=bob')).items.map((e) => e.action)).toEqual(['site.created']);
  });

  it('takes a time range, and pages with next_token', async () => {
    const all = (await audit('')).items;
    const range = await audit(`?since=${encodeURIComponent(all[2]!.at)}&until=${encodeURIComponent(all[1]!.at)}`);
    expect(range.items).toEqual(all.slice(1, 3));
    const seen: string[] = [];
    let token: string | null = null;
    do {
      const page = await audit(`?limit=1${token ? `&next_token=${encodeURIComponent(token)}` : ''}`);
      seen.push(...page.items.map((e) => e.action));
      token = page.next_token;
    } while (token);
    expect(seen).toEqual(all.map((e) => e.action));
  });

  it('refuses what it cannot answer: 400 naming the parameter', async () => {
    const bad = async (query: string) => (await h.call('GET', `/api/v1/audit${query}`, { role: 'viewer' })).body.error;
    expect(await bad('?since=yesterday')).toMatchObject({ code: 'validation_error', details: [{ path: 'query.since' }] });
    expect(await bad('?since=2026-12-05T00:00:00Z&until=2026-12-01T00:00:00Z')).toMatchObject({ details: [{ path: 'query.since' }] });
    expect(await bad('?next_token=forged')).toMatchObject({ code: 'validation_error' });
    expect((await h.call('GET', '/api/v1/audit')).status).toBe(401);
  });
});
