/**
 * Management networks in CIDR form: validation (IPv4 or IPv6) and the IPv4 arithmetic discovery sweeps with.
 * Pure: no I/O.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type CidrCheck = { ok: true; cidr: string } | { ok: false; reason: string };

const ipv4ToInt = (ip: string): number => ip.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
const intToIpv4 = (n: number): string => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

/** An IPv6 address (no zone id) as a 128-bit number. */
function ipv6ToBigInt(ip: string): bigint {
  let text = ip.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text); // ::ffff:10.1.2.3
  if (v4) {
    const n = ipv4ToInt(v4[1]!);
    text = `${text.slice(0, -v4[1]!.length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head = '', tail] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return groups.reduce((acc, g) => (acc << 16n) + BigInt(Number.parseInt(g || '0', 16)), 0n);
}

function bigIntToIpv6(n: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => ((n >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  // The longest run of zero groups (two or more) becomes '::', as RFC 5952 writes it.
  let best = { at: -1, len: 1 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  if (best.at < 0) return groups.join(':');
  return `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.len).join(':')}`;
}

/**
 * Validates and normalises a management network: a network address (no host bits set) with its prefix,
 * IPv4 or IPv6 (no zone id: a zone names an interface of one machine, not a network), and never the whole
 * address space (/0).
 */
export function checkCidr(value: string): CidrCheck {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(value.trim());
  if (!m) return { ok: false, reason: `'${value}' is not in CIDR form (e.g. 10.45.12.0/22)` };
  const [, ip, bitsText] = m as unknown as [string, string, string];
  const bits = Number(bitsText);
  if (ip.includes('%')) return { ok: false, reason: `'${value}' has a zone id; a management network has none` };
  if (bits === 0 && (isIPv4(ip) || isIPv6(ip)))
    return { ok: false, reason: `'${value}' is the whole address space, not a management network` };
  if (isIPv4(ip)) {
    if (bits > 32) return { ok: false, reason: `prefix /${bits} is longer than 32 bits` };
    const size = 2 ** (32 - bits);
    const base = ipv4ToInt(ip);
    const network = base - (base % size);
    if (network !== base) return { ok: false, reason: `'${value}' has host bits set; the network is ${intToIpv4(network)}/${bits}` };
    return { ok: true, cidr: `${ip}/${bits}` };
  }
  if (isIPv6(ip)) {
    if (bits > 128) return { ok: false, reason: `prefix /${bits} is longer than 128 bits` };
    const base = ipv6ToBigInt(ip);
    const network = (base >> BigInt(128 - bits)) << BigInt(128 - bits);
    if (network !== base) return { ok: false, reason: `'${value}' has host bits set; the network is ${bigIntToIpv6(network)}/${bits}` };
    return { ok: true, cidr: `${bigIntToIpv6(base)}/${bits}` };
  }
  return { ok: false, reason: `'${ip}' is not an IPv4 or IPv6 address` };
}

/** The prefix length of an IPv4 CIDR as checkCidr normalised it; undefined for an IPv6 one. */
export function ipv4Prefix(cidr: string): number | undefined {
  const [ip, bits] = cidr.split('/') as [string, string];
  return isIPv4(ip) ? Number(bits) : undefined;
}

/** Number of addresses in an IPv4 CIDR. */
export const ipv4CidrSize = (cidr: string): number => 2 ** (32 - Number(cidr.split('/')[1]));

/** Host addresses of an IPv4 CIDR, in order (network and broadcast left out below /31). */
export function hostAddresses(cidr: string): string[] {
  const [ip, bitsText] = cidr.split('/') as [string, string];
  const bits = Number(bitsText);
  const size = 2 ** (32 - bits);
  const base = ipv4ToInt(ip);
  const [from, to] = bits >= 31 ? [base, base + size - 1] : [base + 1, base + size - 2];
  const out: string[] = [];
  for (let n = from; n <= to; n++) out.push(intToIpv4(n));
  return out;
}

/**
 * Why an IPv4 address cannot be a device's address, or undefined when it can: a unicast host address, not
 * "this network" (0.0.0.0/8), link-local (169.254.0.0/16, where cloud metadata services answer), multicast
 * (224.0.0.0/4) or reserved and broadcast (240.0.0.0/4, 255.255.255.255).
 */
export function notAHostAddress(ip: string): string | undefined {
  const n = ipv4ToInt(ip);
  const first = Math.floor(n / 2 ** 24);
  if (first === 0) return `${ip} is in 0.0.0.0/8 ("this network"), not a device's address`;
  if (first === 169 && Math.floor(n / 2 ** 16) % 256 === 254)
    return `${ip} is link-local (169.254.0.0/16, where cloud metadata services answer), not a device's address`;
  if (first >= 224 && first < 240) return `${ip} is a multicast address, not a device's address`;
  if (first >= 240) return `${ip} is ${n === 2 ** 32 - 1 ? 'the broadcast address' : 'reserved (240.0.0.0/4)'}, not a device's address`;
  return undefined;
}

