import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedEndpoint, SimulatorFleet } from '../../infra/local/simulators';
import type { IdracClient } from '../../shared/adapters/idrac/idrac-client';
import type { IdracInventory } from '../../shared/domain/idrac';
import { credentialOf, startFleet, targetOf, testClient } from './helpers';

let fleet: SimulatorFleet;
let client: IdracClient;
const GENERATIONS = ['idrac9', 'idrac8', 'idrac7'] as const;

beforeAll(async () => {
  fleet = await startFleet({ count: 3, baseAddress: '127.42.0.1', generation: (i) => GENERATIONS[i] ?? 'idrac9' });
  client = testClient();
});
afterAll(async () => {
  await client?.dispose();
  await fleet?.stop();
});

const lower = (s: string) => s.toLowerCase();

/** Everything inventory reports must equal the simulated server's own identity and state. */
function expectMatchesSimulator(inventory: IdracInventory, endpoint: SimulatedEndpoint): void {
  const info = endpoint.info();
  const identity = endpoint.identity;
  expect(inventory).toMatchObject({
    generation: info.generation,
    model: info.model,
    service_tag: info.serviceTag,
    system_uuid: info.systemUuid,
    bios_version: endpoint.host.biosVersion,
    power_state: endpoint.power,
    health_rollup: 'OK',
    idrac_firmware: info.idracFirmware,
    manager_model: identity.profile.systemGeneration,
    idrac_nic: { mac: lower(identity.idracMac), ipv4: info.address },
  });
  // Every host NIC by FQDD and MAC, in the form IPAM correlates on.
  const nics = Object.fromEntries(inventory.nics.map((n) => [n.fqdd, n.mac]));
  expect(nics).toEqual(Object.fromEntries(identity.nics.map((n) => [n.id, lower(n.mac)])));
  // Installed firmware per device equals what the simulated iDRAC runs.
  const firmware = Object.fromEntries(inventory.firmware.map((f) => [f.fqdd, f.version]));
  expect(firmware).toEqual(Object.fromEntries(endpoint.firmware().map((f) => [f.fqdd, f.version])));
  expect(inventory.firmware.every((f) => f.name && f.id)).toBe(true);
}

