/**
 * One server, two addresses: endpoints that report the same service tag, system UUID or iDRAC MAC are flagged
 * as a conflict on both (`conflicts`), so the operator deletes the duplicate. Found through the hardware-id
 * records (shared/records/hardware-ids.ts), refreshed at every inspection, never by scanning endpoints.
 */
import { type DellEndpoint, type EndpointConflict, hardwareIdsOf } from '../domain/dell-endpoint';
import { NotFoundError } from '../domain/errors';
import { isoNow } from '../ports/clock';
import { dellEndpoints } from '../records/dell-endpoints';
import { holdersOf, holdHardwareIds, releaseHardwareId } from '../records/hardware-ids';
import type { Deps } from './deps';

type ConflictDeps = Pick<Deps, 'store' | 'clock'>;

const sameConflicts = (a: EndpointConflict[] | null | undefined, b: EndpointConflict[]) => JSON.stringify(a ?? []) === JSON.stringify(b);

const idKey = (id: { kind: string; value: string }) => `${id.kind}#${id.value}`;

/** Whether `other` still reports this identity (its item may be stale after a crash or a change). */
const stillReports = (other: DellEndpoint, id: { kind: string; value: string }) => hardwareIdsOf(other).some((o) => idKey(o) === idKey(id));

/**
 * After an inspection wrote `after` (and `before` was the endpoint before it): records its identities, drops
 * those it no longer reports, and sets `conflicts` on it and on every endpoint that reports one of them too.
 * Returns the endpoint as stored and the conflicts found.
 */
export async function recordHardwareIds(
  deps: ConflictDeps,
  before: DellEndpoint | undefined,
  after: DellEndpoint,
): Promise<{ endpoint: DellEndpoint; conflicts: EndpointConflict[] }> {
  const ids = hardwareIdsOf(after);
  const current = new Set(ids.map(idKey));
  const gone = before ? hardwareIdsOf(before).filter((id) => !current.has(idKey(id))) : [];
  await Promise.all(gone.map((id) => releaseHardwareId(deps.store, id.kind, id.value, after.id)));
  const holder = { endpoint_id: after.id, address: after.address, site_id: after.site_id };
  await holdHardwareIds(deps.store, ids, holder);

  const conflicts: EndpointConflict[] = [];
  for (const id of ids) {
    for (const h of await holdersOf(deps.store, id.kind, id.value)) {
      if (h.endpoint_id === after.id) continue;
      const other = await dellEndpoints.find(deps.store, h.endpoint_id);
      if (!other || !stillReports(other, id)) {
        await releaseHardwareId(deps.store, id.kind, id.value, h.endpoint_id);
        continue;
      }
      conflicts.push({ endpoint_id: other.id, address: other.address, matched: id.kind, value: id.value });
      await flagOther(deps, other, { endpoint_id: after.id, address: after.address, matched: id.kind, value: id.value });
    }
  }
  if (sameConflicts(after.conflicts, conflicts)) return { endpoint: after, conflicts };
  const endpoint = await dellEndpoints.update(deps.store, after.id, (c) => ({
    ...c,
    conflicts: conflicts.length ? conflicts : null,
    updated_at: isoNow(deps.clock),
  }));
  return { endpoint, conflicts };
}

/** Names `conflict` on the other endpoint too, unless it already does. */
async function flagOther(deps: ConflictDeps, other: DellEndpoint, conflict: EndpointConflict): Promise<void> {
  const same = (c: EndpointConflict) => c.endpoint_id === conflict.endpoint_id && c.matched === conflict.matched;
  if (other.conflicts?.some(same)) return;
  await dellEndpoints
    .update(deps.store, other.id, (c) =>
      c.conflicts?.some(same) ? c : { ...c, conflicts: [...(c.conflicts ?? []), conflict], updated_at: isoNow(deps.clock) },
    )
    .catch((e: unknown) => {
      if (!(e instanceof NotFoundError)) throw e;
    });
}

/** A deleted endpoint's identities are released, so no one conflicts with it any more. */
export async function releaseHardwareIds(deps: Pick<Deps, 'store'>, ep: DellEndpoint): Promise<void> {
  await Promise.all(hardwareIdsOf(ep).map((id) => releaseHardwareId(deps.store, id.kind, id.value, ep.id)));
}
