import { describe, expect, it } from 'vitest';
import {
  expressServiceCodeFor,
  platformGuidFor,
  serviceTagFor,
  smbiosGuidFor,
  systemUuidFor,
} from '../../infra/local/simulators/identity/dell-ids';
import { deriveIdentity } from '../../infra/local/simulators/identity/identity';
import { coveringCidr, nthAddress } from '../../infra/local/simulators/net/ipv4';

describe('Dell identifiers', () => {
  // Values of the real R750 capture (service tag F54P1G3): the simulator must derive them the same way.
  it('derives the capture’s UUIDs and express service code from its service tag', () => {
    expect(systemUuidFor('F54P1G3')).toBe('4c4c4544-0035-3410-8050-c6c04f314733');
    expect(platformGuidFor('F54P1G3')).toBe('3347314f-c0c6-5080-3410-00354c4c4544');
    expect(smbiosGuidFor('F54P1G3')).toBe('44454c4c-3500-1034-8050-c6c04f314733');
    expect(expressServiceCodeFor('F54P1G3')).toBe('32961952659');
  });

  it('generates 7-character tags, stable per label and distinct across labels', () => {
    const tags = Array.from({ length: 500 }, (_, i) => serviceTagFor(`eio:${i}`));
    expect(new Set(tags).size).toBe(500);
    for (const tag of tags) expect(tag).toMatch(/^[0-9B-DF-HJ-NP-TV-Z]{7}$/);
    expect(serviceTagFor('eio:7')).toBe(tags[7]);
  });
});

describe('endpoint identity', () => {
  it('is deterministic for a seed and index, and differs across indexes and seeds', () => {
    const a = deriveIdentity(3, { address: '127.9.1.1' });
    const b = deriveIdentity(3, { address: '127.9.1.1' });
    const c = deriveIdentity(4, { address: '127.9.1.2' });
    const d = deriveIdentity(3, { address: '127.9.1.1', seed: 'other' });
    expect(b).toEqual(a);
    expect(c.serviceTag).not.toBe(a.serviceTag);
    expect(d.serviceTag).not.toBe(a.serviceTag);
    const macs = [a, c, d].flatMap((i) => [i.idracMac.toUpperCase(), ...i.nics.map((n) => n.mac)]);
    expect(new Set(macs).size).toBe(macs.length);
  });

  it('uses locally administered MACs and the capture’s NIC layout', () => {
    const id = deriveIdentity(0, { address: '127.9.1.1' });
    expect(id.nics.map((n) => n.id)).toEqual([
      'NIC.Embedded.1-1-1',
      'NIC.Integrated.1-2-1',
      'NIC.Integrated.1-1-1',
      'NIC.Embedded.2-1-1',
      'NIC.Slot.5-1',
    ]);
    for (const mac of [id.idracMac, ...id.nics.map((n) => n.mac)]) {
      expect(Number.parseInt(mac.slice(0, 2), 16) & 0b11).toBe(0b10); // locally administered, unicast
    }
    expect(id.systemUuid).toBe(systemUuidFor(id.serviceTag));
  });

  it('gives idrac8/idrac7 their own models and firmware', () => {
    expect(deriveIdentity(0, { address: '127.9.1.1', generation: 'idrac8' }).profile.systemGeneration).toBe('13G Monolithic');
    const idrac7 = deriveIdentity(0, { address: '127.9.1.1', generation: 'idrac7' });
    expect(idrac7.firmware.find((c) => c.fqdd === 'iDRAC.Embedded.1-1')?.version).toBe(idrac7.profile.idracFirmware);
  });
});

describe('loopback layout', () => {
  it('skips .0 and .255 and finds the covering CIDR', () => {
    expect(nthAddress('127.20.0.1', 0)).toBe('127.20.0.1');
    expect(nthAddress('127.20.0.1', 254)).toBe('127.20.1.1');
    const addresses = Array.from({ length: 1000 }, (_, i) => nthAddress('127.20.0.1', i));
    expect(new Set(addresses).size).toBe(1000);
    expect(coveringCidr(addresses)).toBe('127.20.0.0/22');
  });
});
