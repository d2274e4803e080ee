import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTE_SCHEMAS } from '../../shared/catalog/route-schemas';
import { ROUTES, type Route, routeKey } from '../../shared/catalog/routes';
import { type Harness, startHarness } from '../support/harness';

/**
 * Read-only emergency mode, generated from the route table: while it is on every route that writes answers
 * 503 with the admin's reason (and changes nothing), every read keeps answering, and the routes the table
 * allows then (turning it off, stopping work) still work.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  const site = await h.call('POST', '/api/v1/sites', {
    role: 'admin',
    body: { id: 'site-ro', name: 'before', management_networks: ['10.8.0.0/16'] },
  });
  expect(site.status).toBe(201);
});
afterAll(() => h?.close());

const pathOf = (path: string) => path.replace(/\{(\w+)\}/g, (_m, name: string) => (name === 'id' ? 'site-ro' : `ro-${name}`));
const writes = (ROUTES as readonly Route[]).filter((r) => r.method !== 'GET' && !r.allowedWhileReadOnly);
const reads = (ROUTES as readonly Route[]).filter((r) => r.method === 'GET');

describe('read-only emergency mode', () => {
  it('is turned on by an admin with a reason, audited; without a reason it is refused', async () => {
    const bare = await h.call('POST', '/api/v1/system/read-only/activate', { role: 'admin', body: {} });
    expect(bare.status).toBe(400);
    expect(bare.body.error.details).toEqual([{ path: 'body.reason', message: expect.any(String) }]);
    const on = await h.call('POST', '/api/v1/system/read-only/activate', { role: 'admin', body: { reason: 'restore drill in progress' } });
    expect(on.status).toBe(200);
    expect(on.body).toMatchObject({ id: 'read-only', on: true, reason: 'restore drill in progress', changed_by: 'test-admin' });
    const state = await h.call('GET', '/api/v1/system/read-only', { role: 'viewer' });
    expect(state.body.on).toBe(true);
    // The answers are what the route catalog (and so the OpenAPI document) says they are.
    expect(ROUTE_SCHEMAS['GET /api/v1/system/read-only'].response.safeParse(state.body).success).toBe(true);
    expect(ROUTE_SCHEMAS['POST /api/v1/system/read-only/activate'].response.safeParse(on.body).success).toBe(true);
    const audit = await h.call('GET', '/api/v1/audit?entity=read-only', { role: 'viewer' });
    expect(audit.body.items).toEqual([expect.objectContaining({ action: 'read-only.on', actor: 'test-admin' })]);
  });

  it.each(writes.map((r) => [routeKey(r), r] as const))('%s answers 503 with the reason', async (_key, route) => {
    const res = await h.call(route.method, pathOf(route.path), { role: 'admin', body: { name: 'after' } });
    expect(res.status, res.text).toBe(503);
    expect(res.body.error).toMatchObject({
      code: 'read_only',
      message: expect.stringContaining('test-admin: restore drill in progress'),
      correlation_id: expect.any(String),
    });
  });

  it('authorization comes first: a caller without the role learns only that (401, 403), not the reason', async () => {
    expect((await h.call('POST', '/api/v1/sites', { body: { name: 'x' } })).status).toBe(401);
    const viewer = await h.call('POST', '/api/v1/sites', { role: 'viewer', body: { name: 'x' } });
    expect(viewer.status).toBe(403);
    expect(viewer.text).not.toContain('restore drill');
  });

  it.each(reads.map((r) => [routeKey(r), r] as const))('%s still answers', async (_key, route) => {
    const res = await h.call(route.method, pathOf(route.path), { role: 'admin' });
    expect(res.body?.error?.code, res.text).not.toBe('read_only');
    expect(res.status === 503 && route.path === '/api/v1/health' ? 200 : res.status).toBeLessThan(500);
  });

  it('changed nothing while on; the controls that stop work still work; turning it off accepts writes again', async () => {
    expect((await h.call('GET', '/api/v1/sites/site-ro', { role: 'viewer' })).body.name).toBe('before');
    expect((await h.call('POST', '/api/v1/system/scheduler/pause', { role: 'operator' })).status).toBe(200);
    expect((await h.call('POST', '/api/v1/workers/jobs/drain', { role: 'operator' })).status).toBe(200);
    const off = await h.call('POST', '/api/v1/system/read-only/deactivate', { role: 'admin', body: { reason: 'drill over' } });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ on: false, reason: 'drill over' });
    expect((await h.call('POST', '/api/v1/workers/jobs/undrain', { role: 'operator' })).status).toBe(200);
    expect((await h.call('PATCH', '/api/v1/sites/site-ro', { role: 'admin', body: { name: 'after' } })).body.name).toBe('after');
  });
});
