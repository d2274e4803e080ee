import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointInfo, SimulatorFleet } from '../../infra/local/simulators';
import type { IdracClient } from '../../shared/adapters/idrac/idrac-client';
import type { DeviceKind } from '../../shared/domain/device-identity';
import type { IdracTarget } from '../../shared/ports/idrac';
import { ForeignDevice, serviceRootFixture } from '../support/foreign-devices';
import { CERT_DIR, credentialOf, expectIdracError, NO_PORT, startFleet, targetOf, testClient } from './helpers';

const CREDENTIAL = { username: 'root', password: 'calvin-not-for-you' };
const FOREIGN: Array<{ name: string; address: string; kind: DeviceKind; vendor?: string; device: () => Promise<ForeignDevice> }> = [];
const redfish = (address: string, root: string) => () =>
  ForeignDevice.start({ kind: 'redfish', address, port: 0, certDir: CERT_DIR, root: serviceRootFixture(root), accepts: CREDENTIAL });
FOREIGN.push(
  { name: 'HPE iLO 5', address: '127.47.1.1', kind: 'other_vendor_bmc', vendor: 'HPE', device: redfish('127.47.1.1', 'hpe-ilo5') },
  { name: 'Lenovo XCC', address: '127.47.1.2', kind: 'other_vendor_bmc', vendor: 'Lenovo', device: redfish('127.47.1.2', 'lenovo-xcc') },
  {
    name: 'Supermicro BMC',
    address: '127.47.1.3',
    kind: 'other_vendor_bmc',
    vendor: 'Supermicro',
    device: redfish('127.47.1.3', 'supermicro'),
  },
  { name: 'DMTF mockup', address: '127.47.1.4', kind: 'redfish_without_vendor', device: redfish('127.47.1.4', 'dmtf-mockup') },
  {
    name: 'basic-auth-only emulator',
    address: '127.47.1.5',
    kind: 'redfish_without_vendor',
    device: redfish('127.47.1.5', 'basic-auth-emulator'),
  },
  {
    name: 'plain HTTPS server',
    address: '127.47.1.6',
    kind: 'https_not_redfish',
    device: () => ForeignDevice.start({ kind: 'plain-https', address: '127.47.1.6', port: 0, certDir: CERT_DIR }),
  },
);

let fleet: SimulatorFleet;
let client: IdracClient;
let idrac9: EndpointInfo;
let idrac8: EndpointInfo;
const devices = new Map<string, ForeignDevice>();

beforeAll(async () => {
  fleet = await startFleet({ count: 2, baseAddress: '127.47.0.1', generation: (i) => (i === 0 ? 'idrac9' : 'idrac8') });
  [idrac9, idrac8] = fleet.info() as [EndpointInfo, EndpointInfo];
  for (const f of FOREIGN) devices.set(f.address, await f.device());
  client = testClient();
});
afterAll(async () => {
  await client?.dispose();
  await fleet?.stop();
  await Promise.all([...devices.values()].map((d) => d.stop()));
});

const foreignTarget = (address: string, tls: IdracTarget['tls']): IdracTarget => ({
  address,
  redfishPort: devices.get(address)!.ports[0],
  wsmanPort: NO_PORT,
  tls,
});

