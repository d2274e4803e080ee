/**
 * zod schemas for IPAM input: an address, a prefix, a MAC, each normalised (addresses.ts, observation.ts) or
 * refused naming the value; and the IPAM routes' bodies and filters built from them (the route catalog's
 * request schemas).
 */
import { z } from 'zod';
import { idSchema } from '../ids';
import { canonicalAddress, parsePrefix } from './addresses';
import { FINDING_STATUSES, FINDING_TYPES } from './findings';
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

export const FindingFilter = z.object({
  type: z.enum(FINDING_TYPES).optional(),
  status: z.enum(FINDING_STATUSES).optional(),
  site_id: z.string().min(1).optional(),
  address: IpAddressText.optional(),
  /** `false` (default): findings no active exception covers; `true`: only covered ones; `all`: both. */
  suppressed: z.enum(['false', 'true', 'all']).default('false'),
});
export type FindingFilter = z.output<typeof FindingFilter>;

export const Resolution = z.object({ explanation: z.string().trim().min(1, 'explain why the finding is resolved').max(2000) });

export const ObservationFilter = z
  .object({
    address: IpAddressText.optional(),
    entity: z.string().min(1).max(300).optional(),
    mac: MacText.optional(),
    prefix: PrefixText.optional(),
    site_id: z.string().min(1).optional(),
    source: z.enum(['vcenter', 'idrac', 'discovery', 'manual', 'dhcp']).optional(),
  })
  .refine((q) => q.address ?? q.entity ?? q.mac ?? q.prefix, {
    message: 'give one of address, entity, mac or prefix',
    path: ['address'],
  });
export type ObservationFilter = z.output<typeof ObservationFilter>;

const Cidr = PrefixText.transform((p) => p.cidr);

const Range = z.object({ start: IpAddressText, end: IpAddressText, purpose: z.string().trim().min(1).max(200) });
export type IpRangeInput = z.output<typeof Range>;

export const PrefixCreate = z.object({
  id: idSchema('ip_prefix').optional(),
  site_id: z.string().min(1),
  cidr: Cidr,
  description: z.string().max(500).optional(),
  ranges: z.array(Range).max(100).default([]),
});
export const PrefixUpdate = z.object({
  description: z.string().max(500).optional(),
  ranges: z.array(Range).max(100).optional(),
  version: z.number().int().positive().optional(),
});
export type PrefixCreate = z.output<typeof PrefixCreate>;
export type PrefixUpdate = z.output<typeof PrefixUpdate>;
export const SiteFilter = z.object({ site_id: z.string().min(1).optional() });
export type SiteFilter = z.output<typeof SiteFilter>;

export const AllocationCreate = z.object({
  address: IpAddressText,
  site_id: z.string().min(1),
  owner: z.string().trim().min(1).max(200),
  purpose: z.string().trim().min(1).max(500),
  hostname: z.string().max(253).optional(),
});
export type AllocationInput = z.output<typeof AllocationCreate>;
