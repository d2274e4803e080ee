import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const SECRET = 'Sup3r-Secret-Idrac-Pw!';

describe('service identities', () => {
  it('creates one as admin and never returns the secret', async () => {
    expect(
      (
        await h.call('POST', '/api/v1/service-identities', {
          role: 'operator',
          body: { id: 'si-001', name: 'x', target_kind: 'idrac', username: 'root', secret: SECRET },
        })
      ).status,
    ).toBe(403);
    const res = await h.call('POST', '/api/v1/service-identities', {
      role: 'admin',
      body: { id: 'si-001', name: 'iDRAC fleet account', target_kind: 'idrac', username: 'eio-svc', secret: SECRET },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: 'si-001', target_kind: 'idrac', username: 'eio-svc', has_secret: true });
    expect(res.text).not.toContain(SECRET);
    expect(res.body).not.toHaveProperty('secret');
    expect(res.body).not.toHaveProperty('secret_ref');
    const got = await h.call('GET', '/api/v1/service-identities/si-001', { role: 'viewer' });
    expect(got.status).toBe(200);
    expect(got.text).not.toContain(SECRET);
  });

  it('rejects an unknown target kind with the field named', async () => {
    const res = await h.call('POST', '/api/v1/service-identities', {
      role: 'admin',
      body: { name: 'x', target_kind: 'ilo', username: 'u', secret: 's' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('body.target_kind');
  });

  it('verify says plainly when no target uses the credential yet', async () => {
    const res = await h.call('GET', '/api/v1/service-identities/si-001/verify', { role: 'operator' });
    expect(res.status).toBe(200);
    expect(res.body.result).toBe('unavailable');
    expect(res.body.message).toMatch(/no iDRAC endpoint uses service identity 'si-001'/);
    const si = await h.call('GET', '/api/v1/service-identities/si-001', { role: 'viewer' });
    expect(si.body.last_verification.result).toBe('unavailable');
  });

  it('rotate without a body and no target using the identity says so and changes nothing', async () => {
    const before = await h.call('GET', '/api/v1/service-identities/si-001', { role: 'viewer' });
    const res = await h.call('POST', '/api/v1/service-identities/si-001/rotate', { role: 'admin' });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/No iDRAC endpoint uses service identity 'si-001'/);
    const after = await h.call('GET', '/api/v1/service-identities/si-001', { role: 'viewer' });
    expect(after.body.secret_updated_at).toBe(before.body.secret_updated_at);
    expect(after.body.version).toBe(before.body.version);
  });

  it('rotate without a body for a vCenter identity answers what must be done by hand and changes nothing', async () => {
    await h.call('POST', '/api/v1/service-identities', {
      role: 'admin',
      body: { id: 'si-vc', name: 'vCenter', target_kind: 'vcenter', username: 'svc@vsphere.local', secret: SECRET },
    });
    const res = await h.call('POST', '/api/v1/service-identities/si-vc/rotate', { role: 'admin' });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/cannot set a new password for a vCenter SSO user.*Nothing was changed/);
    expect(res.body.error.details.manual_steps.join('\n')).toMatch(/Single Sign On[\s\S]*rotate with \{"secret"[\s\S]*si-vc\/verify/);
    const after = await h.call('GET', '/api/v1/service-identities/si-vc', { role: 'viewer' });
    expect(after.body.version).toBe(1);
  });

  it('rotate with a supplied secret records it and shows in the activity trail', async () => {
    const res = await h.call('POST', '/api/v1/service-identities/si-001/rotate', {
      role: 'admin',
      body: { secret: 'N3w-Rotated-Pw' },
    });
    expect(res.status).toBe(200);
    expect(res.body.version).toBeGreaterThan(1);
    const activity = await h.call('GET', '/api/v1/service-identities/si-001/activity', { role: 'viewer' });
    expect(activity.status).toBe(200);
    const actions = activity.body.items.map((e: { action: string }) => e.action);
    expect(actions[0]).toBe('credential.rotated');
    expect(actions).toEqual(expect.arrayContaining(['credential.created', 'credential.verified']));
    const created = activity.body.items.find((e: { action: string }) => e.action === 'credential.created');
    expect(created.actor).toBe('test-admin');
    expect(created.correlation_id).toBeTruthy();
  });

  it('activity pages newest first', async () => {
    const first = await h.call('GET', '/api/v1/service-identities/si-001/activity?limit=1', { role: 'viewer' });
    expect(first.body.items).toHaveLength(1);
    expect(first.body.next_token).toBeTruthy();
    const second = await h.call(
      'GET',
      `/api/v1/service-identities/si-001/activity?limit=1&next_token=${encodeURIComponent(first.body.next_token)}`,
      { role: 'viewer' },
    );
    expect(second.body.items[0].at <= first.body.items[0].at).toBe(true);
  });

  it('404 for unknown identities on every sub-route', async () => {
    for (const sub of ['', '/verify', '/activity'])
      expect((await h.call('GET', `/api/v1/service-identities/si-missing${sub}`, { role: 'operator' })).status).toBe(404);
  });

  it('deletes as admin; afterwards it is gone', async () => {
    expect((await h.call('DELETE', '/api/v1/service-identities/si-001', { role: 'admin' })).status).toBe(204);
    expect((await h.call('GET', '/api/v1/service-identities/si-001', { role: 'viewer' })).status).toBe(404);
  });
});
