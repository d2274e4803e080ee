/**
 * IP observations (ARCHITECTURE.md "IP observation"), one item per (address, source, entity):
 *   pk = IPOBS#<address>   sk = <source>#<entity_ref>
 * so IPAM reads everything seen at one address with one Query. `first_seen` survives rewrites.
 * Written by vCenter sync (source `vcenter`: vmknic and guest IPs) and iDRAC refresh and discovery (source
 * `idrac`: the iDRAC's own address and its host NICs' IPs).
 */
import type { DellEndpoint } from '../domain/dell-endpoint';
import type { Store } from '../ports/store';

/** One address, seen by one source on one entity. */
export type IpObservation = {
  address: string;
  source: 'vcenter' | 'idrac' | 'manual' | 'dhcp';
  source_ref: string;
  entity_kind: 'host' | 'vm' | 'idrac' | 'nic';
  entity_ref: string;
  mac?: string;
  hostname?: string;
  site_id: string;
  /** Hardware identity for correlation across sources: service_tag, system_uuid. */
  hardware_ids?: Record<string, string>;
  first_seen: string;
  last_seen: string;
};

const key = (o: Pick<IpObservation, 'address' | 'source' | 'entity_ref'>) => ({
  pk: `IPOBS#${o.address}`,
  sk: `${o.source}#${o.entity_ref}`,
});

type NewObservation = Omit<IpObservation, 'first_seen'>;

// gsi1 KIND#IPOBS / address: every observation in address order, for IPAM's sweeps.
const observationItem = (o: NewObservation, firstSeen: string) => ({
  ...o,
  first_seen: firstSeen,
  ...key(o),
  gsi1pk: 'KIND#IPOBS',
  gsi1sk: o.address,
});

/** Seen again (or for the first time): keeps the first_seen of an earlier observation of the same thing. */
export async function recordObservation(store: Store, o: NewObservation): Promise<void> {
  const existing = await store.get(key(o));
  await store.put(observationItem(o, existing ? String(existing.first_seen) : o.last_seen));
}

export async function observationsAt(store: Store, address: string): Promise<IpObservation[]> {
  const page = await store.query({ pk: `IPOBS#${address}`, limit: 200 });
  return page.items.map(({ pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, ...rest }) => rest as unknown as IpObservation);
}

/** What an iDRAC tells about addresses: its own, and its host's NIC IPs (with MAC, service tag, system UUID). */
function idracObservations(ep: DellEndpoint, now: string, sourceRef: string): NewObservation[] {
  const hardware_ids: Record<string, string> = {
    ...(ep.service_tag ? { service_tag: ep.service_tag } : {}),
    ...(ep.system_uuid ? { system_uuid: ep.system_uuid } : {}),
  };
  const identity = { site_id: ep.site_id, ...(Object.keys(hardware_ids).length ? { hardware_ids } : {}) };
  const common = { source: 'idrac' as const, source_ref: sourceRef, ...identity, last_seen: now };
  return [
    { ...common, address: ep.address, entity_kind: 'idrac', entity_ref: ep.id, ...(ep.idrac_nic?.mac ? { mac: ep.idrac_nic.mac } : {}) },
    ...(ep.nics ?? []).flatMap((nic) =>
      nic.ipv4.map(
        (ip): NewObservation => ({ ...common, address: ip, entity_kind: 'nic', entity_ref: `${ep.id}/${nic.fqdd}`, mac: nic.mac }),
      ),
    ),
  ];
}

/** A known endpoint's observations: each keeps its first_seen. */
export async function writeIpObservations(store: Store, ep: DellEndpoint, now: string, sourceRef: string): Promise<void> {
  for (const o of idracObservations(ep, now, sourceRef)) await recordObservation(store, o);
}

/**
 * A new endpoint's observations as items, seen first now. Their keys name the endpoint's new id, so no
 * earlier item can exist: they are written unconditionally, together with the endpoint's other new items.
 */
export const newIdracObservationItems = (ep: DellEndpoint, now: string, sourceRef: string) =>
  idracObservations(ep, now, sourceRef).map((o) => observationItem(o, now));

/**
 * recordObservation for many at once, as a sync writes them: one batched read of the earlier observations
 * (for their first_seen) and one batched write. Each key has one writer at a time (a vCenter sync holds its
 * instance's lease), so no condition is needed.
 */
export async function recordObservations(store: Store, observations: NewObservation[]): Promise<void> {
  if (observations.length === 0) return;
  const earlier = new Map<string, string>();
  for (const item of await store.getMany(observations.map(key))) earlier.set(`${item.pk}\n${item.sk}`, String(item.first_seen));
  await store.putMany(
    observations.map((o) => {
      const k = key(o);
      return observationItem(o, earlier.get(`${k.pk}\n${k.sk}`) ?? o.last_seen);
    }),
  );
}
