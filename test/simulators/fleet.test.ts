import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointInfo, SimulatorFleet } from '../../infra/local/simulators';
import { agentFor, basic, call, origin, startFleet } from './helpers';

let fleet: SimulatorFleet;
let infos: EndpointInfo[];

beforeAll(async () => {
  fleet = await startFleet({
    count: 20,
    baseAddress: '127.37.0.250',
    generation: (i) => (i % 4 === 3 ? 'idrac8' : 'idrac9'),
    credentials: (i) => ({ username: 'root', password: `pw-${i}` }),
  });
  infos = fleet.info();
});
afterAll(() => fleet.stop());

describe('a fleet of 20 endpoints on loopback', () => {
  it('gives each endpoint its own address, identity, certificate and credentials', () => {
    expect(new Set(infos.map((i) => i.address)).size).toBe(20);
    for (const i of infos) expect(i.address).toMatch(/^127\.37\.[01]\.\d+$/);
    expect(infos.map((i) => i.address)).not.toContain('127.37.0.255');
    expect(new Set(infos.map((i) => i.serviceTag)).size).toBe(20);
    expect(new Set(infos.map((i) => i.systemUuid)).size).toBe(20);
    expect(new Set(infos.map((i) => i.certificate.thumbprint)).size).toBe(20);
    for (const i of infos) expect(i.certificate.thumbprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(infos.filter((i) => i.wsman).map((i) => i.index)).toEqual([3, 7, 11, 15, 19]);
    expect(fleet.cidr()).toBe('127.37.0.0/23');
  });

  it('every endpoint answers over pinned TLS with its own service tag', async () => {
    const tags = await Promise.all(
      infos.map(async (i) => (await call(agentFor(i), origin(i), '/redfish/v1/Systems/System.Embedded.1', { auth: basic(i) })).json.SKU),
    );
    expect(tags).toEqual(infos.map((i) => i.serviceTag));
  });

  it('a client pinned to one endpoint cannot talk to another', async () => {
    const [a, b] = infos as [EndpointInfo, EndpointInfo];
    const wrongPin = call(agentFor(a), origin(b), '/redfish/v1', {});
    await expect(wrongPin).rejects.toThrow();
  });
});

describe('fleet layouts', () => {
  it('can share one address and tell endpoints apart by port', async () => {
    const shared = await startFleet({ count: 3, baseAddress: '127.38.0.1', sameAddress: true });
    try {
      const i = shared.info();
      expect(new Set(i.map((e) => e.address))).toEqual(new Set(['127.38.0.1']));
      expect(new Set(i.map((e) => e.ports.https)).size).toBe(3);
      const tags = await Promise.all(i.map(async (e) => (await call(agentFor(e), origin(e), '/redfish/v1', {})).json.Oem.Dell.ServiceTag));
      expect(tags).toEqual(i.map((e) => e.serviceTag));
    } finally {
      await shared.stop();
    }
  });

  it('can put every endpoint on the same fixed ports (a site sweep’s view) and restarts with the same identities', async () => {
    const options = { count: 3, baseAddress: '127.38.1.1', ports: { https: 44443, wsman: 45986 }, generation: 'idrac8' as const };
    const first = await startFleet(options);
    const before = first.info();
    await first.stop();
    const second = await startFleet(options);
    try {
      const after = second.info();
      for (const i of after) expect(i.ports).toEqual({ https: 44443, wsman: 45986 });
      expect(after.map((i) => i.serviceTag)).toEqual(before.map((i) => i.serviceTag));
      // Certificates come from the cache directory: same thumbprints, so pins survive a restart.
      expect(after.map((i) => i.certificate.thumbprint)).toEqual(before.map((i) => i.certificate.thumbprint));
    } finally {
      await second.stop();
    }
  });
});