describe('inventory', () => {
  it('iDRAC9 over Redfish (with $expand): identity, NICs with the host IPv4, firmware', async () => {
    const endpoint = fleet.endpoint(0);
    const inventory = await client.inventory(targetOf(endpoint.info()), credentialOf(endpoint.info()));
    expect(inventory.protocol).toBe('redfish');
    expectMatchesSimulator(inventory, endpoint);
    const primary = inventory.nics.find((n) => n.fqdd === 'NIC.Integrated.1-1-1');
    expect(primary?.ipv4).toEqual([endpoint.identity.nics.find((n) => n.id === 'NIC.Integrated.1-1-1')!.ipv4[0]!.Address]);
  });

  it('collections are read with $expand where the service root advertises it, member by member elsewhere', async () => {
    // Member GETs fail on both; only the service that expands never needs them.
    const memberGets = {
      kind: 'http-error',
      status: 500,
      match: /FirmwareInventory\/Installed-|EthernetInterfaces\/NIC\.(Embedded|Integrated|Slot)/,
    } as const;
    const [idrac9, idrac8] = [fleet.endpoint(0), fleet.endpoint(1)];
    await Promise.all([idrac9.setFault(memberGets), idrac8.setFault(memberGets)]);
    try {
      const expanded = await client.inventory(targetOf(idrac9.info()), credentialOf(idrac9.info()));
      expect(expanded.firmware.length).toBe(idrac9.firmware().length);
      await expect(client.inventory(targetOf(idrac8.info()), credentialOf(idrac8.info()))).rejects.toMatchObject({ code: 'http_error' });
    } finally {
      await Promise.all([idrac9.clearFaults(), idrac8.clearFaults()]);
    }
  });

  it('iDRAC8 over its older Redfish (no $expand: one GET per member)', async () => {
    const endpoint = fleet.endpoint(1);
    const inventory = await client.inventory(targetOf(endpoint.info()), credentialOf(endpoint.info()));
    expect(inventory.protocol).toBe('redfish');
    expectMatchesSimulator(inventory, endpoint);
  });

  it('iDRAC7 over WS-Man (no Redfish): the same facts from the DCIM views', async () => {
    const endpoint = fleet.endpoint(2);
    const inventory = await client.inventory(targetOf(endpoint.info()), credentialOf(endpoint.info()));
    expect(inventory.protocol).toBe('wsman');
    expectMatchesSimulator(inventory, endpoint);
    // DCIM_NICView has no addresses; the iDRAC's own is the one it was reached on.
    expect(inventory.nics.every((n) => n.ipv4.length === 0)).toBe(true);
  });

  it("the firmware inventory alone equals the full inventory's firmware, over Redfish (both kinds) and WS-Man", async () => {
    for (const endpoint of [fleet.endpoint(0), fleet.endpoint(1), fleet.endpoint(2)]) {
      const [target, credential] = [targetOf(endpoint.info()), credentialOf(endpoint.info())];
      const firmware = await client.firmwareInventory(target, credential);
      expect(firmware).toEqual((await client.inventory(target, credential)).firmware);
      expect(Object.fromEntries(firmware.map((f) => [f.fqdd, f.version]))).toEqual(
        Object.fromEntries(endpoint.firmware().map((f) => [f.fqdd, f.version])),
      );
    }
  });

  it('WS-Man pages: a page size of 1 pulls item by item and reads exactly the same', async () => {
    const endpoint = fleet.endpoint(2);
    const small = testClient({ wsmanPageSize: 1 });
    try {
      const paged = await small.inventory(targetOf(endpoint.info()), credentialOf(endpoint.info()));
      const whole = await client.inventory(targetOf(endpoint.info()), credentialOf(endpoint.info()));
      expect(paged).toEqual(whole);
      expect(paged.firmware.length).toBe(endpoint.firmware().length);
    } finally {
      await small.dispose();
    }
  });

  it('a Redfish inventory logs out its session, even when a read fails midway', async () => {
    for (const endpoint of [fleet.endpoint(0), fleet.endpoint(1)]) {
      await client.inventory(targetOf(endpoint.info()), credentialOf(endpoint.info()));
      expect(endpoint.host.sessions.list()).toHaveLength(0);
      await endpoint.setFault({ kind: 'http-error', status: 404, match: /NIC\.1$/ });
      await expect(client.inventory(targetOf(endpoint.info()), credentialOf(endpoint.info()))).rejects.toThrow();
      await endpoint.clearFaults();
      expect(endpoint.host.sessions.list()).toHaveLength(0);
    }
  });

  it('state changes show on the next read, over both protocols', async () => {
    for (const endpoint of [fleet.endpoint(0), fleet.endpoint(2)]) {
      endpoint.setPower('Off');
      endpoint.setHealth('Critical');
      const inventory = await client.inventory(targetOf(endpoint.info()), credentialOf(endpoint.info()));
      expect(inventory.power_state).toBe('Off');
      expect(inventory.health_rollup).toBe('Critical');
      endpoint.setPower('On');
      endpoint.setHealth('OK');
    }
  });

  it('Redfish falls back to WS-Man when its port has no listener', async () => {
    const endpoint = fleet.endpoint(1);
    await endpoint.setFault({ kind: 'closed' }, 'https');
    try {
      const inventory = await client.inventory(targetOf(endpoint.info()), credentialOf(endpoint.info()));
      expect(inventory.protocol).toBe('wsman');
      expect(inventory.service_tag).toBe(endpoint.info().serviceTag);
    } finally {
      await endpoint.clearFaults();
    }
  });

  it('an inventory right after a probe uses the service root the probe read; a later one reads it again', async () => {
    const endpoint = fleet.endpoint(0);
    const target = targetOf(endpoint.info());
    const credential = credentialOf(endpoint.info());
    const requests = () => endpoint.stats().requests;
    // Alone: the root, a session, five reads, the logout.
    let before = requests();
    await client.inventory(target, credential);
    const alone = requests() - before;
    expect(alone).toBe(8);
    await client.probe(target);
    before = requests();
    expectMatchesSimulator(await client.inventory(target, credential), endpoint);
    expect(requests() - before).toBe(alone - 1);
    // The probe's root served one call only.
    before = requests();
    await client.inventory(target, credential);
    expect(requests() - before).toBe(alone);
  });
});
