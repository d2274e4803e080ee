import type { DellEndpoint } from '../domain/dell-endpoint';
import type { DiscoveryRun } from '../domain/discovery-run';
import type { Store } from '../ports/store';
import { Entity } from './entity';

/**
 * Dell endpoints: pk `IDRAC#<id>`, sk `IDRAC`; gsi1 `KIND#IDRAC` / `<id>` (all, id order);
 * gsi2 `IDRACSITE#<site id>` / `<address>#<id>` (a site's endpoints in address order: site expansion of
 * health_check, discovery's "is this address registered?").
 */
export const dellEndpoints = new Entity<DellEndpoint>('iDRAC endpoint', 'IDRAC', (e) => ({
  gsi2pk: `IDRACSITE#${e.site_id}`,
  gsi2sk: `${e.address}#${e.id}`,
}));
export const dellEndpointRef = (id: string) => ({ kind: 'IDRAC', id, label: 'iDRAC endpoint' });

/** Every endpoint of one site (paged Query on gsi2, never a Scan). */
export async function endpointsOfSite(store: Store, siteId: string): Promise<DellEndpoint[]> {
  const all: DellEndpoint[] = [];
  let cursor: string | undefined;
  do {
    const page = await dellEndpoints.listBy(store, `IDRACSITE#${siteId}`, { limit: 200, cursor });
    all.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return all;
}

/** Discovery runs: pk `DISC#<id>`, sk `DISC`; gsi1 `KIND#DISC` / `<created_at>#<id>`. */
export const discoveryRuns = new Entity<DiscoveryRun>('discovery run', 'DISC', (r) => ({ gsi1sk: `${r.created_at}#${r.id}` }));
