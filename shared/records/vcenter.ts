/** vCenter records: the instances (pk VC#<id>), their sync runs (pk SYNCRUN#<id>) and the inventory objects a sync writes. */
import type { InventoryKind, SyncRun, VCenterInstance } from '../domain/vcenter';
import type { Item, Page, Store } from '../ports/store';
import { Entity, type ListPage, stripKeys } from './entity';
import { eachItem } from './paging';
import { references } from './references';
import { siteRef } from './sites';

export const vcenterInstances = new Entity<VCenterInstance>('vCenter instance', 'VC');
export const VCENTER_REF_KIND = 'VC';
export const vcenterInstanceRef = (id: string) => ({ kind: VCENTER_REF_KIND, id, label: 'vCenter instance' });

const instancePartition = (instanceId: string) => `SYNCRUNS#${instanceId}`;

class SyncRunRecords extends Entity<SyncRun> {
  /** One instance's sync runs by request time (newest first with `descending`). */
  byInstance(store: Store, instanceId: string, page: ListPage): Promise<Page<SyncRun>> {
    return this.listBy(store, instancePartition(instanceId), page);
  }
}

/** Sync runs; gsi1 all runs by request time, gsi2 one instance's. */
export const syncRuns = new SyncRunRecords('sync run', 'SYNCRUN', (r) => ({
  gsi1sk: `${r.requested_at}#${r.id}`,
  gsi2pk: instancePartition(r.instance_id),
  gsi2sk: `${r.requested_at}#${r.id}`,
}));

/**
 * One inventory object of one vCenter instance:
 *   pk = VCINV#<instance id>   sk = <kind>#<managed object id>
 * `hash` is a digest of `data`, so a sync writes only what changed. `data` is stored as its JSON text, the
 * text the hash is taken of: one string attribute instead of a tree of nested maps and lists, so a full
 * sync's thousands of writes are not each marshalled value by value, and validated and sized value by value
 * by DynamoDB (about half of their CPU on either side). Records written before keep a map; both read the same.
 */
export type InventoryRecord = {
  instance_id: string;
  kind: InventoryKind;
  moref: string;
  name: string;
  hash: string;
  data: Record<string, unknown>;
  synced_at: string;
};

export const inventoryKey = (instanceId: string, kind: InventoryKind, moref: string) => ({
  pk: `VCINV#${instanceId}`,
  sk: `${kind}#${moref}`,
});

/** `data` as a record stores it, and as its hash digests it. */
export const inventoryDataText = (data: Record<string, unknown>): string => JSON.stringify(data);

/** A record to write, its `data` already as text (inventoryDataText). */
export type EncodedInventoryRecord = Omit<InventoryRecord, 'data'> & { data: string };

const inventoryItem = (r: EncodedInventoryRecord): Item => ({ ...r, ...inventoryKey(r.instance_id, r.kind, r.moref) });

/** A stored item as a record, whether it keeps `data` as text or (written before) as a map. */
function inventoryRecordOf(item: Item): InventoryRecord {
  const r = stripKeys<Omit<InventoryRecord, 'data'> & { data: string | Record<string, unknown> }>(item);
  return typeof r.data === 'string' ? { ...r, data: JSON.parse(r.data) as Record<string, unknown> } : (r as InventoryRecord);
}

export async function putInventory(store: Store, r: InventoryRecord): Promise<void> {
  await store.put(inventoryItem({ ...r, data: inventoryDataText(r.data) }));
}

export async function deleteInventory(store: Store, instanceId: string, kind: InventoryKind, moref: string): Promise<void> {
  await store.delete(inventoryKey(instanceId, kind, moref));
}

/** Many records in batched writes (a sync's changed objects). */
export async function putInventoryRecords(store: Store, records: EncodedInventoryRecord[]): Promise<void> {
  await store.putMany(records.map(inventoryItem));
}

export async function deleteInventoryRecords(
  store: Store,
  instanceId: string,
  refs: { kind: InventoryKind; moref: string }[],
): Promise<void> {
  await store.deleteMany(refs.map((r) => inventoryKey(instanceId, r.kind, r.moref)));
}

/** What a sync compares an object with: its stored hash, and when its record was last written. */
export type StoredState = { hash: string; synced_at?: string };
const storedState = (i: Item): StoredState => ({ hash: String(i.hash), synced_at: i.synced_at as string | undefined });

/** The stored state of some objects of an instance, in one batched read: `<kind>#<moref>` → state. */
export async function storedHashes(
  store: Store,
  instanceId: string,
  refs: { kind: InventoryKind; moref: string }[],
): Promise<Map<string, StoredState>> {
  const items = await store.getMany(refs.map((r) => inventoryKey(instanceId, r.kind, r.moref)));
  return new Map(items.map((i) => [i.sk, storedState(i)]));
}

/** Many objects' records in one batched read; objects without one are left out, in no particular order. */
export async function getInventoryMany(
  store: Store,
  refs: { instance_id: string; kind: InventoryKind; moref: string }[],
): Promise<InventoryRecord[]> {
  if (!refs.length) return [];
  const items = await store.getMany(refs.map((r) => inventoryKey(r.instance_id, r.kind, r.moref)));
  return items.map(inventoryRecordOf);
}

export async function getInventory(store: Store, instanceId: string, kind: InventoryKind, moref: string) {
  const item = await store.get(inventoryKey(instanceId, kind, moref));
  return item ? inventoryRecordOf(item) : undefined;
}

export async function listInventoryPage(
  store: Store,
  instanceId: string,
  kind: InventoryKind | undefined,
  page: { limit: number; cursor?: string },
): Promise<Page<InventoryRecord>> {
  const result = await store.query({
    pk: `VCINV#${instanceId}`,
    skPrefix: kind ? `${kind}#` : undefined,
    limit: page.limit,
    cursor: page.cursor,
  });
  return { items: result.items.map(inventoryRecordOf), cursor: result.cursor };
}

/** Every stored object of an instance: `<kind>#<moref>` → state (only the key, hash and write time are read). */
export async function inventoryHashes(store: Store, instanceId: string): Promise<Map<string, StoredState>> {
  const out = new Map<string, StoredState>();
  const page = (cursor?: string) => store.query({ pk: `VCINV#${instanceId}`, limit: 1000, cursor, attributes: ['hash', 'synced_at'] });
  for await (const r of eachItem(page)) out.set(r.sk, storedState(r));
  return out;
}

/**
 * The vCenter instances registered for a site, through the site's reference edges (`REF#SITE#<id>` /
 * `VC#<id>`, written when an instance names the site). An edge can outlive a move or a delete for a moment
 * (references.ts), so only instances that still name the site count.
 */
export async function instancesOfSite(store: Store, siteId: string): Promise<VCenterInstance[]> {
  const out: VCenterInstance[] = [];
  for await (const id of references.of(store, siteRef(siteId), VCENTER_REF_KIND)) {
    const instance = await vcenterInstances.find(store, id);
    if (instance?.site_id === siteId) out.push(instance);
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}
