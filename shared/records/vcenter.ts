import type { InventoryKind, SyncRun, VCenterInstance } from '../domain/vcenter';
import { Entity, stripKeys } from './entity';
import type { Item, Page, Store } from '../ports/store';

export const vcenterInstances = new Entity<VCenterInstance>('vCenter instance', 'VC');
export const vcenterInstanceRef = (id: string) => ({ kind: 'VC', id, label: 'vCenter instance' });

/** Sync runs; gsi2 lists one instance's runs newest first. */
export const syncRuns = new Entity<SyncRun>('sync run', 'SYNCRUN', (r) => ({
  gsi1sk: `${r.requested_at}#${r.id}`,
  gsi2pk: `SYNCRUNS#${r.instance_id}`,
  gsi2sk: `${r.requested_at}#${r.id}`,
}));

/**
 * One inventory object of one vCenter instance:
 *   pk = VCINV#<instance id>   sk = <kind>#<managed object id>
 * `hash` is a digest of `data`, so a sync writes only what changed.
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

export async function putInventory(store: Store, r: InventoryRecord): Promise<void> {
  await store.put({ ...r, ...inventoryKey(r.instance_id, r.kind, r.moref) });
}

export async function deleteInventory(store: Store, instanceId: string, kind: InventoryKind, moref: string): Promise<void> {
  await store.delete(inventoryKey(instanceId, kind, moref));
}

export async function getInventory(store: Store, instanceId: string, kind: InventoryKind, moref: string) {
  const item = await store.get(inventoryKey(instanceId, kind, moref));
  return item ? stripKeys<InventoryRecord>(item) : undefined;
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
  return { items: result.items.map((i: Item) => stripKeys<InventoryRecord>(i)), cursor: result.cursor };
}

/** Every stored object of an instance: `<kind>#<moref>` → hash. */
export async function inventoryHashes(store: Store, instanceId: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let cursor: string | undefined;
  do {
    const page = await listInventoryPage(store, instanceId, undefined, { limit: 500, cursor });
    for (const r of page.items) out.set(`${r.kind}#${r.moref}`, r.hash);
    cursor = page.cursor;
  } while (cursor);
  return out;
}


/**
 * The vCenter instances registered for a site, through the site's reference edges (`REF#SITE#<id>` /
 * `VC#<id>`, written when an instance names the site). An edge can outlive a move or a delete for a moment
 * (references.ts), so only instances that still name the site count.
 */
export async function instancesOfSite(store: Store, siteId: string): Promise<VCenterInstance[]> {
  const out: VCenterInstance[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.query({ pk: `REF#SITE#${siteId}`, skPrefix: 'VC#', limit: 100, cursor });
    for (const edge of page.items) {
      const instance = await vcenterInstances.find(store, edge.sk.slice('VC#'.length));
      if (instance?.site_id === siteId) out.push(instance);
    }
    cursor = page.cursor;
  } while (cursor);
  return out.sort((a, b) => a.id.localeCompare(b.id));
}
