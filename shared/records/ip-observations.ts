import type { DellEndpoint } from '../domain/dell-endpoint';
import { ConditionFailedError, type Store } from '../ports/store';

/**
 * IP observations (ARCHITECTURE.md "IP observation"), one item per (address, source, entity):
 *   pk = IPOBS#<address>   sk = <source>#<entity_ref>
 * so IPAM reads everything seen at one address with one Query. `first_seen` survives rewrites.
 * Written by vCenter sync (source `vcenter`: vmknic and guest IPs) and iDRAC refresh and discovery (source
 * `idrac`: the iDRAC's own address and its host NICs' IPs).
 */
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

const key = (o: Pick<IpObservation, 'address' | 'source' | 'entity_ref'>) => ({ pk: `IPOBS#${o.address}`, sk: `${o.source}#${o.entity_ref}` });

export async function recordObservation(store: Store, o: Omit<IpObservation, 'first_seen'>, firstSight = false): Promise<void> {
  // gsi1 KIND#IPOBS / address: every observation in address order, for IPAM's sweeps.
  const item = (firstSeen: string) => ({ ...o, first_seen: firstSeen, ...key(o), gsi1pk: 'KIND#IPOBS', gsi1sk: o.address });
  if (firstSight) {
    // A thing seen for the first time (a new endpoint): one conditional write instead of a read and a write.
    try {
      return await store.put(item(o.last_seen), { kind: 'absent' });
    } catch (e) {
      if (!(e instanceof ConditionFailedError)) throw e;
    }
  }
  const existing = await store.get(key(o));
  await store.put(item(existing ? String(existing.first_seen) : o.last_seen));
}

export async function observationsAt(store: Store, address: string): Promise<IpObservation[]> {
  const page = await store.query({ pk: `IPOBS#${address}`, limit: 200 });
  return page.items.map(({ pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, ...rest }) => rest as unknown as IpObservation);
}

/** What an iDRAC tells about addresses: its own, and its host's NIC IPs (with MAC, service tag, system UUID). */
export async function writeIpObservations(store: Store, ep: DellEndpoint, now: string, sourceRef: string, firstSight = false): Promise<void> {
  const hardware_ids: Record<string, string> = {
    ...(ep.service_tag ? { service_tag: ep.service_tag } : {}),
    ...(ep.system_uuid ? { system_uuid: ep.system_uuid } : {}),
  };
  const identity = { site_id: ep.site_id, ...(Object.keys(hardware_ids).length ? { hardware_ids } : {}) };
  await recordObservation(store, {
    address: ep.address,
    source: 'idrac',
    source_ref: sourceRef,
    entity_kind: 'idrac',
    entity_ref: ep.id,
    ...(ep.idrac_nic?.mac ? { mac: ep.idrac_nic.mac } : {}),
    ...identity,
    last_seen: now,
  }, firstSight);
  for (const nic of ep.nics ?? [])
    for (const ip of nic.ipv4)
      await recordObservation(store, {
        address: ip,
        source: 'idrac',
        source_ref: sourceRef,
        entity_kind: 'nic',
        entity_ref: `${ep.id}/${nic.fqdd}`,
        mac: nic.mac,
        ...identity,
        last_seen: now,
      }, firstSight);
}
