import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('health', () => {
  it('answers without a token with status, version, uptime and components', async () => {
    const res = await h.call('GET', '/api/v1/health');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(res.body.uptime_seconds).toBeGreaterThanOrEqual(0);
    expect(Object.keys(res.body.components)).toEqual(expect.arrayContaining(['store', 'queues', 'workflows']));
    expect(res.body.components.store.status).toBe('ok');
  });

  it('lists worker pools for a viewer and refuses without a token', async () => {
    expect((await h.call('GET', '/api/v1/health/workers')).status).toBe(401);
    const res = await h.call('GET', '/api/v1/health/workers', { role: 'viewer' });
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body.pools)).toBe(true);
  });
});

describe('correlation ids', () => {
  it('echoes the caller id and generates one otherwise', async () => {
    const given = await h.call('GET', '/api/v1/sites', { role: 'viewer', headers: { 'x-correlation-id': 'ticket-4711' } });
    expect(given.headers.get('x-correlation-id')).toBe('ticket-4711');
    const made = await h.call('GET', '/api/v1/sites', { role: 'viewer' });
    expect(made.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('puts the correlation id in every error body', async () => {
    const res = await h.call('GET', '/api/v1/sites/site-nope', { role: 'viewer', headers: { 'x-correlation-id': 'c-1' } });
    expect(res.status).toBe(404);
    expect(res.body.error).toEqual({
      code: 'not_found',
      message: "site 'site-nope' does not exist",
      details: { kind: 'site', id: 'site-nope' },
      correlation_id: 'c-1',
    });
  });
});

describe('authentication: 401 says why', () => {
  it('missing token', async () => {
    const res = await h.call('GET', '/api/v1/sites');
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/Missing Authorization header/);
  });
  it('not a bearer header', async () => {
    const res = await h.call('GET', '/api/v1/sites', { headers: { authorization: 'Basic cm9vdDpjYWx2aW4=' } });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/must be "Bearer <token>"/);
  });
  it('malformed token', async () => {
    const res = await h.call('GET', '/api/v1/sites', { token: 'not-a-jwt' });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/malformed/);
  });
  it('token signed by someone else', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({ eio_role: 'admin' })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer('eio-local')
      .setAudience('eio-api')
      .setSubject('mallory')
      .setExpirationTime('1h')
      .sign(privateKey);
    const res = await h.call('GET', '/api/v1/sites', { token: forged });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/signature is invalid/);
  });
  it('expired token', async () => {
    const token = await h.token('viewer', { ttlSeconds: -60 });
    const res = await h.call('GET', '/api/v1/sites', { token });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/Token expired at \d{4}-/);
  });
  it('token valid for longer than AUTH_MAX_TOKEN_HOURS (24 h by default)', async () => {
    const res = await h.call('GET', '/api/v1/sites', { token: await h.token('viewer', { ttlSeconds: 48 * 3600 }) });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toBe('The token is valid for 48.0 h; EIO accepts tokens valid for at most 24 h');
  });
  it('token without a subject', async () => {
    const res = await h.call('GET', '/api/v1/sites', { token: await h.token('viewer', { subject: '' }) });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/names no subject/);
  });
});

describe('authorization: one route policy table', () => {
  it('a viewer may read sites but not create them (403 names the needed role)', async () => {
    expect((await h.call('GET', '/api/v1/sites', { role: 'viewer' })).status).toBe(200);
    const res = await h.call('POST', '/api/v1/sites', { role: 'viewer', body: { name: 'x' } });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/'operator' or higher/);
  });
  it('an operator may not delete a site; an admin may', async () => {
    await h.call('POST', '/api/v1/sites', { role: 'operator', body: { id: 'site-del', name: 'to delete' } });
    expect((await h.call('DELETE', '/api/v1/sites/site-del', { role: 'operator' })).status).toBe(403);
    expect((await h.call('DELETE', '/api/v1/sites/site-del', { role: 'admin' })).status).toBe(204);
    expect((await h.call('GET', '/api/v1/sites/site-del', { role: 'viewer' })).status).toBe(404);
  });
});

describe('bad input changes nothing', () => {
  const countSites = async () => (await h.call('GET', '/api/v1/sites?limit=200', { role: 'viewer' })).body.items.length;

  it('malformed JSON → 400 with a clear message, nothing stored', async () => {
    const before = await countSites();
    const res = await h.call('POST', '/api/v1/sites', {
      role: 'operator',
      rawBody: '{"name": "broken",',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/not valid JSON/);
    expect(await countSites()).toBe(before);
  });

  it('invalid fields → 400 naming each field path', async () => {
    const res = await h.call('POST', '/api/v1/sites', {
      role: 'operator',
      body: { name: '', management_networks: ['10.0.0.0/24', '10.45.12.101/22'], extra: 1 },
    });
    expect(res.status).toBe(400);
    const paths = res.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['body.name', 'body.management_networks[1]']));
    expect(JSON.stringify(res.body.error.details)).toContain('10.45.12.0/22');
  });

  it('oversize body → 413', async () => {
    const res = await h.call('POST', '/api/v1/sites', {
      role: 'operator',
      body: { name: 'big', description: 'x'.repeat(300 * 1024) },
    });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  it('bad pagination parameters → 400', async () => {
    expect((await h.call('GET', '/api/v1/sites?limit=0', { role: 'viewer' })).status).toBe(400);
    const res = await h.call('GET', '/api/v1/sites?next_token=garbage', { role: 'viewer' });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('query.next_token');
  });

  it('unknown route → 404, wrong method → 405 with Allow', async () => {
    expect((await h.call('GET', '/api/v1/nothing-here', { role: 'viewer' })).status).toBe(404);
    const res = await h.call('PUT', '/api/v1/sites', { role: 'admin', body: {} });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toContain('POST');
  });
});

describe('the local data directory', () => {
  it('is private to the user running the stack: no file or directory readable by group or others', async () => {
    // Something written by every part: a site (the table), a job (the queues), the signing key.
    expect((await h.call('POST', '/api/v1/sites', { role: 'operator', body: { id: 'site-private', name: 'p' } })).status).toBe(201);
    const open: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if ((statSync(path).mode & 0o077) !== 0) open.push(path);
        if (entry.isDirectory()) walk(path);
      }
    };
    expect(statSync(h.dataDir).mode & 0o777).toBe(0o700);
    walk(h.dataDir);
    expect(open).toEqual([]);
  });
});
