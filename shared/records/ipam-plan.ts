/**
 * The address plan's records (Entity pattern, entity.ts):
 *   prefix      pk = IPPFX#<id>        gsi1 KIND#IPPFX / <id>       gsi2 IPPFXSITE#<site> / <first address key>   a site's prefixes
 *   allocation  pk = IPALLOC#<address> gsi1 KIND#IPALLOC / <address key>   gsi2 IPALLOCSITE#<site> / <address key>
 * One allocation per address (its id is the canonical address), listed in address order overall and per site.
 */
import { addressKey, parsePrefix } from '../domain/ipam/addresses';
import type { IpAllocation, IpPrefix } from '../domain/ipam/plan';
import type { Page, Store } from '../ports/store';
import { Entity, type ListPage } from './entity';
import { allItems } from './paging';

class Prefixes extends Entity<IpPrefix> {
  /** Every prefix of one site (a site has few). */
  ofSite(store: Store, siteId: string): Promise<IpPrefix[]> {
    return allItems((cursor) => this.listBy(store, `IPPFXSITE#${siteId}`, { limit: 200, cursor }));
  }
}

export const ipPrefixes = new Prefixes('prefix', 'IPPFX', (p) => {
  const parsed = parsePrefix(p.cidr);
  return { gsi2pk: `IPPFXSITE#${p.site_id}`, gsi2sk: `${parsed.ok ? parsed.prefix.first : p.cidr}#${p.id}` };
});

class Allocations extends Entity<IpAllocation> {
  /** A page of one site's allocations, in address order. */
  ofSite(store: Store, siteId: string, page: ListPage): Promise<Page<IpAllocation>> {
    return this.listBy(store, `IPALLOCSITE#${siteId}`, page);
  }
}

export const ipAllocations = new Allocations('allocation', 'IPALLOC', (a) => ({
  gsi1sk: addressKey(a.address),
  gsi2pk: `IPALLOCSITE#${a.site_id}`,
  gsi2sk: addressKey(a.address),
}));
