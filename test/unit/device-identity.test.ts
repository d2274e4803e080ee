import { describe, expect, it } from 'vitest';
import { readServiceRoot } from '../../shared/adapters/idrac/redfish/service-root';
import { classifyDevice, generationAfterLogin, generationBeforeLogin, type RedfishRootFacts } from '../../shared/domain/device-identity';
import { serviceRootFixture } from '../support/foreign-devices';

const root = (facts: Partial<RedfishRootFacts>) => ({
  redfish: { kind: 'root' as const, root: { redfish_version: '1.8.0', oem: [], sessions: true, ...facts } },
  tls: true,
});
const FUJITSU = { vendor: 'Fujitsu Technology Solutions', version: '1.0' };

describe('classifyDevice: what answers, from what it says before any login', () => {
  it('a Dell root (Vendor, Oem.Dell or the iDRAC product name) is an iDRAC, with its service tag and MAC', () => {
    expect(
      classifyDevice(root({ vendor: 'Dell', oem: ['Dell'], dell: { service_tag: 'F54P1G3', manager_mac: 'B0:7B:25:D6:51:82' } })),
    ).toMatchObject({
      kind: 'idrac',
      vendor: 'Dell',
      service_tag: 'F54P1G3',
      manager_mac: 'b0:7b:25:d6:51:82',
    });
    expect(classifyDevice(root({ oem: ['Dell'] })).kind).toBe('idrac');
    expect(classifyDevice(root({ product: 'Integrated Dell Remote Access Controller' })).kind).toBe('idrac');
  });

  it('other vendors are named from Vendor, else from their Oem key; a Redfish version alone never makes an iDRAC', () => {
    expect(classifyDevice(root({ vendor: 'Lenovo', product: 'ThinkSystem SR650' }))).toMatchObject({
      kind: 'other_vendor_bmc',
      vendor: 'Lenovo',
      summary: 'Lenovo Redfish service (ThinkSystem SR650), Redfish 1.8.0',
    });
    expect(classifyDevice(root({ oem: ['Hpe'] }))).toMatchObject({ kind: 'other_vendor_bmc', vendor: 'HPE' });
    expect(generationBeforeLogin(classifyDevice(root({ vendor: 'Lenovo' })))).toEqual({ generation: 'unknown', basis: 'none' });
  });

  it('a root naming no vendor is a Redfish service without a vendor, unless WS-Man says iDRAC (old iDRAC8 firmware)', () => {
    expect(classifyDevice(root({ uuid: 'abc' }))).toMatchObject({ kind: 'redfish_without_vendor', uuid: 'abc' });
    expect(classifyDevice({ ...root({ redfish_version: '1.0.2' }), wsman: FUJITSU })).toMatchObject({
      kind: 'idrac',
      redfish_version: '1.0.2',
    });
  });

  it("WS-Man only: the iDRAC7/8 stack is an iDRAC, another vendor's WS-Man is not", () => {
    expect(classifyDevice({ wsman: FUJITSU, tls: true })).toMatchObject({ kind: 'idrac' });
    expect(classifyDevice({ wsman: { vendor: 'Microsoft Corporation', version: 'OS: 10.0.17763' }, tls: true })).toMatchObject({
      kind: 'other_vendor_bmc',
      vendor: 'Microsoft Corporation',
    });
  });

  it('HTTPS that is not Redfish, a root behind a login, TLS without anything readable, nothing', () => {
    expect(classifyDevice({ redfish: { kind: 'not_redfish', what: 'HTTP 404 on /redfish/v1/' }, tls: true })).toMatchObject({
      kind: 'https_not_redfish',
      summary: 'HTTPS server that is not Redfish (HTTP 404 on /redfish/v1/)',
    });
    expect(classifyDevice({ redfish: { kind: 'auth_required' }, tls: true }).kind).toBe('redfish_without_vendor');
    expect(classifyDevice({ tls: true }).kind).toBe('unidentified');
    expect(classifyDevice({ tls: false }).kind).toBe('nothing');
  });

  it.each([
    ['hpe-ilo5', 'other_vendor_bmc', 'HPE'],
    ['lenovo-xcc', 'other_vendor_bmc', 'Lenovo'],
    ['supermicro', 'other_vendor_bmc', 'Supermicro'],
    ['dmtf-mockup', 'redfish_without_vendor', undefined],
    ['basic-auth-emulator', 'redfish_without_vendor', undefined],
  ])('the %s service root is %s', (name, kind, vendor) => {
    const device = classifyDevice({ redfish: { kind: 'root', root: readServiceRoot(serviceRootFixture(name)).facts }, tls: true });
    expect(device.kind).toBe(kind);
    expect(device.vendor).toBe(vendor);
    expect(device.uuid).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('generation from evidence', () => {
  it('before login, for an iDRAC: the Redfish version, else WS-Man alone', () => {
    expect(generationBeforeLogin(classifyDevice(root({ vendor: 'Dell', redfish_version: '1.13.1' })))).toEqual({
      generation: 'idrac9',
      basis: 'redfish_version',
    });
    expect(generationBeforeLogin(classifyDevice(root({ vendor: 'Dell', redfish_version: '1.4.0' })))).toEqual({
      generation: 'idrac8',
      basis: 'redfish_version',
    });
    expect(generationBeforeLogin(classifyDevice({ wsman: FUJITSU, tls: true }))).toEqual({ generation: 'idrac7', basis: 'protocols' });
  });

  it("after login: the manager model's server generation, else the firmware version", () => {
    expect(
      ['12G Monolithic', '13G Modular', '14G', '15G Monolithic', '16G', '17G', ''].map((m) => generationAfterLogin(m, '').generation),
    ).toEqual(['idrac7', 'idrac8', 'idrac9', 'idrac9', 'idrac9', 'unknown', 'unknown']);
    expect(generationAfterLogin(undefined, '6.00.30.00')).toEqual({ generation: 'idrac9', basis: 'firmware_version' });
    expect(generationAfterLogin(undefined, '2.83.83.83')).toEqual({ generation: 'unknown', basis: 'none' });
  });
});
