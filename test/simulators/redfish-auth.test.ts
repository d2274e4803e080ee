import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointInfo, SimulatorFleet } from '../../infra/local/simulators';
import { agentFor, call, extendedInfo, origin, startFleet } from './helpers';
import { DCIM, enumerateXml, post } from './wsman-client';

const SYSTEM = '/redfish/v1/Systems/System.Embedded.1';
const SESSIONS = '/redfish/v1/SessionService/Sessions';

let fleet: SimulatorFleet;
let info: EndpointInfo;
let legacy: EndpointInfo;

beforeAll(async () => {
  fleet = await startFleet({
    count: 2,
    baseAddress: '127.32.0.1',
    generation: (i) => (i === 0 ? 'idrac9' : 'idrac8'),
    credentials: (i) => ({ username: 'root', password: `secret-${i}` }),
    endpoint: () => ({ sessionLimit: 3 }),
  });
  [info, legacy] = fleet.info() as [EndpointInfo, EndpointInfo];
});
afterAll(() => fleet.stop());

const redfish = (path: string, options: Parameters<typeof call>[3] = {}, target = info) =>
  call(agentFor(target), origin(target), path, options);
const login = (user: string, password: string, target = info) =>
  redfish(SESSIONS, { method: 'POST', body: { UserName: user, Password: password } }, target);

