/** IPv4 helpers for laying endpoints out on 127.0.0.0/8 (Linux routes all of it to lo). */

export function ipv4ToInt(address: string): number {
  const parts = address.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`not an IPv4 address: ${address}`);
  }
  return parts.reduce((acc, p) => acc * 256 + p, 0);
}

export function intToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/**
 * The n-th usable address at or after `base`, skipping .0 and .255 so no endpoint sits on what
 * would be a network or broadcast address in a /24 view of a lab.
 */
export function nthAddress(base: string, n: number): string {
  let value = ipv4ToInt(base);
  let remaining = n;
  for (;;) {
    const last = value % 256;
    if (last !== 0 && last !== 255) {
      if (remaining === 0) return intToIpv4(value);
      remaining--;
    }
    value++;
  }
}

/** Smallest CIDR block containing every address given (for a lab site's management network). */
export function coveringCidr(addresses: string[]): string {
  if (addresses.length === 0) throw new Error('no addresses');
  const values = addresses.map(ipv4ToInt);
  const min = Math.min(...values);
  const max = Math.max(...values);
  let prefix = 32;
  while (prefix > 0) {
    const size = 2 ** (32 - prefix);
    if (Math.floor(min / size) === Math.floor(max / size)) break;
    prefix--;
  }
  const size = 2 ** (32 - prefix);
  return `${intToIpv4(Math.floor(min / size) * size)}/${prefix}`;
}

export function isLoopback(address: string): boolean {
  return address.startsWith('127.');
}
