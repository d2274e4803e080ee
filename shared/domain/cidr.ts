import { isIPv4, isIPv6 } from 'node:net';

/** Validates and normalises a management network in CIDR form (IPv4 or IPv6). Pure: no I/O. */
export type CidrCheck = { ok: true; cidr: string } | { ok: false; reason: string };

const ipv4ToInt = (ip: string): number =>
  ip.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
const intToIpv4 = (n: number): string => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

export function checkCidr(value: string): CidrCheck {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(value.trim());
  if (!m) return { ok: false, reason: `'${value}' is not in CIDR form (e.g. 10.45.12.0/22)` };
  const [, ip, bitsText] = m as unknown as [string, string, string];
  const bits = Number(bitsText);
  if (isIPv4(ip)) {
    if (bits > 32) return { ok: false, reason: `prefix /${bits} is longer than 32 bits` };
    const size = 2 ** (32 - bits);
    const base = ipv4ToInt(ip);
    const network = base - (base % size);
    if (network !== base)
      return { ok: false, reason: `'${value}' has host bits set; the network is ${intToIpv4(network)}/${bits}` };
    return { ok: true, cidr: `${ip}/${bits}` };
  }
  if (isIPv6(ip)) {
    if (bits > 128) return { ok: false, reason: `prefix /${bits} is longer than 128 bits` };
    return { ok: true, cidr: `${ip.toLowerCase()}/${bits}` };
  }
  return { ok: false, reason: `'${ip}' is not an IPv4 or IPv6 address` };
}

/** Number of addresses in an IPv4 CIDR (used to bound discovery sweeps). */
export const ipv4CidrSize = (cidr: string): number => 2 ** (32 - Number(cidr.split('/')[1]));
