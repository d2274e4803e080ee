import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatorFleet } from '../../infra/local/simulators';
import { serviceIdentities } from '../../shared/records/service-identities';
import { type Harness, startHarness } from '../support/harness';
import { waitFor } from '../support/wait';

// Four simulated iDRACs using one service identity through their site: two iDRAC9s, an iDRAC8 (Redfish 1.4) and
// an iDRAC7 (WS-Man only, TLS 1.1).
const GENERATIONS = ['idrac9', 'idrac9', 'idrac8', 'idrac7'] as const;
const INITIAL = 'Initial-Rot-Pw-1';
const IDS = ['idrac-r1', 'idrac-r2', 'idrac-r3', 'idrac-r4'];
let fleet: SimulatorFleet;
let h: Harness;
const answers: string[] = [];

const call = async (method: string, path: string, body?: unknown) => {
  const res = await h.call(method, path, { role: 'admin', ...(body === undefined ? {} : { body }) });
  answers.push(res.text);
  return res;
};
const accounts = (i: number) => fleet.endpoint(i).host.accounts;
/** What the stored credential is now (read as EIO's own workers read it). */
const currentSecret = async () => {
  const si = await serviceIdentities.get(h.stack.deps.store, 'si-rot');
  return { value: await h.stack.deps.secrets.get(si.secret_ref), pending: await h.stack.deps.secrets.getPending(si.secret_ref) };
};
const untilFinal = (location: string) =>
  waitFor(
    `rotation ${location} to end`,
    async () => {
      const r = (await call('GET', location)).body;
      return ['succeeded', 'rolled_back', 'failed'].includes(r.status) ? r : undefined;
    },
    60_000,
  );

beforeAll(async () => {
  fleet = await SimulatorFleet.start({
    count: GENERATIONS.length,
    baseAddress: '127.72.0.1',
    generation: (i) => GENERATIONS[i] ?? 'idrac9',
    credentials: { username: 'root', password: INITIAL },
    certDir: join(tmpdir(), 'eio-idrac-client-test-certs'),
    speed: 200,
  });
  h = await startHarness();
  expect(
    (
      await call('POST', '/api/v1/service-identities', {
        id: 'si-rot',
        name: 'fleet',
        target_kind: 'idrac',
        username: 'root',
        secret: INITIAL,
      })
    ).status,
  ).toBe(201);
  expect(
    (
      await call('POST', '/api/v1/sites', {
        id: 'site-rot',
        name: 'rotation lab',
        management_networks: ['127.72.0.0/24'],
        idrac_service_identity_id: 'si-rot',
      })
    ).status,
  ).toBe(201);
  for (const [i, info] of fleet.info().entries()) {
    const res = await call('POST', '/api/v1/dell/endpoints', {
      id: IDS[i],
      address: info.address,
      site_id: 'site-rot',
      redfish_port: info.ports.https,
      wsman_port: info.ports.wsman ?? 9,
      tls: { pinned_thumbprint: info.certificate.thumbprint, legacy: info.maxTlsVersion === 'TLSv1.1' },
    });
    expect(res.status, res.text).toBe(201);
    expect((await call('POST', `/api/v1/dell/endpoints/${IDS[i]}/refresh`)).body.status).toBe('reachable');
  }
}, 60_000);

afterAll(async () => {
  await h?.close();
  await fleet?.stop();
});