/** Where an IPv4 address lies among a site's management networks (already validated CIDRs, either family). */
export type NetworkPlacement =
  | { kind: 'host'; network: string }
  | { kind: 'outside' }
  /** The network's own address or its broadcast address (below /31): no device answers there. */
  | { kind: 'not_a_host'; network: string; reason: string };

/**
 * Places an address in the most specific IPv4 network that holds it: a host address of it, its network or
 * broadcast address, or outside them all. The most specific one is the subnet the device really sits on
 * (10.1.0.15 is the broadcast address of 10.1.0.0/28 even when 10.0.0.0/8 is listed too).
 */
export function placeInNetworks(ip: string, networks: readonly string[]): NetworkPlacement {
  if (!isIPv4(ip)) return { kind: 'outside' };
  const n = ipv4ToInt(ip);
  let best: { cidr: string; base: number; size: number } | undefined;
  for (const cidr of networks) {
    const bits = ipv4Prefix(cidr);
    if (bits === undefined) continue;
    const size = 2 ** (32 - bits);
    const base = ipv4ToInt(cidr.split('/')[0]!);
    if (n >= base && n < base + size && (!best || size < best.size)) best = { cidr, base, size };
  }
  if (!best) return { kind: 'outside' };
  if (best.size > 2 && n === best.base)
    return { kind: 'not_a_host', network: best.cidr, reason: `${ip} is the network address of ${best.cidr}` };
  if (best.size > 2 && n === best.base + best.size - 1)
    return { kind: 'not_a_host', network: best.cidr, reason: `${ip} is the broadcast address of ${best.cidr}` };
  return { kind: 'host', network: best.cidr };
}

/** An address, a CIDR or a range `first-last` discovery never probes (a site's `discovery_exclusions`), as inclusive bounds. */
export type ExclusionCheck = { ok: true; entry: string; from: number; to: number } | { ok: false; reason: string };

/** Validates and normalises one exclusion: `10.45.12.7`, `10.45.12.0/28` or `10.45.12.100-10.45.12.120` (IPv4). */
export function checkExclusion(value: string): ExclusionCheck {
  const text = value.trim();
  if (isIPv4(text)) return { ok: true, entry: text, from: ipv4ToInt(text), to: ipv4ToInt(text) };
  if (text.includes('/')) {
    const check = checkCidr(text);
    if (!check.ok) return check;
    if (ipv4Prefix(check.cidr) === undefined) return { ok: false, reason: `'${value}' is IPv6; discovery sweeps IPv4 only` };
    const from = ipv4ToInt(check.cidr.split('/')[0]!);
    return { ok: true, entry: check.cidr, from, to: from + ipv4CidrSize(check.cidr) - 1 };
  }
  const range = /^([^-\s]+)\s*-\s*([^-\s]+)$/.exec(text);
  if (range && isIPv4(range[1]!) && isIPv4(range[2]!)) {
    const [from, to] = [ipv4ToInt(range[1]!), ipv4ToInt(range[2]!)];
    if (from > to) return { ok: false, reason: `range '${value}' ends before it starts` };
    return { ok: true, entry: `${range[1]}-${range[2]}`, from, to };
  }
  return { ok: false, reason: `'${value}' is not an IPv4 address, CIDR (10.45.12.0/28) or range (10.45.12.100-10.45.12.120)` };
}

/** Whether an IPv4 address falls in any of these (already validated) exclusions. */
export function excludedBy(exclusions: readonly string[]): (address: string) => boolean {
  const bounds = exclusions.map(checkExclusion).filter((c) => c.ok);
  return (address) => {
    if (!isIPv4(address)) return false;
    const n = ipv4ToInt(address);
    return bounds.some((b) => n >= b.from && n <= b.to);
  };
}
