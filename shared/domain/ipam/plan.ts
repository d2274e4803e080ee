/**
 * The address plan: prefixes and ranges per site, and manual allocations (owner, purpose). Pure types and
 * the lookups findings need: which of a site's prefixes holds an address, and whether a range covers it.
 */
import { addressKey, canonicalAddress, inPrefix, parsePrefix } from './addresses';

/** A range inside a prefix (a DHCP pool, a reserved block): addresses used there need no allocation. */
export type IpRange = { start: string; end: string; purpose: string };

export type IpPrefix = {
  id: string;
  site_id: string;
  cidr: string;
  description?: string;
  ranges: IpRange[];
  created_at: string;
  version: number;
};

/** A manual allocation: this address belongs to `owner` for `purpose`. One per address. */
export type IpAllocation = {
  /** The address itself, canonical: one allocation per address. */
  id: string;
  address: string;
  site_id: string;
  owner: string;
  purpose: string;
  hostname?: string;
  created_at: string;
  created_by: string;
  version: number;
};

/** A site's prefixes as key ranges, built once per site and pass. */
export type SitePlan = { prefixes: { id: string; cidr: string; first: string; last: string; ranges: { first: string; last: string }[] }[] };

export function sitePlan(prefixes: readonly Pick<IpPrefix, 'id' | 'cidr' | 'ranges'>[]): SitePlan {
  return {
    prefixes: prefixes.flatMap((p) => {
      const parsed = parsePrefix(p.cidr);
      if (!parsed.ok) return [];
      const ranges = p.ranges.flatMap((r) => {
        const [start, end] = [canonicalAddress(r.start), canonicalAddress(r.end)];
        return start && end ? [{ first: addressKey(start), last: addressKey(end) }] : [];
      });
      return [{ id: p.id, cidr: parsed.prefix.cidr, first: parsed.prefix.first, last: parsed.prefix.last, ranges }];
    }),
  };
}

/** The most specific prefix holding the address, and whether one of its ranges covers it. */
export function placeInPlan(plan: SitePlan, key: string): { prefix?: SitePlan['prefixes'][number]; inRange: boolean } {
  let best: SitePlan['prefixes'][number] | undefined;
  for (const p of plan.prefixes) if (inPrefix(p, key) && (!best || narrower(p, best))) best = p;
  return { prefix: best, inRange: !!best?.ranges.some((r) => key >= r.first && key <= r.last) };
}

const narrower = (a: { first: string; last: string }, b: { first: string; last: string }) => a.first >= b.first && a.last <= b.last;
