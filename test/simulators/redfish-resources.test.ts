import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EndpointInfo, legacyClientTlsOptions, type SimulatorFleet } from '../../infra/local/simulators';
import { agentFor, basic, call, extendedInfo, origin, pinnedAgent, startFleet } from './helpers';

const SYSTEM = '/redfish/v1/Systems/System.Embedded.1';
const MANAGER = '/redfish/v1/Managers/iDRAC.Embedded.1';

let fleet: SimulatorFleet;
let idrac9: EndpointInfo;
let idrac8: EndpointInfo;
let idrac7: EndpointInfo;
const get = (info: EndpointInfo, path: string) => call(agentFor(info), origin(info), path, { auth: basic(info) });

beforeAll(async () => {
  fleet = await startFleet({ count: 3, baseAddress: '127.31.0.1', generation: (i) => (['idrac9', 'idrac8', 'idrac7'] as const)[i]! });
  [idrac9, idrac8, idrac7] = fleet.info() as [EndpointInfo, EndpointInfo, EndpointInfo];
});
afterAll(() => fleet.stop());

describe('iDRAC9 Redfish resources (shapes of the R750 capture)', () => {
  it('serves the service root without authentication', async () => {
    const res = await call(agentFor(idrac9), origin(idrac9), '/redfish/v1/');
    expect(res.status).toBe(200);
    expect(res.headers['odata-version']).toBe('4.0');
    expect(res.json).toMatchObject({
      '@odata.id': '/redfish/v1',
      '@odata.type': '#ServiceRoot.v1_10_0.ServiceRoot',
      RedfishVersion: '1.13.1',
      Vendor: 'Dell',
      Product: 'Integrated Dell Remote Access Controller',
      Oem: { Dell: { ServiceTag: idrac9.serviceTag } },
      Links: { Sessions: { '@odata.id': '/redfish/v1/SessionService/Sessions' } },
    });
    expect((await call(agentFor(idrac9), origin(idrac9), '/redfish')).json).toEqual({ v1: '/redfish/v1/' });
  });

  it('describes the system: model, service tag, Dell UUID, BIOS, power, health, reset actions', async () => {
    const { status, json } = await get(idrac9, SYSTEM);
    expect(status).toBe(200);
    expect(json).toMatchObject({
      '@odata.type': '#ComputerSystem.v1_16_0.ComputerSystem',
      Id: 'System.Embedded.1',
      Manufacturer: 'Dell Inc.',
      Model: 'PowerEdge R750',
      SKU: idrac9.serviceTag,
      UUID: idrac9.systemUuid,
      BiosVersion: '1.8.2',
      PowerState: 'On',
      Status: { Health: 'OK', HealthRollup: 'OK', State: 'Enabled' },
      Oem: { Dell: { DellSystem: { ChassisServiceTag: idrac9.serviceTag, SystemGeneration: '15G Monolithic', UUID: idrac9.systemUuid } } },
    });
    expect(json.UUID).toMatch(/^4c4c4544-00/);
    expect(json.Actions['#ComputerSystem.Reset']).toEqual({
      target: `${SYSTEM}/Actions/ComputerSystem.Reset`,
      'ResetType@Redfish.AllowableValues': [
        'On',
        'ForceOff',
        'ForceRestart',
        'GracefulRestart',
        'GracefulShutdown',
        'PushPowerButton',
        'Nmi',
        'PowerCycle',
      ],
    });
  });

  it('lists host NICs by FQDD with distinct MACs, and expands them on request', async () => {
    const list = await get(idrac9, `${SYSTEM}/EthernetInterfaces`);
    const ids = list.json.Members.map((m: { '@odata.id': string }) => m['@odata.id'].split('/').pop());
    expect(ids).toEqual(['NIC.Embedded.1-1-1', 'NIC.Integrated.1-2-1', 'NIC.Integrated.1-1-1', 'NIC.Embedded.2-1-1', 'NIC.Slot.5-1']);
    expect(list.json['Members@odata.count']).toBe(5);
    const expanded = await get(idrac9, `${SYSTEM}/EthernetInterfaces?$expand=*($levels=1)`);
    const nics = expanded.json.Members;
    expect(nics.map((n: { Id: string }) => n.Id)).toEqual(ids);
    const macs = nics.map((n: { MACAddress: string }) => n.MACAddress);
    expect(new Set(macs).size).toBe(5);
    for (const mac of macs) expect(mac).toMatch(/^([0-9A-F]{2}:){5}[0-9A-F]{2}$/);
    const cabled = nics.find((n: { Id: string }) => n.Id === 'NIC.Integrated.1-1-1');
    expect(cabled).toMatchObject({ LinkStatus: 'LinkUp', IPv4Addresses: [{ AddressOrigin: 'Static' }] });
    expect(nics.find((n: { Id: string }) => n.Id === 'NIC.Slot.5-1').UefiDevicePath).toContain(macs[4].replace(/:/g, ''));
  });

  it('describes the iDRAC and its own NIC', async () => {
    const manager = await get(idrac9, MANAGER);
    expect(manager.json).toMatchObject({ Model: '15G Monolithic', FirmwareVersion: '6.00.30.00', ManagerType: 'BMC' });
    expect(manager.json.Links.Oem.Dell.Jobs['@odata.id']).toBe(`${MANAGER}/Oem/Dell/Jobs`);
    expect(manager.json.Links.ActiveSoftwareImage['@odata.id']).toContain('Installed-25227-6.00.30.00__iDRAC.Embedded.1-1');
    const nic = await get(idrac9, `${MANAGER}/EthernetInterfaces/NIC.1`);
    expect(nic.json).toMatchObject({ Id: 'NIC.1', HostName: `idrac-${idrac9.serviceTag}`, IPv4Addresses: [{ Address: idrac9.address }] });
    const root = await get(idrac9, '/redfish/v1');
    expect(nic.json.MACAddress).toBe(root.json.Oem.Dell.ManagerMACAddress);
  });

  it('exposes the update service and a firmware inventory with Installed/Current/Previous ids', async () => {
    const service = await get(idrac9, '/redfish/v1/UpdateService');
    expect(service.json.Actions['#UpdateService.SimpleUpdate'].target).toBe('/redfish/v1/UpdateService/Actions/UpdateService.SimpleUpdate');
    expect(service.json.Actions.Oem['DellUpdateService.v1_1_0#DellUpdateService.Install'].target).toBe(
      '/redfish/v1/UpdateService/Actions/Oem/DellUpdateService.Install',
    );
    const inventory = await get(idrac9, '/redfish/v1/UpdateService/FirmwareInventory');
    const ids: string[] = inventory.json.Members.map((m: { '@odata.id': string }) => m['@odata.id'].split('/').pop());
    expect(inventory.headers.etag).toBeTruthy();
    expect(ids).toContain('Installed-25227-6.00.30.00__iDRAC.Embedded.1-1');
    expect(ids).toContain('Previous-25227-4.40.29.00__iDRAC.Embedded.1-1');
    expect(ids).toContain('Current-159-1.8.2__BIOS.Setup.1-1');
    for (const id of ids) expect(id).toMatch(/^(Installed|Current|Previous)-\d+-[^_]+__\S+$/);
    const idrac = await get(
      idrac9,
      `/redfish/v1/UpdateService/FirmwareInventory/${encodeURIComponent(ids.find((i) => i.startsWith('Installed-28897'))!)}`,
    );
    expect(idrac.json).toMatchObject({ Name: 'Lifecycle Controller', SoftwareId: '28897', Version: '6.00.30.00', Updateable: true });
  });

  it('applies $select and reports unknown paths and methods the iDRAC way', async () => {
    const selected = await get(idrac9, `${MANAGER}?$select=FirmwareVersion`);
    expect(Object.keys(selected.json).filter((k) => !k.startsWith('@odata'))).toEqual(['FirmwareVersion']);
    const missing = await get(idrac9, '/redfish/v1/NoSuchThing');
    expect(missing.status).toBe(404);
    expect(extendedInfo(missing.json).MessageId).toBe('IDRAC.2.7.SYS403');
    const wrongMethod = await call(agentFor(idrac9), origin(idrac9), SYSTEM, { method: 'DELETE', auth: basic(idrac9) });
    expect(wrongMethod.status).toBe(405);
  });
});

