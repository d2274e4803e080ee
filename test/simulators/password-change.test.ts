import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointInfo, SimulatorFleet } from '../../infra/local/simulators';
import { agentFor, call, origin, startFleet } from './helpers';
import { DCIM, enumerateXml, post, textOf } from './wsman-client';

// An iDRAC8 (Redfish and WS-Man on one store of accounts).
let fleet: SimulatorFleet;
let info: EndpointInfo;
const agent = () => agentFor(info);
const wsmanUrl = () => `https://${info.address}:${info.ports.wsman}/wsman`;
const CARD_SERVICE = `${DCIM}DCIM_iDRACCardService`;

/** SetAttribute of DCIM_iDRACCardService, as Dell's iDRAC Card Profile describes it. */
const setAttributeXml = (url: string, name: string, value: string) =>
  '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" ' +
  'xmlns:wsman="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><s:Header>' +
  `<wsa:To>${url}</wsa:To><wsman:ResourceURI>${CARD_SERVICE}</wsman:ResourceURI>` +
  `<wsa:Action>${CARD_SERVICE}/SetAttribute</wsa:Action><wsa:MessageID>uuid:1</wsa:MessageID>` +
  '<wsman:SelectorSet><wsman:Selector Name="Name">DCIM:iDRACCardService</wsman:Selector></wsman:SelectorSet></s:Header>' +
  `<s:Body><p:SetAttribute_INPUT xmlns:p="${CARD_SERVICE}"><p:Target>iDRAC.Embedded.1</p:Target>` +
  `<p:AttributeName>${name}</p:AttributeName><p:AttributeValue>${value}</p:AttributeValue></p:SetAttribute_INPUT></s:Body></s:Envelope>`;

const redfishOk = async (password: string) =>
  (await call(agent(), origin(info), '/redfish/v1/Systems', { auth: { basic: ['root', password] } })).status === 200;
const wsmanOk = async (password: string) =>
  (await post(agent(), wsmanUrl(), enumerateXml(wsmanUrl(), `${DCIM}DCIM_SystemView`, 1), ['root', password])).status === 200;

beforeAll(async () => {
  fleet = await startFleet({ count: 1, baseAddress: '127.75.0.1', generation: 'idrac8' });
  info = fleet.info()[0]!;
});
afterAll(() => fleet?.stop());

describe('a changed password is enforced over Redfish and WS-Man', () => {
  it('after a Redfish PATCH of the Password the old one is refused and the new one accepted on both', async () => {
    const account = await call(agent(), origin(info), '/redfish/v1/AccountService/Accounts/2', { auth: { basic: ['root', 'calvin'] } });
    const patched = await call(agent(), origin(info), '/redfish/v1/AccountService/Accounts/2', {
      method: 'PATCH',
      auth: { basic: ['root', 'calvin'] },
      headers: { 'if-match': String(account.headers.etag) },
      body: { Password: 'Changed-Over-Redfish1' },
    });
    expect(patched.status).toBe(200);
    expect(await redfishOk('calvin')).toBe(false);
    expect(await wsmanOk('calvin')).toBe(false);
    expect(await redfishOk('Changed-Over-Redfish1')).toBe(true);
    expect(await wsmanOk('Changed-Over-Redfish1')).toBe(true);
  });

  it('after a WS-Man SetAttribute of Users.2#Password the old one is refused and the new one accepted on both', async () => {
    const res = await post(agent(), wsmanUrl(), setAttributeXml(wsmanUrl(), 'Users.2#Password', 'Changed-Over-WsMan2'), [
      'root',
      'Changed-Over-Redfish1',
    ]);
    expect(res.status).toBe(200);
    expect(textOf(res.text, 'ReturnValue')).toBe('0');
    expect(await redfishOk('Changed-Over-Redfish1')).toBe(false);
    expect(await wsmanOk('Changed-Over-Redfish1')).toBe(false);
    expect(await redfishOk('Changed-Over-WsMan2')).toBe(true);
    expect(await wsmanOk('Changed-Over-WsMan2')).toBe(true);
  });

  it('a refusal (injected password policy, a stale If-Match) changes nothing', async () => {
    fleet.endpoint(0).host.accounts.refusePasswordChanges = 'policy';
    try {
      const res = await post(agent(), wsmanUrl(), setAttributeXml(wsmanUrl(), 'Users.2#Password', 'Never-Set-3'), [
        'root',
        'Changed-Over-WsMan2',
      ]);
      expect(textOf(res.text, 'ReturnValue')).toBe('2');
      const patched = await call(agent(), origin(info), '/redfish/v1/AccountService/Accounts/2', {
        method: 'PATCH',
        auth: { basic: ['root', 'Changed-Over-WsMan2'] },
        body: { Password: 'Never-Set-3' },
      });
      expect(patched.status).toBe(400);
    } finally {
      fleet.endpoint(0).host.accounts.refusePasswordChanges = undefined;
    }
    const stale = await call(agent(), origin(info), '/redfish/v1/AccountService/Accounts/2', {
      method: 'PATCH',
      auth: { basic: ['root', 'Changed-Over-WsMan2'] },
      headers: { 'if-match': '"stale"' },
      body: { Password: 'Never-Set-3' },
    });
    expect(stale.status).toBe(412);
    expect(await redfishOk('Never-Set-3')).toBe(false);
    expect(await wsmanOk('Changed-Over-WsMan2')).toBe(true);
  });
});
