/**
 * IP observations (ARCHITECTURE.md "IP observation"), one item per (address, source, entity):
 *   pk = IPOBS#<address>           sk = <source>#<entity_ref>
 *   gsi1 KIND#IPOBS / <address key>#<source>#<entity_ref>        every observation in address order: a prefix is one range
 *   gsi2 IPOBSENT#<entity id> / <address key>#<source>#<entity_ref>  one entity's addresses
 * and, when it has a MAC, a copy under pk = IPOBSMAC#<mac>, sk = <address key>#<source>#<entity_ref> (one MAC's addresses).
 * Addresses are canonical (domain/ipam/addresses.ts); `first_seen` survives rewrites. Written by vCenter sync
 * (source `vcenter`: vmknic and guest IPs) and iDRAC refresh and discovery (source `idrac`: the iDRAC's own
 * address and its host NICs' IPs). Every write ends with the incremental reconciliation of its address
 * (ipam-address-check.ts), here and only here, so no writer can bypass it; the one exception is a bulk write
 * whose caller queues a full pass instead (`reconcile: 'full pass queued'`: a full vCenter sync, a discovery run).
 */

import type { DellEndpoint } from '../domain/dell-endpoint';
import type { DeviceIdentity } from '../domain/device-identity';
import { canonicalAddress } from '../domain/ipam/addresses';
import { type IpObservation, type StoredObservation, withIdentity } from '../domain/ipam/observation';
import { mapBounded } from '../lib/async';
import { logger } from '../observability/logger';
import type { Page, Store } from '../ports/store';
import { key, macKey, observationItems, toObservation } from './ip-observation-item';
import { checkAddress } from './ipam-address-check';
import { eachItem } from './paging';

export type { IpObservation, StoredObservation } from '../domain/ipam/observation';

type NewObservation = Omit<IpObservation, 'first_seen'>;

/**
 * How IPAM hears of what was written: each address reconciled at once, or left to one full pass its caller
 * queues once all is written (a bulk writer, where reconciling each address costs more than the writes).
 */
export type Reconcile = 'each address' | 'full pass queued';

/** Seen again (or for the first time): keeps the first_seen of an earlier observation of the same thing, then reconciles the address. */
export async function recordObservation(store: Store, o: NewObservation): Promise<void> {
  const address = canonicalAddress(o.address);
  if (!address) {
    logger.warn('IP observation with an address that is not one; not recorded', { address: o.address, source: o.source });
    return;
  }
  const existing = await store.get(key({ ...o, address }));
  const stored = withIdentity({ ...o, address, first_seen: existing ? String(existing.first_seen) : o.last_seen });
  await store.putMany(observationItems(stored));
  const formerMac = existing ? toObservation(existing).ids.mac : undefined;
  if (formerMac && formerMac !== stored.ids.mac) await store.delete(macKey(formerMac, stored));
  await reconcileAfterWrite(store, [address], o.last_seen);
}

/**
 * The incremental reconciliation of the addresses just written, a few at a time (each is a handful of store
 * round trips); its failure never fails the observation (the scheduled full pass catches up).
 */
async function reconcileAfterWrite(store: Store, addresses: string[], at: string): Promise<void> {
  await mapBounded([...new Set(addresses)], RECONCILE_CONCURRENCY, (address) =>
    checkAddress(store, address, Date.parse(at)).catch((e: unknown) =>
      logger.warn('IPAM reconciliation of an address failed; the full pass will redo it', { address, error: e as Error }),
    ),
  );
}

const RECONCILE_CONCURRENCY = 8;

/** Everything seen at one address (its first 200 observations). */
export async function observationsAt(store: Store, address: string): Promise<StoredObservation[]> {
  return (await observationPageAt(store, address, { limit: 200 })).items;
}

/** A page of what was seen at one address. */
export async function observationPageAt(store: Store, address: string, page: { limit: number; cursor?: string }) {
  const result = await store.query({ pk: `IPOBS#${canonicalAddress(address) ?? address}`, limit: page.limit, cursor: page.cursor });
  return { items: result.items.map(toObservation), cursor: result.cursor } satisfies Page<StoredObservation>;
}

/** Observations whose address key lies in [first, last] (a prefix), in address order. */
export async function observationsIn(store: Store, range: { first: string; last: string }, page: { limit: number; cursor?: string }) {
  const result = await store.query({ index: 'gsi1', pk: 'KIND#IPOBS', skBetween: [range.first, `${range.last}#~`], ...page });
  return { items: result.items.map(toObservation), cursor: result.cursor } satisfies Page<StoredObservation>;
}