describe('identify before credentials: the unauthenticated probe classifies the device', () => {
  it('iDRAC9 and iDRAC8 are Dell iDRACs, with the iDRAC9 root telling its service tag and MAC', async () => {
    const [fp9, fp8] = await Promise.all([client.probe(targetOf(idrac9)), client.probe(targetOf(idrac8))]);
    expect(fp9).toMatchObject({
      reachable: true,
      generation: 'idrac9',
      device: { kind: 'idrac', vendor: 'Dell', product: 'Integrated Dell Remote Access Controller', service_tag: idrac9.serviceTag },
    });
    expect(fp9.device.manager_mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    expect(fp8).toMatchObject({ reachable: true, generation: 'idrac8', device: { kind: 'idrac', wsman: { vendor: expect.any(String) } } });
  });

  it.each(FOREIGN.map((f) => [f.name, f] as const))(
    '%s is reported with what it is, over any trust, and gets no credential',
    async (_, f) => {
      const device = devices.get(f.address)!;
      // First use on a site that allows it, and no trust at all: either way the device is identified, never an iDRAC.
      for (const tls of [{ trustOnFirstUse: true }, {}] as IdracTarget['tls'][]) {
        const fp = await client.probe(foreignTarget(f.address, tls));
        expect(fp.device.kind).toBe(f.kind);
        if (f.vendor) expect(fp.device.vendor).toBe(f.vendor);
        expect(fp).toMatchObject({ reachable: false, generation: 'unknown', generation_basis: 'none', error: { code: 'not_an_idrac' } });
        expect(fp.error!.message).toContain('is not a Dell iDRAC');
      }
      expect(device.requests.length).toBeGreaterThan(0);
      expect(device.credentialsReceived()).toEqual([]);
    },
  );

  it('without trust on first use a plain HTTPS server is not an iDRAC with certificate_untrusted; a real iDRAC still is', async () => {
    const plain = await client.probe(foreignTarget('127.47.1.6', {}));
    expect(plain.error?.code).toBe('not_an_idrac');
    const untrusted = await client.probe({ ...targetOf(idrac9), tls: {} });
    expect(untrusted).toMatchObject({ reachable: false, device: { kind: 'idrac' }, error: { code: 'certificate_untrusted' } });
  });

  it('a host that accepts TCP but speaks no TLS is nothing: no answer, no credential', async () => {
    const tcp = await ForeignDevice.start({ kind: 'tcp-only', address: '127.47.1.7', port: 0 });
    try {
      const fp = await client.probe({
        address: '127.47.1.7',
        redfishPort: tcp.ports[0],
        wsmanPort: NO_PORT,
        tls: { trustOnFirstUse: true },
      });
      expect(fp).toMatchObject({ reachable: false, device: { kind: 'nothing' } });
      expect(['timeout', 'connection_reset', 'tls_handshake']).toContain(fp.error?.code);
      expect(tcp.connections).toBeGreaterThan(0);
      expect(tcp.requests).toEqual([]);
    } finally {
      await tcp.stop();
    }
  });

  it("a call that needs a credential refuses another vendor's BMC before sending it", async () => {
    const device = devices.get('127.47.1.1')!;
    const target = foreignTarget('127.47.1.1', { trustOnFirstUse: true });
    const error = await expectIdracError(client.inventory(target, CREDENTIAL), 'not_an_idrac');
    expect(error.message).toContain('HPE');
    await expectIdracError(client.verifyCredential(target, CREDENTIAL), 'not_an_idrac');
    expect(device.credentialsReceived()).toEqual([]);
  });

  it('a Redfish service naming no vendor gets no credential either, unless WS-Man says it is an iDRAC', async () => {
    for (const address of ['127.47.1.4', '127.47.1.5']) {
      const device = devices.get(address)!;
      await expectIdracError(client.inventory(foreignTarget(address, { trustOnFirstUse: true }), CREDENTIAL), 'not_an_idrac');
      expect(device.credentialsReceived()).toEqual([]);
    }
  });
});

describe('authentication: sessions where the root advertises them, else basic auth', () => {
  /** The target as a registered endpoint holds it: pinned to the certificate its first probe saw. */
  const pinnedTarget = async (address: string, device: ForeignDevice): Promise<IdracTarget> => {
    const base = { address, redfishPort: device.ports[0], wsmanPort: NO_PORT };
    const first = await client.probe({ ...base, tls: { trustOnFirstUse: true } });
    return { ...base, tls: { pinnedThumbprint: first.tls!.thumbprint } };
  };
  const dellRoot = (sessions: boolean) => {
    const root: Record<string, unknown> = {
      '@odata.id': '/redfish/v1',
      RedfishVersion: '1.13.1',
      Vendor: 'Dell',
      Product: 'Integrated Dell Remote Access Controller',
      Oem: { Dell: { ServiceTag: 'BASIC01' } },
      Systems: { '@odata.id': '/redfish/v1/Systems' },
      Managers: { '@odata.id': '/redfish/v1/Managers' },
      UpdateService: { '@odata.id': '/redfish/v1/UpdateService' },
    };
    if (sessions) {
      root.SessionService = { '@odata.id': '/redfish/v1/SessionService' };
      root.Links = { Sessions: { '@odata.id': '/redfish/v1/SessionService/Sessions' } };
    }
    return root;
  };

  it('no session service advertised: basic auth, no login POST (whose 401 would wrongly say "rejected")', async () => {
    const device = await ForeignDevice.start({
      kind: 'redfish',
      address: '127.47.2.1',
      port: 0,
      certDir: CERT_DIR,
      root: dellRoot(false),
      sessions: 'unauthorized',
      accepts: CREDENTIAL,
    });
    try {
      const pinned = await pinnedTarget('127.47.2.1', device);
      expect(await client.verifyCredential(pinned, CREDENTIAL)).toMatchObject({ result: 'ok', protocol: 'redfish' });
      expect(device.requests.filter((r) => r.method === 'POST')).toEqual([]);
      expect(device.requests.some((r) => r.method === 'GET' && r.path === '/redfish/v1/Systems' && r.headers.authorization)).toBe(true);
      // The wrong password is still told apart: refused by the request that needs it.
      expect(await client.verifyCredential(pinned, { ...CREDENTIAL, password: 'wrong' })).toMatchObject({ result: 'rejected' });
    } finally {
      await device.stop();
    }
  });

  it('a session answered with 204 and X-Auth-Token is a session: used, then deleted', async () => {
    const device = await ForeignDevice.start({
      kind: 'redfish',
      address: '127.47.2.2',
      port: 0,
      certDir: CERT_DIR,
      root: dellRoot(true),
      sessions: 'no-content',
      accepts: CREDENTIAL,
    });
    try {
      const target = await pinnedTarget('127.47.2.2', device);
      expect(await client.verifyCredential(target, CREDENTIAL)).toMatchObject({ result: 'ok', protocol: 'redfish' });
      const posts = device.requests.filter((r) => r.method === 'POST');
      expect(posts.map((r) => r.path)).toEqual(['/redfish/v1/SessionService/Sessions']);
      expect(device.requests.some((r) => r.method === 'DELETE' && r.headers['x-auth-token'] === 'foreign-session-token')).toBe(true);
      expect(device.requests.filter((r) => r.headers.authorization)).toEqual([]);
    } finally {
      await device.stop();
    }
  });

  it('a real iDRAC9 still logs in with a session', async () => {
    expect(await client.verifyCredential(targetOf(idrac9), credentialOf(idrac9))).toMatchObject({ result: 'ok', protocol: 'redfish' });
  });
});
