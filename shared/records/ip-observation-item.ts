/**
 * The items of one IP observation (keys documented in ip-observations.ts), shared by its writer and by the
 * incremental reconciliation that reads an address back.
 */
import { type IpObservation, type StoredObservation, withIdentity } from '../domain/ipam/observation';
import type { Item } from '../ports/store';

const tail = (o: StoredObservation) => `${o.key}#${o.source}#${o.entity_ref}`;
export const key = (o: Pick<IpObservation, 'address' | 'source' | 'entity_ref'>) => ({
  pk: `IPOBS#${o.address}`,
  sk: `${o.source}#${o.entity_ref}`,
});
export const macKey = (mac: string, o: StoredObservation) => ({ pk: `IPOBSMAC#${mac}`, sk: tail(o) });

/** The observation's items: the record itself and, with a MAC, its copy in the MAC's partition. */
export const observationItems = (o: StoredObservation): Item[] => [
  { ...o, ...key(o), gsi1pk: 'KIND#IPOBS', gsi1sk: tail(o), gsi2pk: `IPOBSENT#${o.entity_id}`, gsi2sk: tail(o) },
  ...(o.ids.mac ? [{ ...o, ...macKey(o.ids.mac, o) }] : []),
];

/** Items written before identities were stored lack them: derive them on read. */
export function toObservation(item: Item): StoredObservation {
  const { pk: _pk, sk: _sk, gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, ...rest } = item;
  const o = rest as unknown as StoredObservation;
  return o.ids && o.key && o.entity_id ? o : withIdentity(o);
}
