import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointInfo, SimulatorFleet } from '../../infra/local/simulators';
import { agentFor, basic, call, origin, startFleet } from './helpers';

/**
 * Optional tier: when the real R750 capture sits beside the checkout (CI has it), compare the simulator's
 * resources with it key by key. The project never reads it at run time; this only checks fidelity.
 */
const CAPTURE = fileURLToPath(new URL('../../../shared/fixtures/redfish/dell-poweredge-r750-idrac9.tar.gz', import.meta.url));

function readCapture(): Map<string, Record<string, unknown>> {
  const tar = gunzipSync(readFileSync(CAPTURE));
  const files = new Map<string, Record<string, unknown>>();
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, length: number) =>
      header
        .subarray(start, start + length)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const name = `${field(345, 155) ? `${field(345, 155)}/` : ''}${field(0, 100)}`;
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    const match = /(?:^|\/)(redfish\/v1.*?)\/?index\.json$/.exec(name);
    if (match && header[156] !== 0x35) {
      files.set(`/${match[1]!.replace(/\/$/, '')}`, JSON.parse(tar.subarray(offset + 512, offset + 512 + size).toString('utf8')));
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

// Properties the simulator leaves out on purpose (trimmed: not needed by EIO, or lists of hardware it does not model).
const TRIMMED: Record<string, string[]> = {
  '/redfish/v1/Systems/System.Embedded.1': ['PCIeDevices', 'PCIeDevices@odata.count', 'PCIeFunctions', 'PCIeFunctions@odata.count'],
  '/redfish/v1/Managers/iDRAC.Embedded.1': ['Redundancy', 'Redundancy@odata.count', 'VirtualMedia@Redfish.Deprecated'],
  '/redfish/v1/AccountService': ['ActiveDirectory', 'LDAP', 'AdditionalExternalAccountProviders', 'Oem'],
};

const RESOURCES = [
  '/redfish/v1',
  '/redfish/v1/Systems',
  '/redfish/v1/Systems/System.Embedded.1',
  '/redfish/v1/Systems/System.Embedded.1/EthernetInterfaces',
  '/redfish/v1/Systems/System.Embedded.1/EthernetInterfaces/NIC.Integrated.1-1-1',
  '/redfish/v1/Managers',
  '/redfish/v1/Managers/iDRAC.Embedded.1',
  '/redfish/v1/Managers/iDRAC.Embedded.1/EthernetInterfaces/NIC.1',
  '/redfish/v1/Managers/iDRAC.Embedded.1/Oem/Dell/Jobs',
  '/redfish/v1/Managers/iDRAC.Embedded.1/Oem/Dell/DellJobService',
  '/redfish/v1/UpdateService',
  '/redfish/v1/UpdateService/FirmwareInventory',
  '/redfish/v1/UpdateService/FirmwareInventory/Installed-25227-6.00.30.00__iDRAC.Embedded.1-1',
  '/redfish/v1/JobService',
  '/redfish/v1/TaskService',
  '/redfish/v1/SessionService',
  '/redfish/v1/AccountService',
  '/redfish/v1/AccountService/Accounts',
  '/redfish/v1/AccountService/Accounts/2',
];

describe.skipIf(!existsSync(CAPTURE))('simulator against the real R750 capture', () => {
  let capture: Map<string, Record<string, unknown>>;
  let fleet: SimulatorFleet;
  let info: EndpointInfo;

  beforeAll(async () => {
    capture = readCapture();
    fleet = await startFleet({ count: 1, baseAddress: '127.39.0.1' });
    info = fleet.endpoint(0).info();
  });
  afterAll(() => fleet?.stop());

  it('reads the whole capture', () => {
    expect(capture.size).toBeGreaterThan(2_000);
  });

  it.each(RESOURCES)('%s has the capture’s type and every property it keeps', async (path) => {
    const real = capture.get(path);
    expect(real, `capture has ${path}`).toBeDefined();
    const simulated = (await call(agentFor(info), origin(info), path, { auth: basic(info) })).json;
    expect(simulated['@odata.type']).toBe(real!['@odata.type']);
    expect(simulated['@odata.id']).toBe(real!['@odata.id']);
    const expected = Object.keys(real!).filter((k) => !(TRIMMED[path] ?? []).includes(k));
    expect(Object.keys(simulated).sort()).toEqual(expect.arrayContaining(expected.sort()));
    for (const [key, value] of Object.entries(real!)) {
      if (typeof value !== 'object' || value === null) {
        if (value !== null && simulated[key] !== null && simulated[key] !== undefined)
          expect(typeof simulated[key], `${path} ${key}`).toBe(typeof value);
      }
    }
  });

  it('keeps the capture’s values where they are not per-server identity', async () => {
    const real = capture.get('/redfish/v1/Systems/System.Embedded.1')!;
    const system = (await call(agentFor(info), origin(info), '/redfish/v1/Systems/System.Embedded.1', { auth: basic(info) })).json;
    for (const key of [
      'Actions',
      'Boot',
      'MemorySummary',
      'ProcessorSummary',
      'TrustedModules',
      'Manufacturer',
      'Model',
      'BiosVersion',
      'PowerState',
    ]) {
      expect(system[key], key).toEqual(real[key]);
    }
    expect(system.SKU).not.toBe(real.SKU); // identity is generated, never copied
    const realRoot = capture.get('/redfish/v1')!;
    const root = (await call(agentFor(info), origin(info), '/redfish/v1', {})).json;
    expect(root.RedfishVersion).toBe(realRoot.RedfishVersion);
    expect(root.ProtocolFeaturesSupported).toEqual(realRoot.ProtocolFeaturesSupported);
  });
});
