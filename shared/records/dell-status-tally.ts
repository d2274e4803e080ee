/**
 * The runbook's "iDRAC unreachable %" without reading every endpoint on every `GET /health`:
 * - a tally item `STATS#IDRAC` / `STATUS` with `total`, `checked` (probed at least once) and `unreachable`,
 *   moved by `Store.add` on every status change (create, probe, delete);
 * - one small marker per unreachable endpoint, pk `IDRACDOWN` / sk `<id>`, so health can name a few.
 * The tally is written after the endpoint, so a crash in between leaves it off by one until the next
 * reconciliation (housekeeping, every RECONCILE_AFTER_MS), which recounts and writes only if no change
 * landed meanwhile.
 */
import type { DellEndpoint } from '../domain/dell-endpoint';
import { ConditionFailedError, type Store } from '../ports/store';
import { dellEndpoints } from './dell-endpoints';
import { eachItem } from './paging';

const TALLY_KEY = { pk: 'STATS#IDRAC', sk: 'STATUS' };
const DOWN = 'IDRACDOWN';
export const RECONCILE_AFTER_MS = 10 * 60_000;

export type StatusTally = { total: number; checked: number; unreachable: number; reconciled_at?: string };
type Counted = Pick<DellEndpoint, 'id' | 'status'>;

const share = (ep?: Counted) => ({
  total: ep ? 1 : 0,
  checked: ep && ep.status !== 'unknown' ? 1 : 0,
  unreachable: ep?.status === 'unreachable' ? 1 : 0,
});

/** Moves the tally (and the unreachable marker) from `before` to `after`; either may be absent (create, delete). */
export async function tallyStatusChange(store: Store, before: Counted | undefined, after: Counted | undefined, now: string): Promise<void> {
  const [b, a] = [share(before), share(after)];
  const deltas = { total: a.total - b.total, checked: a.checked - b.checked, unreachable: a.unreachable - b.unreachable };
  const id = (after ?? before)!.id;
  if (a.unreachable > b.unreachable) await store.put({ pk: DOWN, sk: id, at: now });
  if (a.unreachable < b.unreachable) await store.delete({ pk: DOWN, sk: id });
  if (!deltas.total && !deltas.checked && !deltas.unreachable) return;
  try {
    await store.add(TALLY_KEY, deltas, { set: { updated_at: now } });
  } catch (e) {
    if (!(e instanceof ConditionFailedError)) throw e;
    await recount(store, now); // first status change ever: count what is there (this change included)
  }
}

/** The tally, counted from the endpoints the first time it is needed. */
export async function statusTally(store: Store, now: string): Promise<StatusTally & { down: string[] }> {
  const item = await store.get(TALLY_KEY);
  const tally = item ? (item as unknown as StatusTally) : await recount(store, now);
  const down = (await store.query({ pk: DOWN, limit: 10 })).items.map((i) => i.sk);
  return { total: tally.total, checked: tally.checked, unreachable: tally.unreachable, reconciled_at: tally.reconciled_at, down };
}

/** Recounts every endpoint when the last reconciliation is old; a no-op if any change landed during the count. */
export async function reconcileStatusTally(store: Store, now: string): Promise<boolean> {
  const item = await store.get(TALLY_KEY);
  if (item && Date.parse(String(item.reconciled_at ?? 0)) > Date.parse(now) - RECONCILE_AFTER_MS) return false;
  return (await recount(store, now, item ? Number(item.version) : undefined)) !== undefined;
}

async function recount(store: Store, now: string, expectedVersion?: number): Promise<StatusTally> {
  const counted: StatusTally = { total: 0, checked: 0, unreachable: 0, reconciled_at: now };
  const down = new Set<string>();
  for await (const ep of dellEndpoints.each(store)) {
    const s = share(ep);
    counted.total += s.total;
    counted.checked += s.checked;
    counted.unreachable += s.unreachable;
    if (s.unreachable) down.add(ep.id);
  }
  try {
    await store.put(
      { ...TALLY_KEY, ...counted, version: (expectedVersion ?? 0) + 1 },
      expectedVersion === undefined ? { kind: 'absent' } : { kind: 'version', version: expectedVersion },
    );
  } catch (e) {
    if (!(e instanceof ConditionFailedError)) throw e;
    // Someone counted or changed meanwhile: theirs stands; this count may already be stale.
    return counted;
  }
  await syncMarkers(store, down, now);
  return counted;
}

/** Markers exactly for the endpoints counted unreachable. */
async function syncMarkers(store: Store, down: Set<string>, now: string): Promise<void> {
  const existing = new Set<string>();
  for await (const i of eachItem((cursor) => store.query({ pk: DOWN, limit: 500, cursor }))) existing.add(i.sk);
  for (const id of existing) if (!down.has(id)) await store.delete({ pk: DOWN, sk: id });
  for (const id of down) if (!existing.has(id)) await store.put({ pk: DOWN, sk: id, at: now });
}
