import { describe, expect, it } from 'vitest';
import { checkCidr, notAHostAddress } from '../../shared/domain/cidr';
import { countedSliceSet, type DiscoveryRun, isSliceCounted, runView } from '../../shared/domain/discovery-run';
import { levelFor, worst } from '../../shared/domain/health';
import { idSchema, newId } from '../../shared/domain/ids';
import { hasAtLeast, roleFromClaim, sameIdentity } from '../../shared/domain/roles';
import { SiteCreate } from '../../shared/domain/site';
import { REDACTED, redact } from '../../shared/observability/redact';

describe('CIDR validation', () => {
  it('accepts network addresses and normalises IPv6 case', () => {
    expect(checkCidr('10.45.12.0/22')).toEqual({ ok: true, cidr: '10.45.12.0/22' });
    expect(checkCidr('127.0.0.0/8')).toEqual({ ok: true, cidr: '127.0.0.0/8' });
    expect(checkCidr('FD00::/64')).toEqual({ ok: true, cidr: 'fd00::/64' });
  });
  it('checks IPv6 networks as IPv4 ones: host bits, no zone id, never /0; canonical form', () => {
    expect(checkCidr('2001:DB8:0:0:1::/80')).toEqual({ ok: true, cidr: '2001:db8:0:0:1::/80' });
    expect(checkCidr('2001:db8::/32')).toEqual({ ok: true, cidr: '2001:db8::/32' });
    expect(checkCidr('::ffff:10.1.0.0/112')).toEqual({ ok: true, cidr: '::ffff:a01:0/112' });
    expect(checkCidr('2001:db8::8000/112')).toMatchObject({ ok: false, reason: expect.stringContaining('the network is 2001:db8::/112') });
    expect(checkCidr('2001:db8::1/128')).toEqual({ ok: true, cidr: '2001:db8::1/128' });
    expect(checkCidr('fe80::%1/64')).toMatchObject({ ok: false, reason: expect.stringContaining('zone id') });
    expect(checkCidr('::/0')).toMatchObject({ ok: false, reason: expect.stringContaining('whole address space') });
  });
  it('tells unicast host addresses from the rest', () => {
    expect(notAHostAddress('10.45.12.17')).toBeUndefined();
    expect(notAHostAddress('127.0.0.1')).toBeUndefined();
    expect(notAHostAddress('0.1.2.3')).toMatch(/this network/);
    expect(notAHostAddress('169.254.169.254')).toMatch(/link-local/);
    expect(notAHostAddress('239.255.255.250')).toMatch(/multicast/);
    expect(notAHostAddress('255.255.255.255')).toMatch(/broadcast/);
  });
  it('names the network when host bits are set', () => {
    const r = checkCidr('10.45.12.101/22');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain('10.45.12.0/22');
  });
  it('rejects garbage and impossible prefixes', () => {
    expect(checkCidr('10.0.0.0').ok).toBe(false);
    expect(checkCidr('10.0.0.0/33').ok).toBe(false);
    expect(checkCidr('300.1.1.0/24').ok).toBe(false);
  });
});

describe('site input', () => {
  it('reports each bad network by its index', () => {
    const r = SiteCreate.safeParse({ name: 'x', management_networks: ['10.0.0.0/24', 'nope'] });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['management_networks', 1]);
  });
  it('refuses unknown fields and bad client ids', () => {
    expect(SiteCreate.safeParse({ name: 'x', colour: 'red' }).success).toBe(false);
    expect(SiteCreate.safeParse({ name: 'x', id: 'vc-001' }).success).toBe(false);
    expect(SiteCreate.safeParse({ name: 'x', id: 'site-001' }).success).toBe(true);
  });
});

describe('ids', () => {
  it('carry their kind prefix and sort by creation time', () => {
    const a = newId('job', 1_700_000_000_000);
    const b = newId('job', 1_700_000_000_001);
    expect(a).toMatch(/^job-/);
    expect(a < b).toBe(true);
    expect(idSchema('job').safeParse(a).success).toBe(true);
  });
});

describe('roles', () => {
  it('takes the strongest role from strings, lists and API Gateway array strings', () => {
    expect(roleFromClaim('operator')).toBe('operator');
    expect(roleFromClaim(['viewer', 'approver'])).toBe('approver');
    expect(roleFromClaim('[viewer admin]')).toBe('admin');
    expect(roleFromClaim('root')).toBeUndefined();
  });
  it('reads the role claim strictly: exact names, one name, an array, or API Gateway\'s "[a b]"', () => {
    for (const loose of ['Admin', ' admin', 'viewer,admin', 'admin operator', '[admin,viewer]', '[admin', 7, { admin: true }, null]) {
      expect(roleFromClaim(loose)).toBeUndefined();
    }
    expect(roleFromClaim(['viewer', 7, 'admin'])).toBe('admin');
    expect(roleFromClaim('[]')).toBeUndefined();
  });
  it('compares identities for four-eyes by their normal form', () => {
    expect(sameIdentity('Bob', ' bob ')).toBe(true);
    expect(sameIdentity('Alice  Smith', 'alice smith')).toBe(true);
    expect(sameIdentity('ｂｏｂ', 'bob')).toBe(true); // full-width letters
    expect(sameIdentity('bob', 'bobby')).toBe(false);
  });
  it('orders viewer < operator < approver < admin', () => {
    expect(hasAtLeast('admin', 'viewer')).toBe(true);
    expect(hasAtLeast('operator', 'approver')).toBe(false);
  });
});

describe('health thresholds', () => {
  it('apply the runbook rule: above warning degraded, above critical critical', () => {
    const t = { warning: 50, critical: 200 };
    expect(levelFor(50, t)).toBe('ok');
    expect(levelFor(51, t)).toBe('degraded');
    expect(levelFor(201, t)).toBe('critical');
    expect(worst(['ok', 'critical', 'degraded'])).toBe('critical');
  });
});

describe('redaction', () => {
  it('hides secrets at any depth but keeps pagination tokens', () => {
    const out = redact({ secret: 's3', nested: { password: 'p', list: [{ Authorization: 'Bearer x' }] }, next_token: 'abc' });
    expect(out).toEqual({ secret: REDACTED, nested: { password: REDACTED, list: [{ Authorization: REDACTED }] }, next_token: 'abc' });
  });
});

describe('discovery run bookkeeping', () => {
  it('counted slices live in sets of 64, so a counting write never returns a long one; the API never shows them', () => {
    expect([0, 63, 64, 4095].map(countedSliceSet)).toEqual([
      'counted_slices_0',
      'counted_slices_0',
      'counted_slices_1',
      'counted_slices_63',
    ]);
    const run = { counted_slices_0: new Set(['0', '63']), counted_slices_1: new Set(['64']) };
    expect([0, 63, 64, 65, 128].map((chunk) => isSliceCounted(run, chunk))).toEqual([true, true, true, false, false]);
    const view = runView({ id: 'disc-1', status: 'running', ...run } as unknown as DiscoveryRun);
    expect(view).toEqual({ id: 'disc-1', status: 'running' });
  });
});
