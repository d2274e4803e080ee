import { describe, expect, it } from 'vitest';
import { rewriteAnswer, type ServerOf } from '../../infra/local/demo-vcenter-front';

const systemInfo = (uuid: string) =>
  `<val xsi:type="HostSystemInfo"><vendor>VMware, Inc.</vendor><uuid>${uuid}</uuid>` +
  '<otherIdentifyingInfo><identifierValue> No Asset Tag</identifierValue><identifierType><label>Asset Tag</label>' +
  '<summary>Asset tag of the system</summary><key>AssetTag</key></identifierType></otherIdentifyingInfo>' +
  '<otherIdentifyingInfo><identifierValue>VMware-56 4d 8d e8</identifierValue><identifierType><label>Service tag</label>' +
  '<summary>Service tag of the system</summary><key>ServiceTag</key></identifierType></otherIdentifyingInfo></val>';

const hostObject = (id: string, name: string | undefined, state = 'connected') =>
  `<objects><obj type="HostSystem">${id}</obj>` +
  (name ? `<propSet><name>name</name><val xsi:type="xsd:string">${name}</val></propSet>` : '') +
  `<propSet><name>hardware.systemInfo</name>${systemInfo('u-1')}</propSet>` +
  `<propSet><name>runtime.connectionState</name><val xsi:type="HostSystemConnectionState">${state}</val></propSet></objects>`;

const servers: Record<string, { serviceTag: string; on: boolean }> = {
  DC0_C0_H0: { serviceTag: 'ABC1234', on: true },
  DC0_C0_H1: { serviceTag: 'XYZ9876', on: false },
};
const serverOf: ServerOf = (name) => servers[name];

describe('the demo vCenter front', () => {
  it('gives each host its iDRAC’s service tag and leaves the other identifiers alone', () => {
    const out = rewriteAnswer(`<returnval>${hostObject('host-21', 'DC0_C0_H0')}</returnval>`, new Map(), serverOf);
    expect(out).toContain('<identifierValue>ABC1234</identifierValue>');
    expect(out).toContain('<identifierValue> No Asset Tag</identifierValue>');
    expect(out).not.toContain('VMware-56');
    expect(out).toContain('>connected</val>');
  });

  it('a host whose server is not on reads notResponding, in answers that name it later too', () => {
    const names = new Map<string, string>();
    rewriteAnswer(hostObject('host-30', 'DC0_C0_H1'), names, serverOf);
    const later = rewriteAnswer(
      '<objectSet><kind>modify</kind><obj type="HostSystem">host-30</obj><changeSet><name>runtime.connectionState</name>' +
        '<op>assign</op><val xsi:type="HostSystemConnectionState">connected</val></changeSet></objectSet>',
      names,
      serverOf,
    );
    expect(later).toContain('>notResponding</val>');
  });

  it('hosts without a demo iDRAC and other objects pass unchanged', () => {
    const unknown = hostObject('host-99', 'DC0_H5');
    expect(rewriteAnswer(unknown, new Map(), serverOf)).toBe(unknown);
    const vm = '<objects><obj type="VirtualMachine">vm-1</obj><propSet><name>name</name><val>DC0_C0_H0</val></propSet></objects>';
    expect(rewriteAnswer(vm, new Map(), serverOf)).toBe(vm);
  });
});
