import { describe, expect, it } from 'vitest';
import { DellEndpointCreate } from '../../shared/domain/dell-endpoint';

describe('DellEndpointCreate', () => {
  it('normalises a pinned thumbprint to colon-separated upper case and defaults tls flags', () => {
    const raw = 'ab'.repeat(32);
    const parsed = DellEndpointCreate.parse({ address: '10.0.0.1', site_id: 'site-1', tls: { pinned_thumbprint: raw } });
    expect(parsed.tls).toEqual({ pinned_thumbprint: `${'AB:'.repeat(31)}AB`, insecure: false, legacy: false });
    expect(DellEndpointCreate.parse({ address: '10.0.0.1', site_id: 'site-1' }).tls).toEqual({ insecure: false, legacy: false });
  });

  it('refuses non-IPv4 addresses, short thumbprints and unknown fields', () => {
    for (const address of ['10.0.0.256', 'idrac.example', '::1', '10.0.0'])
      expect(DellEndpointCreate.safeParse({ address, site_id: 'site-1' }).success).toBe(false);
    expect(DellEndpointCreate.safeParse({ address: '10.0.0.1', site_id: 'site-1', tls: { pinned_thumbprint: 'AB:CD' } }).success).toBe(
      false,
    );
    expect(DellEndpointCreate.safeParse({ address: '10.0.0.1', site_id: 'site-1', port: 443 }).success).toBe(false);
  });
});
