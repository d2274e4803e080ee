/**
 * GET /api/v1/ipam/observations: what was seen at an address (the runbook's "Get observation details"), on an
 * entity, with a MAC or inside a prefix; each observation with its source, the entity it belongs to and that
 * entity's identifiers. The observations of one address are correlated among themselves, so a host seen
 * through vCenter and through its iDRAC shows as one entity.
 */
import { correlate } from '../domain/ipam/correlation';
import type { Identifiers, StoredObservation } from '../domain/ipam/observation';
import type { ObservationFilter } from '../domain/ipam/schemas';
import type { Page } from '../ports/store';
import { observationPageAt, observationsIn, observationsOfEntity, observationsOfMac } from '../records/ip-observations';
import type { Deps } from './deps';

/** The operator's word for what the address was seen on; a host NIC reported by the iDRAC is the host. */
const ENTITY_KIND: Record<string, 'vm' | 'host' | 'idrac'> = { vm: 'vm', host: 'host', nic: 'host', idrac: 'idrac' };

export type ObservationView = {
  address: string;
  source: string;
  source_ref: string;
  site_id: string;
  hostname?: string;
  mac?: string;
  first_seen: string;
  last_seen: string;
  entity: { id: string; kind: 'vm' | 'host' | 'idrac' | 'device'; ref: string; identifiers: Identifiers };
};

function view(o: StoredObservation, entityId: string): ObservationView {
  return {
    address: o.address,
    source: o.source,
    source_ref: o.source_ref,
    site_id: o.site_id,
    ...(o.hostname ? { hostname: o.hostname } : {}),
    ...(o.ids.mac ? { mac: o.ids.mac } : {}),
    first_seen: o.first_seen,
    last_seen: o.last_seen,
    entity: { id: entityId, kind: ENTITY_KIND[o.entity_kind] ?? 'device', ref: o.entity_ref, identifiers: o.ids },
  };
}

/** One page of observations. `site_id` and `source` narrow the page they are given (a page may come back shorter). */
export async function listObservations(
  deps: Pick<Deps, 'store'>,
  q: ObservationFilter,
  page: { limit: number; cursor?: string },
): Promise<Page<ObservationView>> {
  const read = q.address
    ? await observationPageAt(deps.store, q.address, page)
    : q.mac
      ? await observationsOfMac(deps.store, q.mac, page)
      : q.prefix
        ? await observationsIn(deps.store, q.prefix, page)
        : await observationsOfEntity(deps.store, q.entity!, page);
  const kept = read.items.filter(
    (o) =>
      (!q.site_id || o.site_id === q.site_id) &&
      (!q.source || o.source === q.source) &&
      (!q.address || o.address === q.address) &&
      (!q.mac || o.ids.mac === q.mac) &&
      (!q.prefix || (o.key >= q.prefix.first && o.key <= q.prefix.last)),
  );
  // What is seen at one address is correlated together: observations of one machine show one entity id.
  const { entityIds } = q.address ? correlate(kept) : { entityIds: kept.map((o) => o.entity_id) };
  const items = kept.map((o, i) => view(o, entityIds[i]!)).filter((v) => !q.entity || v.entity.id === q.entity);
  return { items, cursor: read.cursor };
}