/** One entity's observations (by the id it names on its own), in address order. */
export async function observationsOfEntity(store: Store, entityId: string, page: { limit: number; cursor?: string }) {
  const result = await store.query({ index: 'gsi2', pk: `IPOBSENT#${entityId}`, ...page });
  return { items: result.items.map(toObservation), cursor: result.cursor } satisfies Page<StoredObservation>;
}

/** Observations of one MAC address, in address order. */
export async function observationsOfMac(store: Store, mac: string, page: { limit: number; cursor?: string }) {
  const result = await store.query({ pk: `IPOBSMAC#${mac}`, ...page });
  return { items: result.items.map(toObservation), cursor: result.cursor } satisfies Page<StoredObservation>;
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

/** A known endpoint's observations, in one batch: each keeps its first_seen. */
export const writeIpObservations = (
  store: Store,
  ep: DellEndpoint,
  now: string,
  sourceRef: string,
  reconcile: Reconcile = 'each address',
) => recordObservations(store, idracObservations(ep, now, sourceRef), { reconcile });

/**
 * A new endpoint's observations, seen first now. Their keys name the endpoint's new id, so no earlier item
 * can exist: they are written unconditionally in one batch, then their addresses reconciled (or not: `reconcile`).
 */
export async function writeNewIdracObservations(
  store: Store,
  ep: DellEndpoint,
  now: string,
  sourceRef: string,
  reconcile: Reconcile = 'each address',
): Promise<void> {
  const observed = idracObservations(ep, now, sourceRef).flatMap((o) => {
    const address = canonicalAddress(o.address);
    return address ? [withIdentity({ ...o, address, first_seen: now })] : [];
  });
  if (!observed.length) return;
  await store.putMany(observed.flatMap(observationItems));
  if (reconcile === 'full pass queued') return;
  await reconcileAfterWrite(
    store,
    observed.map((o) => o.address),
    now,
  );
}

/** Every observation, page after page, in address order: for the full reconciliation pass, not request paths. */
export const eachObservation = (store: Store) =>
  eachItem((cursor) =>
    store.query({ index: 'gsi1', pk: 'KIND#IPOBS', limit: 500, cursor }).then((p) => ({ ...p, items: p.items.map(toObservation) })),
  );

/**
 * A device discovery found that is not an iDRAC: seen at its address, with what it is (entity `device@<address>`);
 * its run queues the full pass.
 */
export const recordDeviceObservation = (
  store: Store,
  seen: { address: string; site_id: string; run_id: string; device: DeviceIdentity; now: string },
) =>
  recordObservations(
    store,
    [
      {
        address: seen.address,
        source: 'discovery',
        source_ref: seen.run_id,
        entity_kind: 'device',
        entity_ref: `device@${seen.address}`,
        site_id: seen.site_id,
        device_kind: seen.device.kind,
        ...(seen.device.uuid ? { hardware_ids: { system_uuid: seen.device.uuid } } : {}),
        last_seen: seen.now,
      },
    ],
    { reconcile: 'full pass queued' },
  );

/**
 * recordObservation for many at once, as a sync writes them: one batched read of the earlier observations
 * (for their first_seen and MAC), one batched write, the MAC copies that moved deleted, then each address
 * reconciled (a few at a time), unless the caller queues a full pass for them all. Each key has one writer at
 * a time (a vCenter sync holds its instance's lease), so no condition is needed.
 */
export async function recordObservations(
  store: Store,
  observations: NewObservation[],
  options: { reconcile: Reconcile } = { reconcile: 'each address' },
): Promise<void> {
  const fresh = observations.flatMap((o) => {
    const address = canonicalAddress(o.address);
    return address ? [{ ...o, address }] : [];
  });
  if (fresh.length === 0) return;
  const earlier = new Map<string, StoredObservation>();
  for (const item of await store.getMany(fresh.map(key))) earlier.set(`${item.pk}\n${item.sk}`, toObservation(item));
  const stored = fresh.map((o) => {
    const k = key(o);
    const before = earlier.get(`${k.pk}\n${k.sk}`);
    return { stored: withIdentity({ ...o, first_seen: before?.first_seen ?? o.last_seen }), formerMac: before?.ids.mac };
  });
  await store.putMany(stored.flatMap((s) => observationItems(s.stored)));
  const moved = stored.filter((s) => s.formerMac && s.formerMac !== s.stored.ids.mac).map((s) => macKey(s.formerMac!, s.stored));
  if (moved.length) await store.deleteMany(moved);
  if (options.reconcile === 'full pass queued') return;
  await reconcileAfterWrite(
    store,
    stored.map((s) => s.stored.address),
    fresh[0]!.last_seen,
  );
}
