import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatorFleet } from '../../infra/local/simulators';
import { credentialOf, expectIdracError, LogRecorder, startFleet, targetOf, testClient } from './helpers';

// One of each generation: iDRAC9 (Redfish), iDRAC8 (Redfish 1.4 and WS-Man), iDRAC7 (WS-Man only); a fourth
// iDRAC9 refuses every new password (its policy), as does a fifth iDRAC7 over WS-Man.
const GENERATIONS = ['idrac9', 'idrac8', 'idrac7', 'idrac9', 'idrac7'] as const;
let fleet: SimulatorFleet;
const log = new LogRecorder();
const client = testClient({ log });

beforeAll(async () => {
  fleet = await startFleet({ count: GENERATIONS.length, baseAddress: '127.71.0.1', generation: (i) => GENERATIONS[i] ?? 'idrac9' });
  fleet.endpoint(3).host.accounts.refusePasswordChanges = 'password policy';
  fleet.endpoint(4).host.accounts.refusePasswordChanges = 'password policy';
});
afterAll(async () => {
  await client.dispose();
  await fleet?.stop();
});

describe('setAccountPassword', () => {
  it.each([
    [0, 'redfish'],
    [1, 'redfish'],
    [2, 'wsman'],
  ] as const)('changes the password on endpoint %i over %s: the old one is refused, the new one accepted', async (i, protocol) => {
    const info = fleet.info()[i]!;
    const target = targetOf(info);
    const old = credentialOf(info);
    const next = `Rot-${i}-x9Q!kd83LmZ`;
    expect(await client.setAccountPassword(target, old, old.username, next)).toEqual({ protocol, account_id: '2' });
    expect((await client.verifyCredential(target, old)).result).toBe('rejected');
    expect((await client.verifyCredential(target, { username: old.username, password: next })).result).toBe('ok');
    // The device itself: basic auth over both front ends checks the same store.
    expect(fleet.endpoint(i).host.accounts.authenticate(old.username, next)?.id).toBe('2');
    expect(fleet.endpoint(i).host.accounts.authenticate(old.username, old.password)).toBeUndefined();
    // Back, so the step can be undone as a rollback would.
    await client.setAccountPassword(target, { username: old.username, password: next }, old.username, old.password);
    expect((await client.verifyCredential(target, old)).result).toBe('ok');
    expect(log.text()).not.toContain(next);
  });

  it.each([3, 4])('a refused password (endpoint %i) is password_refused, never quoted, and the old one still works', async (i) => {
    const info = fleet.info()[i]!;
    const target = targetOf(info);
    const old = credentialOf(info);
    const next = `Refused-${i}-Pw0rd`;
    const error = await expectIdracError(client.setAccountPassword(target, old, old.username, next), 'password_refused');
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(next);
    expect((await client.verifyCredential(target, old)).result).toBe('ok');
    expect(log.text()).not.toContain(next);
  });

  it('an unknown account is not_found and a wrong login is credential_rejected', async () => {
    const info = fleet.info()[0]!;
    await expectIdracError(client.setAccountPassword(targetOf(info), credentialOf(info), 'nobody', 'Xx1-whatever'), 'not_found');
    const wrong = { username: info.credentials.username, password: 'not-the-password' };
    await expectIdracError(client.setAccountPassword(targetOf(info), wrong, wrong.username, 'Xx1-whatever'), 'credential_rejected');
    const wsman = fleet.info()[2]!;
    await expectIdracError(client.setAccountPassword(targetOf(wsman), credentialOf(wsman), 'nobody', 'Xx1-whatever'), 'not_found');
  });
});
