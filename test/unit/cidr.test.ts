import { describe, expect, it } from 'vitest';
import { hostAddresses, ipv4CidrSize, ipv4Prefix } from '../../shared/domain/cidr';

describe('IPv4 arithmetic of management networks', () => {
  it('lists host addresses without network and broadcast', () => {
    const hosts = hostAddresses('10.45.12.0/28');
    expect(hosts).toHaveLength(14);
    expect(hosts[0]).toBe('10.45.12.1');
    expect(hosts.at(-1)).toBe('10.45.12.14');
    expect(hostAddresses('10.0.0.4/31')).toEqual(['10.0.0.4', '10.0.0.5']);
    expect(hostAddresses('10.0.0.9/32')).toEqual(['10.0.0.9']);
    expect(hostAddresses('10.46.0.0/20')).toHaveLength(4094);
    expect(hostAddresses('10.46.0.0/20').at(-1)).toBe('10.46.15.254');
    expect(hostAddresses('10.0.255.252/30')).toEqual(['10.0.255.253', '10.0.255.254']);
  });

  it('counts addresses and reads the prefix of IPv4 networks only', () => {
    expect(ipv4CidrSize('10.0.0.0/16')).toBe(65_536);
    expect(ipv4CidrSize('10.0.0.9/32')).toBe(1);
    expect(ipv4Prefix('10.0.0.0/16')).toBe(16);
    expect(ipv4Prefix('fd00::/64')).toBeUndefined();
  });
});