describe('POST /service-identities/{id}/rotate without a body', () => {
  it('sets a generated password on every target: all accept it, the old one is refused, refresh still works', async () => {
    const res = await h.call('POST', '/api/v1/service-identities/si-rot/rotate', { role: 'admin' });
    answers.push(res.text);
    expect(res.status, res.text).toBe(202);
    expect(res.body).toMatchObject({ service_identity_id: 'si-rot', status: 'pending' });
    expect(res.body.targets.map((t: { id: string }) => t.id)).toEqual(IDS);
    expect(res.body.targets.filter((t: { canary: boolean }) => t.canary)).toHaveLength(1);
    const location = res.headers.get('location')!;
    expect(location).toBe(`/api/v1/service-identities/si-rot/rotations/${res.body.id}`);

    const done = await untilFinal(location);
    expect(done.status).toBe('succeeded');
    expect(done.targets.map((t: { id: string; state: string; protocol: string }) => [t.id, t.state, t.protocol])).toEqual([
      ['idrac-r1', 'tested', 'redfish'],
      ['idrac-r2', 'tested', 'redfish'],
      ['idrac-r3', 'tested', 'redfish'],
      ['idrac-r4', 'tested', 'wsman'],
    ]);
    const secret = await currentSecret();
    expect(secret.value).not.toBe(INITIAL);
    expect(secret.value).toHaveLength(20);
    expect(secret.pending).toBeUndefined();
    for (const i of [0, 1, 2, 3]) {
      expect(accounts(i).authenticate('root', secret.value)?.id, IDS[i]).toBe('2');
      expect(accounts(i).authenticate('root', INITIAL), IDS[i]).toBeUndefined();
    }
    for (const id of IDS) {
      const refreshed = (await call('POST', `/api/v1/dell/endpoints/${id}/refresh`)).body;
      expect(refreshed, id).toMatchObject({ status: 'reachable', last_error: null });
    }
    // The runbook's next command.
    expect((await call('GET', '/api/v1/service-identities/si-rot/verify')).body.result).toBe('verified');
    const actions = (await call('GET', '/api/v1/service-identities/si-rot/activity')).body.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['credential.rotation_started', 'credential.rotated']));
    expect(answers.join('\n')).not.toContain(secret.value);
  });

  it('rolls every target back to the current password when one refuses, and lists what happened on each', async () => {
    const before = await currentSecret();
    accounts(2).refusePasswordChanges = 'password policy';
    try {
      const res = await call('POST', '/api/v1/service-identities/si-rot/rotate');
      expect(res.status, res.text).toBe(202);
      const done = await untilFinal(res.headers.get('location')!);
      expect(done.status).toBe('rolled_back');
      expect(done.reason).toMatch(/idrac-r3 refused the new password/);
      const byId = Object.fromEntries(done.targets.map((t: { id: string }) => [t.id, t]));
      expect(byId['idrac-r1']).toMatchObject({ canary: true, state: 'rolled_back', message: 'the old password was set back' });
      expect(byId['idrac-r2']).toMatchObject({ state: 'rolled_back', message: 'the old password was set back' });
      expect(byId['idrac-r3'].state).toBe('refused');
      expect(byId['idrac-r3'].message).toMatch(/refused the new password/);
      expect(byId['idrac-r4']).toMatchObject({ state: 'skipped' });
    } finally {
      accounts(2).refusePasswordChanges = undefined;
    }
    const after = await currentSecret();
    expect(after).toEqual({ value: before.value, pending: undefined });
    for (const i of [0, 1, 2, 3]) expect(accounts(i).authenticate('root', before.value)?.id, IDS[i]).toBe('2');
    for (const id of IDS) expect((await call('POST', `/api/v1/dell/endpoints/${id}/refresh`)).body.last_error, id).toBeNull();
    const si = (await call('GET', '/api/v1/service-identities/si-rot')).body;
    expect(si).not.toHaveProperty('rotation_id');
    const actions = (await call('GET', '/api/v1/service-identities/si-rot/activity')).body.items.map((e: { action: string }) => e.action);
    expect(actions).toContain('credential.rotation_rolled_back');
    expect(answers.join('\n')).not.toContain(before.value);
  });

  it('answers 404 for a rotation of another identity, and viewers may read a rotation but not start one', async () => {
    const list = await h.stack.deps.store.query({ index: 'gsi1', pk: 'KIND#ROT', limit: 1 });
    const id = String(list.items[0]!.id);
    expect((await h.call('GET', `/api/v1/service-identities/si-rot/rotations/${id}`, { role: 'viewer' })).status).toBe(200);
    expect((await h.call('GET', `/api/v1/service-identities/si-other/rotations/${id}`, { role: 'viewer' })).status).toBe(404);
    expect((await h.call('POST', '/api/v1/service-identities/si-rot/rotate', { role: 'operator' })).status).toBe(403);
  });
});
