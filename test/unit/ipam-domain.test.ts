import { describe, expect, it } from 'vitest';
import { addressKey, canonicalAddress, inPrefix, isLinkScoped, parsePrefix } from '../../shared/domain/ipam/addresses';
import { correlate } from '../../shared/domain/ipam/correlation';
import { exceptionMatches, type IpException } from '../../shared/domain/ipam/exceptions';
import { acknowledge, type Finding, type IpamSettings, resolve } from '../../shared/domain/ipam/findings';
import { type IpObservation, type StoredObservation, withIdentity } from '../../shared/domain/ipam/observation';
import { sitePlan } from '../../shared/domain/ipam/plan';
import { reconcileAddress, reconcileAll } from '../../shared/domain/ipam/reconcile';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const settings: IpamSettings = { liveMs: 26 * 3_600_000, staleAllocationMs: 30 * 86_400_000 };

function obs(fields: Partial<IpObservation> & Pick<IpObservation, 'source' | 'entity_kind' | 'entity_ref'>): StoredObservation {
  return withIdentity({
    address: '10.45.12.100',
    source_ref: 'test',
    site_id: 'site-001',
    first_seen: at(0),
    last_seen: at(10),
    ...fields,
  });
}

const HOST_UUID = '4c4c4544-0035-3410-8050-c6c04f314733';
const vcenterHost = obs({
  source: 'vcenter',
  entity_kind: 'host',
  entity_ref: 'vc-001/host-34',
  mac: '00:50:56:AA:00:01',
  hardware_ids: { system_uuid: HOST_UUID.toUpperCase(), service_tag: 'VMware-56 4d' },
});
const idracNic = obs({
  source: 'idrac',
  entity_kind: 'nic',
  entity_ref: 'idrac-001/NIC.Integrated.1-1-1',
  mac: 'B0-7B-25-00-00-01',
  hardware_ids: { system_uuid: HOST_UUID, service_tag: '5P4CG03' },
});
const vm = (n: number, extra: Partial<IpObservation> = {}) =>
  obs({
    source: 'vcenter',
    entity_kind: 'vm',
    entity_ref: `vc-001/vm-${n}`,
    mac: `00:50:56:00:00:0${n}`,
    hardware_ids: { instance_uuid: `5021000${n}-0000-0000-0000-000000000000`, vm_uuid: `4221000${n}-0000-0000-0000-000000000000` },
    ...extra,
  });

