import type { Store } from '../ports/store';

/**
 * "Who uses this record?" — one edge item per reference, so deleting a site or a service identity that is
 * still in use is refused with the users named (409). No transactions exist on the embedded engine, so the
 * edge is written before the referrer and removed after it; a crash in between leaves a stale edge, which
 * is detected (its referrer is gone) and cleaned up the next time someone asks.
 *   pk = REF#<target kind>#<target id>   sk = <referrer kind>#<referrer id>
 */
export type RecordRef = { kind: string; id: string; label: string };

const edgeKey = (target: RecordRef, referrer: RecordRef) => ({
  pk: `REF#${target.kind}#${target.id}`,
  sk: `${referrer.kind}#${referrer.id}`,
});

export async function addReference(store: Store, target: RecordRef, referrer: RecordRef): Promise<void> {
  await store.put({ ...edgeKey(target, referrer), referrer_label: referrer.label, referrer_pk: `${referrer.kind}#${referrer.id}`, referrer_sk: referrer.kind });
}

export async function removeReference(store: Store, target: RecordRef, referrer: RecordRef): Promise<void> {
  await store.delete(edgeKey(target, referrer));
}

/** Up to `limit` live referrers of `target`, as "<label> '<id>'" strings. */
export async function liveReferrers(store: Store, target: RecordRef, limit = 5): Promise<string[]> {
  const found: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.query({ pk: `REF#${target.kind}#${target.id}`, limit: 25, cursor });
    for (const edge of page.items) {
      const referrerKey = { pk: String(edge.referrer_pk), sk: String(edge.referrer_sk) };
      if (await store.get(referrerKey)) {
        found.push(`${String(edge.referrer_label)} '${edge.sk.slice(edge.sk.indexOf('#') + 1)}'`);
        if (found.length >= limit) return found;
      } else {
        await store.delete({ pk: edge.pk, sk: edge.sk });
      }
    }
    cursor = page.cursor;
  } while (cursor);
  return found;
}
