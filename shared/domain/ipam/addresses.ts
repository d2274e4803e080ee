/**
 * IP addresses and prefixes for IPAM, IPv4 and IPv6: one canonical text per address (so `IPOBS#<address>`
 * is one partition whichever way a source spelled it) and a fixed-width sortable key (so the addresses of a
 * prefix are one sort-key range). Pure: no I/O.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type Family = 4 | 6;

/** The canonical form (IPv4 dotted quad; IPv6 RFC 5952: lowercase, longest zero run compressed); undefined if not an address. */
export function canonicalAddress(text: string): string | undefined {
  const value = text.trim();
  if (isIPv4(value)) return value.split('.').map(Number).join('.');
  if (!isIPv6(value) || value.includes('%')) return undefined;
  return compressIpv6(expandIpv6(value));
}

/** Eight 16-bit groups of an IPv6 address (an embedded IPv4 tail becomes two groups). */
function expandIpv6(value: string): number[] {
  let text = value.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((g) => Number.parseInt(g, 16));
}

function compressIpv6(groups: number[]): string {
  let best = { at: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length && j - i > 1) best = { at: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.length).join(':')}`;
}

/** `4:` + 8 hex digits or `6:` + 32: string order is numeric order within a family. */
export function addressKey(canonical: string): string {
  if (isIPv4(canonical))
    return `4:${canonical
      .split('.')
      .map((o) => Number(o).toString(16).padStart(2, '0'))
      .join('')}`;
  return `6:${expandIpv6(canonical)
    .map((g) => g.toString(16).padStart(4, '0'))
    .join('')}`;
}

/** A prefix as a closed range of address keys. */
export type Prefix = { cidr: string; family: Family; bits: number; first: string; last: string };

export type PrefixCheck = { ok: true; prefix: Prefix } | { ok: false; reason: string };

/** Parses `10.45.12.0/22` or `2001:db8::/48`; host bits must be zero. */
export function parsePrefix(text: string): PrefixCheck {
  const m = /^([^/\s]+)\/(\d{1,3})$/.exec(text.trim());
  const address = m ? canonicalAddress(m[1]!) : undefined;
  if (!m || !address) return { ok: false, reason: `'${text}' is not a prefix in CIDR form (e.g. 10.45.12.0/22 or 2001:db8::/48)` };
  const family: Family = isIPv4(address) ? 4 : 6;
  const width = family === 4 ? 32 : 128;
  const bits = Number(m[2]);
  if (bits > width) return { ok: false, reason: `prefix /${bits} is longer than ${width} bits` };
  const digits = width / 4;
  const value = BigInt(`0x${addressKey(address).slice(2)}`);
  const hostMask = (1n << BigInt(width - bits)) - 1n;
  if ((value & hostMask) !== 0n) return { ok: false, reason: `'${text}' has host bits set` };
  const hex = (v: bigint) => `${family}:${v.toString(16).padStart(digits, '0')}`;
  return { ok: true, prefix: { cidr: `${address}/${bits}`, family, bits, first: hex(value), last: hex(value | hostMask) } };
}

/** Whether the address (by its key) lies in the prefix. */
export const inPrefix = (prefix: Pick<Prefix, 'first' | 'last'>, key: string): boolean => key >= prefix.first && key <= prefix.last;

/** Link-local and loopback addresses mean nothing outside their link or host: IPAM does not judge them. */
export function isLinkScoped(canonical: string): boolean {
  if (isIPv4(canonical)) return canonical.startsWith('127.') || canonical.startsWith('169.254.');
  return canonical === '::1' || /^fe[89ab]/.test(canonical);
}
