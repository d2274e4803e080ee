/**
 * "Who uses this record?" — one edge item per reference, so deleting a site or a service identity that is
 * still in use is refused with the users named (409). No transactions exist on the embedded engine, so the
 * edge is written before the referrer and removed after it; a crash in between leaves a stale edge, which
 * is detected (its referrer is gone) and cleaned up the next time someone asks.
 *   pk = REF#<target kind>#<target id>   sk = <referrer kind>#<referrer id>
 */
import { ConflictError } from '../domain/errors';
import type { Store } from '../ports/store';
import { eachItem, pages } from './paging';

/** A record as an edge names it: kind, id, and the label a 409 shows. */
export type RecordRef = { kind: string; id: string; label: string };

const partition = (target: RecordRef) => `REF#${target.kind}#${target.id}`;
const edgeKey = (target: RecordRef, referrer: RecordRef) => ({ pk: partition(target), sk: `${referrer.kind}#${referrer.id}` });

/** Up to `limit` live referrers of `target`, as "<label> '<id>'" strings; stale edges met on the way are removed. */
async function liveReferrers(store: Store, target: RecordRef, limit: number): Promise<string[]> {
  const found: string[] = [];
  for await (const page of pages((cursor) => store.query({ pk: partition(target), limit: 25, cursor }))) {
    for (const edge of page.items) {
      const referrerKey = { pk: String(edge.referrer_pk), sk: String(edge.referrer_sk) };
      if (await store.get(referrerKey)) {
        found.push(`${String(edge.referrer_label)} '${edge.sk.slice(edge.sk.indexOf('#') + 1)}'`);
        if (found.length >= limit) return found;
      } else {
        await store.delete({ pk: edge.pk, sk: edge.sk });
      }
    }
  }
  return found;
}

export const references = {
  async add(store: Store, target: RecordRef, referrer: RecordRef): Promise<void> {
    await store.put({
      ...edgeKey(target, referrer),
      referrer_label: referrer.label,
      referrer_pk: `${referrer.kind}#${referrer.id}`,
      referrer_sk: referrer.kind,
    });
  },

  async remove(store: Store, target: RecordRef, referrer: RecordRef): Promise<void> {
    await store.delete(edgeKey(target, referrer));
  },

  /**
   * Ids of the records of one kind that reference `target`, as the edges say: an edge can outlive a move or
   * a delete for a moment, so callers check the referrer still names the target.
   */
  async *of(store: Store, target: RecordRef, referrerKind: string): AsyncGenerator<string> {
    const prefix = `${referrerKind}#`;
    for await (const edge of eachItem((cursor) => store.query({ pk: partition(target), skPrefix: prefix, limit: 100, cursor })))
      yield edge.sk.slice(prefix.length);
  },

  /** Refuses (409, naming up to five users) to let `target` go while anything still uses it. */
  async refuseWhileUsed(store: Store, target: RecordRef, advice?: string): Promise<void> {
    const users = await liveReferrers(store, target, 5);
    if (users.length > 0)
      throw new ConflictError(`${target.label} '${target.id}' is still used by ${users.join(', ')}${advice ? `; ${advice}` : ''}`, {
        referenced_by: users,
      });
  },
};
