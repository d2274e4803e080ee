import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointInfo, SimulatorFleet } from '../../infra/local/simulators';
import { agentFor, basic, call, origin, startFleet } from './helpers';
import { DCIM, enumerateAll, enumerateXml, identifyXml, instances, post, pullXml, textOf } from './wsman-client';

let fleet: SimulatorFleet;
let info: EndpointInfo;
let creds: [string, string];
let url: string;
const send = (xml: string, credentials?: [string, string], target = url) => post(agentFor(info), target, xml, credentials);

beforeAll(async () => {
  // iDRAC8: WS-Man on its own port, plus the legacy Redfish for cross-checks.
  fleet = await startFleet({ count: 1, baseAddress: '127.34.0.1', generation: 'idrac8' });
  info = fleet.endpoint(0).info();
  creds = [info.credentials.username, info.credentials.password];
  url = info.urls.wsman!;
});
afterAll(() => fleet.stop());

async function all(className: string, max = 1) {
  const result = await enumerateAll(agentFor(info), url, `${DCIM}${className}`, creds, max);
  return { ...result, items: result.xml.flatMap((x) => instances(x, className)) };
}

describe('WS-Man (iDRAC8 style)', () => {
  it('answers Identify without credentials', async () => {
    const res = await send(identifyXml(url));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/soap+xml');
    expect(textOf(res.text, 'ProtocolVersion')).toBe('http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd');
    expect(textOf(res.text, 'ProductVendor')).toBeTruthy();
    expect(textOf(res.text, 'ProductVersion')).toBeTruthy();
  });

  it('requires basic auth for Enumerate: bare 401 when missing or wrong', async () => {
    const xml = enumerateXml(url, `${DCIM}DCIM_SystemView`);
    expect((await send(xml)).status).toBe(401);
    const wrong = await send(xml, ['root', 'nope']);
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toMatch(/^Basic/);
  });

  it('Enumerate returns a context; Pull pages through DCIM_SystemView to EndOfSequence', async () => {
    const first = await send(enumerateXml(url, `${DCIM}DCIM_SystemView`), creds);
    expect(first.status).toBe(200);
    expect(textOf(first.text, 'Action')).toBe('http://schemas.xmlsoap.org/ws/2004/09/enumeration/EnumerateResponse');
    const context = textOf(first.text, 'EnumerationContext')!;
    expect(context).toMatch(/^uuid:/);
    const page = await send(pullXml(url, `${DCIM}DCIM_SystemView`, context, 10), creds);
    expect(page.text).toContain('<wsen:EndOfSequence/>');
    const [system] = instances(page.text, 'DCIM_SystemView');
    expect(system).toMatchObject({
      InstanceID: 'System.Embedded.1',
      ServiceTag: info.serviceTag,
      UUID: info.systemUuid,
      Model: 'PowerEdge R630',
      SystemGeneration: '13G Monolithic',
      Manufacturer: 'Dell Inc.',
      PowerState: '2',
    });
    // The context is spent: pulling again is a WS-Enumeration fault.
    const spent = await send(pullXml(url, `${DCIM}DCIM_SystemView`, context, 10), creds);
    expect(spent.status).toBe(400);
    expect(spent.text).toContain('wsen:InvalidEnumerationContext');
  });

  it('enumerates DCIM_iDRACCardView', async () => {
    const { items } = await all('DCIM_iDRACCardView');
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      FQDD: 'iDRAC.Embedded.1-1',
      FirmwareVersion: '2.83.83.83',
      InstanceID: 'iDRAC.Embedded.1-1#IDRACinfo',
      URLString: origin(info),
    });
  });

  it('enumerates DCIM_SoftwareIdentity one item per Pull, matching the Redfish inventory', async () => {
    const { items, pages } = await all('DCIM_SoftwareIdentity');
    const inventory = await call(agentFor(info), origin(info), '/redfish/v1/UpdateService/FirmwareInventory', { auth: basic(info) });
    expect(items).toHaveLength(inventory.json['Members@odata.count']);
    expect(pages).toBe(items.length);
    expect(items).toContainEqual(
      expect.objectContaining({
        InstanceID: 'DCIM:INSTALLED#iDRAC.Embedded.1-1#IDRACinfo',
        VersionString: '2.83.83.83',
        Status: 'Installed',
        ComponentType: 'FRMW',
      }),
    );
    expect(items).toContainEqual(expect.objectContaining({ InstanceID: 'DCIM:PREVIOUS#741__BIOS.Setup.1-1', Status: 'Available' }));
  });

  it('enumerates DCIM_NICView with the same MACs Redfish reports', async () => {
    const { items } = await all('DCIM_NICView', 2);
    const redfish = await call(agentFor(info), origin(info), '/redfish/v1/Systems/System.Embedded.1/EthernetInterfaces?$expand=*', {
      auth: basic(info),
    });
    // Legacy Redfish ignores $expand: fetch members one by one.
    const macs = await Promise.all(
      redfish.json.Members.map(
        async (m: { '@odata.id': string }) =>
          (await call(agentFor(info), origin(info), m['@odata.id'], { auth: basic(info) })).json.MACAddress,
      ),
    );
    expect(items.map((i) => i.CurrentMACAddress)).toEqual(macs);
    expect(items.map((i) => i.FQDD)).toContain('NIC.Integrated.1-1-1');
  });

  it('optimized enumeration returns the items at once with EndOfSequence', async () => {
    const res = await send(enumerateXml(url, `${DCIM}DCIM_NICView`, 100), creds);
    expect(instances(res.text, 'DCIM_NICView')).toHaveLength(5);
    expect(res.text).toContain('<wsman:EndOfSequence/>');
  });

  it('faults an unknown resource URI and unsupported actions', async () => {
    const res = await send(enumerateXml(url, `${DCIM}DCIM_NoSuchView`), creds);
    expect(res.status).toBe(400);
    expect(res.text).toContain('<s:Value>wsa:DestinationUnreachable</s:Value>');
    expect(textOf(res.text, 'FaultDetail')).toBe('http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/InvalidResourceURI');
    const get = enumerateXml(url, `${DCIM}DCIM_SystemView`).replace(
      'http://schemas.xmlsoap.org/ws/2004/09/enumeration/Enumerate',
      'http://schemas.xmlsoap.org/ws/2004/09/transfer/Get',
    );
    expect((await send(get, creds)).text).toContain('wsa:ActionNotSupported');
    expect((await send('<not-soap/>', creds)).status).toBe(400);
  });

  it('shows state changed over Redfish (power) and also answers on the https port at /wsman', async () => {
    await call(agentFor(info), origin(info), '/redfish/v1/Systems/System.Embedded.1/Actions/ComputerSystem.Reset', {
      method: 'POST',
      auth: basic(info),
      body: { ResetType: 'ForceOff' },
    });
    const onHttps = info.urls.wsmanOnHttps!;
    const res = await send(enumerateXml(onHttps, `${DCIM}DCIM_SystemView`, 10), creds, onHttps);
    expect(instances(res.text, 'DCIM_SystemView')[0]?.PowerState).toBe('8');
  });
});