describe('older generations', () => {
  it('iDRAC8 serves an older Redfish: other version and model, job queue only at the older path', async () => {
    const root = await call(agentFor(idrac8), origin(idrac8), '/redfish/v1');
    expect(root.json.RedfishVersion).toBe('1.4.0');
    expect(root.json.JobService).toBeUndefined();
    expect((await get(idrac8, MANAGER)).json).toMatchObject({ Model: '13G Monolithic', FirmwareVersion: '2.83.83.83' });
    expect((await get(idrac8, SYSTEM)).json.Model).toBe('PowerEdge R630');
    expect((await get(idrac8, `${MANAGER}/Oem/Dell/Jobs`)).status).toBe(404);
    expect((await get(idrac8, `${MANAGER}/Jobs`)).status).toBe(200);
  });

  it("iDRAC7 without Redfish answers /redfish with the web server's plain 404", async () => {
    const legacy = pinnedAgent(idrac7.certificate.pem, idrac7.certificate.thumbprint, { ...legacyClientTlsOptions });
    const res = await call(legacy, origin(idrac7), '/redfish/v1', { auth: basic(idrac7) });
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toContain('text/html');
    expect(idrac7.urls.redfish).toBeUndefined();
    expect(idrac7.urls.wsman).toBeDefined();
  });
});