describe('IPAM addresses', () => {
  it('spells every address one way and orders keys numerically', () => {
    expect(canonicalAddress(' 10.045.12.1 ')).toBeUndefined();
    expect(canonicalAddress('10.45.12.1')).toBe('10.45.12.1');
    expect(canonicalAddress('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(canonicalAddress('2001:db8:0:1:0:0:0:0')).toBe('2001:db8:0:1::');
    expect(canonicalAddress('::ffff:10.0.0.1')).toBe('::ffff:a00:1');
    expect(canonicalAddress('not-an-ip')).toBeUndefined();
    expect(addressKey('10.45.12.9') < addressKey('10.45.12.10')).toBe(true);
    expect(addressKey('2001:db8::1')).toBe(`6:20010db8${'0'.repeat(23)}1`);
  });

  it('parses IPv4 and IPv6 prefixes into key ranges and refuses host bits', () => {
    const v4 = parsePrefix('10.45.12.0/22');
    expect(v4.ok && v4.prefix).toMatchObject({ family: 4, first: '4:0a2d0c00', last: '4:0a2d0fff' });
    expect(parsePrefix('10.45.12.1/22')).toMatchObject({ ok: false });
    const v6 = parsePrefix('2001:DB8::/48');
    if (!v6.ok) throw new Error(v6.reason);
    expect(v6.prefix.cidr).toBe('2001:db8::/48');
    expect(inPrefix(v6.prefix, addressKey('2001:db8:0:ffff::1'))).toBe(true);
    expect(inPrefix(v6.prefix, addressKey('2001:db8:1::1'))).toBe(false);
    expect(isLinkScoped('fe80::1')).toBe(true);
    expect(isLinkScoped('169.254.1.1')).toBe(true);
    expect(isLinkScoped('10.0.0.1')).toBe(false);
  });
});

describe('IPAM correlation', () => {
  it('makes a host seen through vCenter and through its iDRAC one server', () => {
    const { entityIds, entities } = correlate([vcenterHost, idracNic]);
    expect(entities).toBe(1);
    expect(entityIds).toEqual([`server:${HOST_UUID}`, `server:${HOST_UUID}`]);
  });

  it("ties a VM's NICs by instance UUID and an iDRAC's own address to its host NICs by endpoint", () => {
    const idracOwn = obs({ source: 'idrac', entity_kind: 'idrac', entity_ref: 'idrac-001', address: '10.0.0.11' });
    const { entities } = correlate([vm(1), vm(1, { address: '10.45.12.101', mac: '00:50:56:00:00:99' }), idracNic, idracOwn]);
    expect(entities).toBe(2);
  });

  it('ties a device known only by its MAC to the machine with that MAC', () => {
    const dhcp = obs({ source: 'dhcp', entity_kind: 'device', entity_ref: 'lease-1', mac: '00:50:56:00:00:01' });
    const { entityIds } = correlate([vm(1), dhcp]);
    expect(entityIds[1]).toBe(entityIds[0]);
  });

  it('never merges through a weak identifier what strong ones tell apart', () => {
    // Clones sharing a MAC and a BIOS UUID, two vcsim hosts sharing vcsim's one service tag, a VM and a server sharing a MAC.
    const clone = vm(2, {
      mac: '00:50:56:00:00:01',
      hardware_ids: { instance_uuid: '50210009-0000-0000-0000-000000000000', vm_uuid: '42210001-0000-0000-0000-000000000000' },
    });
    expect(correlate([vm(1), clone]).entities).toBe(2);
    const otherHost = obs({
      source: 'vcenter',
      entity_kind: 'host',
      entity_ref: 'vc-001/host-35',
      hardware_ids: { system_uuid: '11111111-2222-3333-4444-555555555555', service_tag: 'VMware-56 4d' },
    });
    expect(correlate([vcenterHost, otherHost]).entities).toBe(2);
    const vmWithHostMac = vm(3, { mac: '00:50:56:AA:00:01' });
    expect(correlate([vcenterHost, vmWithHostMac]).entities).toBe(2);
  });
});

describe('IPAM findings', () => {
  const noPlan = new Map();
  const now = T0 + 20 * 60_000;

  it('raises duplicate_usage for two VMs on one address, and nothing for one server seen twice', () => {
    const [dup] = reconcileAddress({ address: '10.45.12.100', observations: [vm(1), vm(2)], plans: noPlan, findings: [] }, now, settings);
    expect(dup).toMatchObject({ id: 'ipf-duplicate_usage-10.45.12.100', type: 'duplicate_usage', status: 'open', version: 1 });
    expect(dup!.entities.map((e) => e.id)).toEqual(['vm:50210001-0000-0000-0000-000000000000', 'vm:50210002-0000-0000-0000-000000000000']);
    expect(
      reconcileAddress({ address: '10.45.12.100', observations: [vcenterHost, idracNic], plans: noPlan, findings: [] }, now, settings),
    ).toEqual([]);
  });

  it('does not call a reassignment a duplicate: windows that do not overlap', () => {
    const old = vm(1, { first_seen: at(-5000), last_seen: at(-4000) });
    const later = vm(2, { first_seen: at(0), last_seen: at(10) });
    const day = { ...settings, liveMs: 3_600_000 };
    expect(reconcileAddress({ address: '10.45.12.100', observations: [old, later], plans: noPlan, findings: [] }, now, day)).toEqual([]);
  });

  it('judges usage against the site plan: out_of_prefix, unallocated_usage, ranges and allocations', () => {
    const plans = new Map([
      [
        'site-001',
        sitePlan([{ id: 'pfx-a', cidr: '10.45.12.0/24', ranges: [{ start: '10.45.12.200', end: '10.45.12.250', purpose: 'dhcp' }] }]),
      ],
    ]);
    const judge = (address: string, allocation?: boolean) =>
      reconcileAddress(
        {
          address,
          observations: [vm(1, { address })],
          plans,
          findings: [],
          allocation: allocation
            ? { id: address, address, site_id: 'site-001', owner: 'ops', purpose: 'x', created_at: at(0), created_by: 't', version: 1 }
            : undefined,
        },
        now,
        settings,
      ).map((f) => f.type);
    expect(judge('10.45.13.5')).toEqual(['out_of_prefix']);
    expect(judge('10.45.12.100')).toEqual(['unallocated_usage']);
    expect(judge('10.45.12.100', true)).toEqual([]);
    expect(judge('10.45.12.210')).toEqual([]);
  });

  it('finds an allocation nothing was seen at for the stale period', () => {
    const allocation = {
      id: '10.45.12.7',
      address: '10.45.12.7',
      site_id: 'site-001',
      owner: 'ops',
      purpose: 'x',
      created_at: at(0),
      created_by: 't',
      version: 1,
    };
    const later = T0 + settings.staleAllocationMs + 1;
    const [stale] = reconcileAddress({ address: '10.45.12.7', observations: [], allocation, plans: noPlan, findings: [] }, later, settings);
    expect(stale).toMatchObject({ type: 'stale_allocation', site_id: 'site-001' });
  });

  it('goes open → acknowledged → resolved (with an explanation) → reopened on newer evidence', () => {
    const detect = (observations: StoredObservation[], findings: Finding[], t: number) =>
      reconcileAddress({ address: '10.45.12.100', observations, plans: noPlan, findings }, t, settings);
    const [opened] = detect([vm(1), vm(2)], [], now);
    const acked = acknowledge(opened!, 'alice', at(21));
    expect(acked).toMatchObject({ status: 'acknowledged', acknowledged_by: 'alice', version: 2 });
    expect(acknowledge(acked, 'bob', at(22))).toBe(acked);
    const resolved = resolve(acked, 'alice', 'multi-homed test rig', at(30));
    expect(resolved).toMatchObject({ status: 'resolved', resolution: 'multi-homed test rig', version: 3 });
    expect(() => resolve(resolved, 'bob', 'again', at(31))).toThrow(/already resolved/);
    // Seen as before the resolution: nothing new. Both seen after it: reopened.
    expect(detect([vm(1), vm(2)], [resolved], T0 + 31 * 60_000)).toEqual([]);
    const [reopened] = detect([vm(1, { last_seen: at(40) }), vm(2, { last_seen: at(41) })], [resolved], T0 + 42 * 60_000);
    expect(reopened).toMatchObject({ status: 'reopened', times_reopened: 1, version: 4 });
    expect(reopened!.acknowledged_by).toBeUndefined();
  });

  it('resolves a finding whose condition cleared, by itself', () => {
    const [opened] = reconcileAddress(
      { address: '10.45.12.100', observations: [vm(1), vm(2)], plans: noPlan, findings: [] },
      now,
      settings,
    );
    const [cleared] = reconcileAddress(
      { address: '10.45.12.100', observations: [vm(1)], plans: noPlan, findings: [opened!] },
      now,
      settings,
    );
    expect(cleared).toMatchObject({ status: 'resolved', resolved_by: 'eio', resolution: 'the condition cleared' });
  });

  it('the full pass ties identities through other addresses that one address alone cannot see', () => {
    // At .100 a DHCP lease knows only a MAC; at .101 that MAC and the VM's instance UUID appear together.
    const lease = obs({ source: 'dhcp', entity_kind: 'device', entity_ref: 'lease-1', mac: '02:00:00:00:00:aa' });
    const vmA = vm(1);
    const vmAElsewhere = vm(1, { address: '10.45.12.101', mac: '02:00:00:00:00:aa' });
    const alone = reconcileAddress({ address: '10.45.12.100', observations: [lease, vmA], plans: noPlan, findings: [] }, now, settings);
    expect(alone.map((f) => f.type)).toEqual(['duplicate_usage']);
    const full = reconcileAll({ observations: [lease, vmA, vmAElsewhere], allocations: [], plans: noPlan, findings: alone }, now, settings);
    expect(full.entities).toBe(1);
    expect(full.changes).toEqual([expect.objectContaining({ type: 'duplicate_usage', status: 'resolved', resolved_by: 'eio' })]);
  });
});

describe('IPAM exceptions', () => {
  const finding = {
    type: 'duplicate_usage' as const,
    address: '10.45.12.100',
    entities: [{ id: 'vm:x', kinds: ['vm'], seen_as: ['vcenter/vc-001/vm-1'], first_seen: at(0), last_seen: at(1) }],
  };
  const exception = (scope: IpException['scope'], expires = at(60)): IpException => ({
    id: 'ipx-1',
    owner: 'ops',
    reason: 'multi-homed',
    scope,
    expires_at: expires,
    created_by: 't',
    created_at: at(0),
    version: 1,
  });

  it('covers findings by address, entity (id or reference) and prefix until it expires', () => {
    const now = T0 + 30 * 60_000;
    expect(exceptionMatches(exception({ type: 'address', value: '10.45.12.100' }), finding, now)).toBe(true);
    expect(exceptionMatches(exception({ type: 'address', value: '10.45.12.101' }), finding, now)).toBe(false);
    expect(exceptionMatches(exception({ type: 'entity', value: 'vm:x' }), finding, now)).toBe(true);
    expect(exceptionMatches(exception({ type: 'entity', value: 'vc-001/vm-1' }), finding, now)).toBe(true);
    expect(exceptionMatches(exception({ type: 'prefix', value: '10.45.12.0/24' }), finding, now)).toBe(true);
    expect(exceptionMatches(exception({ type: 'prefix', value: '10.45.13.0/24' }), finding, now)).toBe(false);
    expect(exceptionMatches(exception({ type: 'address', value: '10.45.12.100' }, at(29)), finding, now)).toBe(false);
    expect(
      exceptionMatches({ ...exception({ type: 'address', value: '10.45.12.100' }), finding_types: ['stale_allocation'] }, finding, now),
    ).toBe(false);
  });
});
