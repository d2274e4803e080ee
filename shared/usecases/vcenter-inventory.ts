/**
 * Listing one instance's stored inventory of one kind, with the API's filters. Filters apply while reading, so
 * one request examines at most MAX_EXAMINED stored records: a filter that matches little returns what it found
 * so far (possibly nothing) with a `next_token` to go on from, instead of reading the whole inventory at once.
 */
import type { HostIdracLink } from '../domain/host-idrac-link';
import { type InventoryKind, inventoryTargetId } from '../domain/vcenter';
import { type InventoryRecord, listInventoryPage, vcenterInstances } from '../records/vcenter';
import type { Deps } from './deps';
import { linksOfHosts } from './host-idrac-links';

export type InventoryQuery = { limit: number; next_token?: string; name?: string; power_state?: string; host?: string; cluster?: string };

/** Stored records one request reads at most; and per store query while a filter is set. */
export const MAX_EXAMINED = 1000;
const FILTERED_PAGE = 200;

function matcherOf(kind: InventoryKind, q: InventoryQuery): ((r: InventoryRecord) => boolean) | undefined {
  if (!q.name && !q.power_state && !q.host && !q.cluster) return undefined;
  return (r) => {
    const d = r.data;
    if (q.name && !r.name.toLowerCase().includes(q.name.toLowerCase())) return false;
    if (q.power_state && d.power_state !== q.power_state) return false;
    if (q.host && d.host !== q.host && d.host_name !== q.host && r.moref !== q.host && r.name !== q.host) return false;
    if (
      q.cluster &&
      d.cluster !== q.cluster &&
      d.cluster_name !== q.cluster &&
      !(kind === 'cluster' && (r.moref === q.cluster || r.name === q.cluster))
    )
      return false;
    return true;
  };
}

/** Hosts and clusters show the id a job targets them by (unique across vCenter instances). */
const itemOf = (r: InventoryRecord) => ({
  id: r.moref,
  kind: r.kind,
  ...(r.kind === 'host' || r.kind === 'cluster' ? { target_id: inventoryTargetId(r.instance_id, r.moref) } : {}),
  ...r.data,
  synced_at: r.synced_at,
});

type InventoryItem = ReturnType<typeof itemOf> & { idrac?: HostIdracLink | null };

/** A page of one kind; hosts also show their iDRAC link (null until a sync computed it). */
export async function listInventory(deps: Pick<Deps, 'store'>, instanceId: string, kind: InventoryKind, q: InventoryQuery) {
  const page = await inventoryPage(deps, instanceId, kind, q);
  if (kind !== 'host') return page;
  const links = await linksOfHosts(
    deps,
    instanceId,
    page.items.map((i) => i.id),
  );
  return { ...page, items: page.items.map((i): InventoryItem => ({ ...i, idrac: links.get(i.id) ?? null })) };
}

async function inventoryPage(deps: Pick<Deps, 'store'>, instanceId: string, kind: InventoryKind, q: InventoryQuery) {
  await vcenterInstances.get(deps.store, instanceId);
  const matches = matcherOf(kind, q);
  if (!matches) {
    const page = await listInventoryPage(deps.store, instanceId, kind, { limit: q.limit, cursor: q.next_token });
    return { items: page.items.map(itemOf), next_token: page.cursor ?? null };
  }
  const items: ReturnType<typeof itemOf>[] = [];
  let cursor = q.next_token;
  let examined = 0;
  while (items.length < q.limit && examined < MAX_EXAMINED) {
    const from = cursor;
    const page = await listInventoryPage(deps.store, instanceId, kind, {
      limit: Math.min(FILTERED_PAGE, MAX_EXAMINED - examined),
      cursor: from,
    });
    const hits = page.items.flatMap((r, i) => (matches(r) ? [i] : []));
    const room = q.limit - items.length;
    if (hits.length > room) {
      // More matches than the page has room for: read up to the last one that fits again, so the cursor
      // continues right after it (the store's cursors follow whole pages, not items).
      const upTo = await listInventoryPage(deps.store, instanceId, kind, { limit: hits[room - 1]! + 1, cursor: from });
      items.push(...upTo.items.filter(matches).slice(0, room).map(itemOf));
      cursor = upTo.cursor;
      break;
    }
    items.push(...hits.map((i) => itemOf(page.items[i]!)));
    examined += page.items.length;
    cursor = page.cursor;
    if (!cursor) break;
  }
  return { items, next_token: cursor ?? null };
}
