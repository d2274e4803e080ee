/** zod schemas for IPAM input: an address, a prefix, a MAC, each normalised (addresses.ts, observation.ts) or refused naming the value. */
import { z } from 'zod';
import { canonicalAddress, parsePrefix } from './addresses';
import { normaliseMac } from './observation';

export const IpAddressText = z.string().transform((v, ctx) => {
  const address = canonicalAddress(v);
  if (address) return address;
  ctx.addIssue({ code: 'custom', message: `'${v}' is not an IP address` });
  return z.NEVER;
});

export const PrefixText = z.string().transform((v, ctx) => {
  const p = parsePrefix(v);
  if (p.ok) return p.prefix;
  ctx.addIssue({ code: 'custom', message: p.reason });
  return z.NEVER;
});

export const MacText = z.string().transform((v, ctx) => {
  const mac = normaliseMac(v);
  if (mac) return mac;
  ctx.addIssue({ code: 'custom', message: `'${v}' is not a MAC address` });
  return z.NEVER;
});
