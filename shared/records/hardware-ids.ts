/**
 * Hardware identities of iDRAC endpoints, so one server registered under two addresses is found without a Scan:
 *   pk = IDRACHW#<kind>#<value>   sk = <endpoint id>   (kind: service_tag, system_uuid, idrac_mac)
 * One item per identity an endpoint reports; a partition holding two endpoints is a conflict. Written after
 * each inspection (shared/usecases/dell-conflicts.ts), removed when the endpoint stops reporting the value or
 * is deleted; an item naming an endpoint that no longer reports the value is stale and removed when met.
 */
import type { HardwareIdKind } from '../domain/dell-endpoint';
import type { Store } from '../ports/store';

export type HardwareIdHolder = { endpoint_id: string; address: string; site_id: string };

const key = (kind: HardwareIdKind, value: string, endpointId: string) => ({ pk: `IDRACHW#${kind}#${value}`, sk: endpointId });

/** The endpoint's identities, in one batched write (unconditional: an item per endpoint and identity). */
export async function holdHardwareIds(
  store: Store,
  ids: Array<{ kind: HardwareIdKind; value: string }>,
  holder: HardwareIdHolder,
): Promise<void> {
  if (ids.length) await store.putMany(ids.map((id) => ({ ...key(id.kind, id.value, holder.endpoint_id), ...holder })));
}

export async function releaseHardwareId(store: Store, kind: HardwareIdKind, value: string, endpointId: string): Promise<void> {
  await store.delete(key(kind, value, endpointId));
}

/** Every endpoint holding this identity (a handful at most: more is a data problem worth seeing anyway). */
export async function holdersOf(store: Store, kind: HardwareIdKind, value: string): Promise<HardwareIdHolder[]> {
  const page = await store.query({ pk: `IDRACHW#${kind}#${value}`, limit: 50 });
  return page.items.map((i) => ({ endpoint_id: String(i.endpoint_id), address: String(i.address), site_id: String(i.site_id) }));
}
