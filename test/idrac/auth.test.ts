import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointInfo, SimEvent, SimulatorFleet } from '../../infra/local/simulators';
import { IdracHttpError } from '../../shared/ports/idrac';
import { credentialOf, expectIdracError, LogRecorder, startFleet, targetOf, testClient } from './helpers';

// 0 idrac9, 1 idrac9 without sessions (limit 0), 2 idrac7 (WS-Man), 3 idrac9 whose first login is dropped,
// 4 idrac9 for the password change, 5 idrac9 dropping every session at once.
const GENERATIONS = ['idrac9', 'idrac9', 'idrac7', 'idrac9', 'idrac9', 'idrac9'] as const;
const events: Array<{ index: number; event: SimEvent }> = [];
const tokens = new Set<string>();
let fleet: SimulatorFleet;
let firstLoginDropped = false;

beforeAll(async () => {
  fleet = await startFleet({
    count: GENERATIONS.length,
    baseAddress: '127.43.0.1',
    generation: (i) => GENERATIONS[i] ?? 'idrac9',
    endpoint: (i) => (i === 1 ? { sessionLimit: 0 } : {}),
    onEvent: (index, event) => {
      events.push({ index, event });
      if (event.type !== 'session' || event.action !== 'login') return;
      const host = fleet.endpoint(index).host;
      for (const session of host.sessions.list()) tokens.add(session.token);
      // The iDRAC forgets the session right after creating it (as after an iDRAC reset).
      if ((index === 3 && !firstLoginDropped) || index === 5) {
        firstLoginDropped = index === 3 ? true : firstLoginDropped;
        host.sessions.clear();
      }
    },
  });
});
afterAll(() => fleet?.stop());

const sessionEvents = (index: number, action: string) =>
  events.filter((e) => e.index === index && e.event.type === 'session' && e.event.action === action).length;

/** The simulator's own account API (Redfish PATCH), as an operator rotating the password would use it. */
async function changePassword(info: EndpointInfo, password: string): Promise<void> {
  const dispatcher = new Agent({ connect: { ca: info.certificate.pem } });
  try {
    const auth = Buffer.from(`${info.credentials.username}:${info.credentials.password}`).toString('base64');
    const res = await request(`${info.urls.redfish}/AccountService/Accounts/2`, {
      method: 'PATCH',
      headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' },
      body: JSON.stringify({ Password: password }),
      dispatcher,
    });
    await res.body.text();
    expect(res.statusCode).toBe(200);
  } finally {
    await dispatcher.close();
  }
}

describe('credentials', () => {
  it('a wrong password is rejected with 401, over Redfish and over WS-Man, without echoing it', async () => {
    const log = new LogRecorder();
    const client = testClient({ log });
    try {
      for (const index of [0, 2]) {
        const info = fleet.endpoint(index).info();
        const wrong = { username: info.credentials.username, password: 'not-the-password-42' };
        const error = await expectIdracError(client.inventory(targetOf(info), wrong), 'credential_rejected');
        expect(error).toBeInstanceOf(IdracHttpError);
        expect((error as IdracHttpError).status).toBe(401);
        expect(error.message).not.toContain(wrong.password);
        expect(await client.verifyCredential(targetOf(info), wrong)).toMatchObject({
          result: 'rejected',
          protocol: index === 0 ? 'redfish' : 'wsman',
        });
        expect(await client.verifyCredential(targetOf(info), credentialOf(info))).toMatchObject({ result: 'ok' });
      }
      expect(log.text()).not.toContain('not-the-password-42');
      // Credential failures say nothing about the endpoint's health.
      expect(client.upstreams().every((u) => u.breaker === 'closed')).toBe(true);
    } finally {
      await client.dispose();
    }
  });

  it('sessions refused (session limit): falls back to basic auth and still reads and judges credentials', async () => {
    const client = testClient();
    try {
      const endpoint = fleet.endpoint(1);
      const info = endpoint.info();
      const inventory = await client.inventory(targetOf(info), credentialOf(info));
      expect(inventory.service_tag).toBe(info.serviceTag);
      expect(sessionEvents(1, 'refused')).toBeGreaterThan(0);
      expect(sessionEvents(1, 'login')).toBe(0);
      expect(await client.verifyCredential(targetOf(info), credentialOf(info))).toMatchObject({ result: 'ok' });
      expect(await client.verifyCredential(targetOf(info), { username: 'root', password: 'nope' })).toMatchObject({ result: 'rejected' });
      // A refused login (503 RAC0218) is an answer, not a failure of the endpoint.
      expect(client.upstreams().find((u) => u.address === info.address)?.breaker).toBe('closed');
    } finally {
      await client.dispose();
    }
  });

  it('a session the iDRAC dropped (401 on its token) is replaced once, then logged out', async () => {
    const log = new LogRecorder();
    const client = testClient({ log });
    try {
      const endpoint = fleet.endpoint(3);
      const inventory = await client.inventory(targetOf(endpoint.info()), credentialOf(endpoint.info()));
      expect(inventory.service_tag).toBe(endpoint.info().serviceTag);
      expect(sessionEvents(3, 'login')).toBe(2);
      expect(log.entries.filter((e) => /logging in again/.test(e.message))).toHaveLength(1);
      expect(endpoint.host.sessions.list()).toHaveLength(0);
    } finally {
      await client.dispose();
    }
  });

  it('re-login happens only once: a second 401 fails the call instead of looping', async () => {
    const client = testClient();
    try {
      const info = fleet.endpoint(5).info();
      await expectIdracError(client.inventory(targetOf(info), credentialOf(info)), 'credential_rejected');
      expect(sessionEvents(5, 'login')).toBe(2);
    } finally {
      await client.dispose();
    }
  });

  it('after a password change through the account API the old credential is rejected, the new one works', async () => {
    const client = testClient();
    try {
      const endpoint = fleet.endpoint(4);
      const before = endpoint.info();
      const old = credentialOf(before);
      expect(await client.verifyCredential(targetOf(before), old)).toMatchObject({ result: 'ok' });
      await changePassword(before, 'rotated-Passw0rd');
      const after = endpoint.info();
      expect(after.credentials.password).toBe('rotated-Passw0rd');
      expect(await client.verifyCredential(targetOf(after), old)).toMatchObject({ result: 'rejected' });
      await expectIdracError(client.inventory(targetOf(after), old), 'credential_rejected');
      expect(await client.verifyCredential(targetOf(after), credentialOf(after))).toMatchObject({ result: 'ok' });
      expect((await client.inventory(targetOf(after), credentialOf(after))).service_tag).toBe(after.serviceTag);
    } finally {
      await client.dispose();
    }
  });

  it('never logs a password or a session token', async () => {
    const log = new LogRecorder();
    const client = testClient({ log });
    try {
      for (const index of [0, 1, 2, 3]) {
        const info = fleet.endpoint(index).info();
        await client.inventory(targetOf(info), credentialOf(info));
        await client.verifyCredential(targetOf(info), { username: info.credentials.username, password: 'Wr0ng-secret' });
      }
      expect(tokens.size).toBeGreaterThan(0);
      const text = log.text();
      for (const token of tokens) expect(text).not.toContain(token);
      expect(text).not.toContain('calvin');
      expect(text).not.toContain('Wr0ng-secret');
      expect(text).not.toMatch(/Basic [A-Za-z0-9+/=]{8,}/);
    } finally {
      await client.dispose();
    }
  });
});