describe('Redfish authentication', () => {
  it('answers 401 with a Redfish error body when unauthenticated or wrongly authenticated', async () => {
    const none = await redfish(SYSTEM);
    expect(none.status).toBe(401);
    expect(none.json.error.code).toBe('Base.1.12.GeneralError');
    expect(extendedInfo(none.json).MessageId).toBe('Base.1.12.AccessDenied');
    const wrong = await redfish(SYSTEM, { auth: { basic: ['root', 'calvin'] } });
    expect(wrong.status).toBe(401);
    expect(extendedInfo(wrong.json)).toMatchObject({ MessageId: 'IDRAC.2.7.SYS415' });
    expect(extendedInfo(wrong.json).Message).toContain('invalid username and/or password');
    expect((await redfish(SYSTEM, { auth: { token: 'not-a-token' } })).status).toBe(401);
  });

  it('accepts the endpoint’s own credentials over basic auth, and only those', async () => {
    expect((await redfish(SYSTEM, { auth: { basic: ['root', 'secret-0'] } })).status).toBe(200);
    // Each endpoint has its own credentials: endpoint 1's password does not open endpoint 0.
    expect((await redfish(SYSTEM, { auth: { basic: ['root', 'secret-1'] } })).status).toBe(401);
  });

  it('logs in (201, X-Auth-Token, Location), serves the token, and logs out with DELETE', async () => {
    const created = await login('root', 'secret-0');
    expect(created.status).toBe(201);
    const token = created.headers['x-auth-token'] as string;
    const location = created.headers.location as string;
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    expect(location).toMatch(new RegExp(`^${SESSIONS}/\\d+$`));
    expect(created.json).toMatchObject({ '@odata.type': '#Session.v1_3_0.Session', UserName: 'root', Password: null });
    expect((await redfish(SYSTEM, { auth: { token } })).json.SKU).toBe(info.serviceTag);
    const listed = await redfish(SESSIONS, { auth: { token } });
    expect(listed.json.Members).toContainEqual({ '@odata.id': location });
    expect((await redfish(location, { method: 'DELETE', auth: { token } })).status).toBe(200);
    expect((await redfish(SYSTEM, { auth: { token } })).status).toBe(401);
    expect((await login('root', 'wrong')).status).toBe(401);
  });

  it('limits concurrent sessions like an iDRAC (503 RAC0218) until one logs out', async () => {
    const sessions = [];
    for (let i = 0; i < 3; i++) sessions.push(await login('root', 'secret-0'));
    expect(sessions.map((s) => s.status)).toEqual([201, 201, 201]);
    const refused = await login('root', 'secret-0');
    expect(refused.status).toBe(503);
    expect(extendedInfo(refused.json)).toMatchObject({
      MessageId: 'IDRAC.2.7.RAC0218',
      Message: 'The maximum number of user sessions is reached.',
    });
    const first = sessions[0]!;
    await redfish(first.headers.location as string, { method: 'DELETE', auth: { token: first.headers['x-auth-token'] as string } });
    expect((await login('root', 'secret-0')).status).toBe(201);
    for (const s of (await redfish(SESSIONS, { auth: { basic: ['root', 'secret-0'] } })).json.Members) {
      await redfish(s['@odata.id'], { method: 'DELETE', auth: { basic: ['root', 'secret-0'] } });
    }
  });

  it('applies a password change at once, over Redfish and WS-Man alike', async () => {
    const account = await redfish('/redfish/v1/AccountService/Accounts/2', { auth: { basic: ['root', 'secret-1'] } }, legacy);
    expect(account.json).toMatchObject({ UserName: 'root', RoleId: 'Administrator', Enabled: true, Password: null });
    const patched = await redfish(
      '/redfish/v1/AccountService/Accounts/2',
      {
        method: 'PATCH',
        auth: { basic: ['root', 'secret-1'] },
        body: { Password: 'rotated-1' },
        headers: { 'if-match': account.headers.etag as string },
      },
      legacy,
    );
    expect(patched.status).toBe(200);
    expect((await redfish(SYSTEM, { auth: { basic: ['root', 'secret-1'] } }, legacy)).status).toBe(401);
    expect((await redfish(SYSTEM, { auth: { basic: ['root', 'rotated-1'] } }, legacy)).status).toBe(200);
    expect((await login('root', 'secret-1', legacy)).status).toBe(401);
    expect((await login('root', 'rotated-1', legacy)).status).toBe(201);
    const url = legacy.urls.wsman!;
    const wsman = (password: string) => post(agentFor(legacy), url, enumerateXml(url, `${DCIM}DCIM_SystemView`), ['root', password]);
    expect((await wsman('secret-1')).status).toBe(401);
    expect((await wsman('rotated-1')).status).toBe(200);
    expect(fleet.endpoint(1).info().credentials.password).toBe('rotated-1');
  });

  it('rejects a stale If-Match and an over-long password', async () => {
    const auth = { basic: ['root', 'secret-0'] as [string, string] };
    const stale = await redfish('/redfish/v1/AccountService/Accounts/2', {
      method: 'PATCH',
      auth,
      body: { Password: 'x' },
      headers: { 'if-match': '"stale"' },
    });
    expect(stale.status).toBe(412);
    const long = await redfish('/redfish/v1/AccountService/Accounts/2', { method: 'PATCH', auth, body: { Password: 'x'.repeat(41) } });
    expect(long.status).toBe(400);
    expect((await redfish(SYSTEM, { auth })).status).toBe(200);
  });

  it('enforces roles: a ReadOnly user created in a free slot can read but not reset', async () => {
    const admin = { basic: ['root', 'secret-0'] as [string, string] };
    const created = await redfish('/redfish/v1/AccountService/Accounts/3', {
      method: 'PATCH',
      auth: admin,
      body: { UserName: 'monitor', Password: 'look-only', RoleId: 'ReadOnly', Enabled: true },
    });
    expect(created.status).toBe(200);
    const reader = { basic: ['monitor', 'look-only'] as [string, string] };
    expect((await redfish(SYSTEM, { auth: reader })).status).toBe(200);
    const reset = await redfish(`${SYSTEM}/Actions/ComputerSystem.Reset`, {
      method: 'POST',
      auth: reader,
      body: { ResetType: 'ForceOff' },
    });
    expect(reset.status).toBe(403);
    expect(extendedInfo(reset.json).MessageId).toBe('Base.1.12.InsufficientPrivilege');
    // Changing one's own password needs no more than Login.
    const own = await redfish('/redfish/v1/AccountService/Accounts/3', {
      method: 'PATCH',
      auth: reader,
      body: { Password: 'still-look-only' },
    });
    expect(own.status).toBe(200);
    const escalate = await redfish('/redfish/v1/AccountService/Accounts/3', {
      method: 'PATCH',
      auth: { basic: ['monitor', 'still-look-only'] },
      body: { RoleId: 'Administrator' },
    });
    expect(escalate.status).toBe(403);
  });
});
