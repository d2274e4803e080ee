/**
 * Dell endpoints: pk `IDRAC#<id>`, sk `IDRAC`; gsi1 `KIND#IDRAC` / `<id>` (all, id order);
 * gsi2 `IDRACSITE#<site id>` / `<address>#<id>` (a site's endpoints in address order: site expansion of
 * health_check, discovery's "is this address registered?").
 */
import type { DellEndpoint } from '../domain/dell-endpoint';
import type { DiscoveryRun } from '../domain/discovery-run';
import type { Page, Store } from '../ports/store';
import { Entity, type ListPage, stripKeys } from './entity';
import { allItems } from './paging';

const sitePartition = (siteId: string) => `IDRACSITE#${siteId}`;

class DellEndpointRecords extends Entity<DellEndpoint> {
  /** One site's endpoints in address order (paged Query on gsi2, never a Scan). */
  bySite(store: Store, siteId: string, page: ListPage): Promise<Page<DellEndpoint>> {
    return this.listBy(store, sitePartition(siteId), page);
  }
}

export const dellEndpoints = new DellEndpointRecords('iDRAC endpoint', 'IDRAC', (e) => ({
  gsi2pk: sitePartition(e.site_id),
  gsi2sk: `${e.address}#${e.id}`,
}));
export const dellEndpointRef = (id: string) => ({ kind: 'IDRAC', id, label: 'iDRAC endpoint' });

/** Every endpoint of one site (paged Query on gsi2, never a Scan). */
export const endpointsOfSite = (store: Store, siteId: string): Promise<DellEndpoint[]> =>
  allItems((cursor) => dellEndpoints.bySite(store, siteId, { limit: 200, cursor }));

/**
 * Address claims: pk `IDRACADDR#<address>`, sk `CLAIM` → the endpoint holding that address. The guard that
 * keeps one endpoint per iDRAC address: written with a conditional put before the endpoint, bound after it,
 * released after the endpoint is deleted or moves to another address (shared/usecases/dell-address-claims.ts).
 */
export type AddressClaim = {
  address: string;
  endpoint_id: string;
  site_id: string;
  /**
   * `pending` as claimed; `bound` once a bind confirmed it (a create that took long, an address change, an
   * adopted claim). Either holds while its endpoint carries the address; a create that wrote its endpoint
   * well within the grace leaves its claim `pending` (see needsBind in usecases/dell-address-claims.ts).
   */
  state: 'pending' | 'bound';
  claimed_at: string;
  version: number;
};
export const addressClaimKey = (address: string) => ({ pk: `IDRACADDR#${address}`, sk: 'CLAIM' });

export async function findAddressClaim(store: Store, address: string): Promise<AddressClaim | undefined> {
  const item = await store.get(addressClaimKey(address));
  return item ? stripKeys<AddressClaim>(item) : undefined;
}

/** Writes the claim if the stored one is still at `expectedVersion` (absent when undefined); ConditionFailedError otherwise. */
export async function putAddressClaim(store: Store, claim: AddressClaim, expectedVersion?: number): Promise<void> {
  await store.put(
    { ...addressClaimKey(claim.address), ...claim },
    expectedVersion === undefined ? { kind: 'absent' } : { kind: 'version', version: expectedVersion },
  );
}

export async function deleteAddressClaim(store: Store, claim: AddressClaim): Promise<void> {
  await store.delete(addressClaimKey(claim.address), { kind: 'version', version: claim.version });
}

/** Discovery runs: pk `DISC#<id>`, sk `DISC`; gsi1 `KIND#DISC` / `<created_at>#<id>`. */
export const discoveryRuns = new Entity<DiscoveryRun>('discovery run', 'DISC', (r) => ({ gsi1sk: `${r.created_at}#${r.id}` }));
