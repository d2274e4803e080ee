/**
 * Host ↔ iDRAC links (shared/domain/host-idrac-link.ts), kept beside the synced inventory (a sync overwrites
 * host records whole, so the link cannot live on them):
 *   link             pk = HOSTLINK#<host target id>          sk = LINK               the host's link, the identities it rests on
 *   host identity    pk = HOSTHW#<kind>#<value>              sk = <host target id>   which hosts report one identity
 *   endpoint's hosts pk = IDRACHOST#<endpoint id>            sk = <host target id>   which hosts name an endpoint (linked or candidate)
 * The last two are indexes for the other side's writes (an endpoint refresh finds its hosts without a Scan);
 * an item that no longer matches its host's link is stale and is removed when met.
 */
import type { HostIdracLink, ServerId } from '../domain/host-idrac-link';
import type { Store } from '../ports/store';
import { stripKeys } from './entity';

export type HostLinkRecord = {
  /** `<vCenter instance id>/<moref>`, as jobs target the host. */
  host_id: string;
  name: string;
  /** The identities the host is indexed under (host identity items), as the last sync that saw them wrote them. */
  ids: ServerId[];
  link: HostIdracLink;
  linked_at: string;
  version: number;
};

const linkKey = (hostId: string) => ({ pk: `HOSTLINK#${hostId}`, sk: 'LINK' });
const idKey = (id: ServerId, hostId: string) => ({ pk: `HOSTHW#${id.kind}#${id.value}`, sk: hostId });
const endpointHostKey = (endpointId: string, hostId: string) => ({ pk: `IDRACHOST#${endpointId}`, sk: hostId });

export async function findHostLink(store: Store, hostId: string): Promise<HostLinkRecord | undefined> {
  const item = await store.get(linkKey(hostId));
  return item ? stripKeys<HostLinkRecord>(item) : undefined;
}

/** Many hosts' links in one batched read: host id → record (hosts without one are left out). */
export async function findHostLinks(store: Store, hostIds: string[]): Promise<Map<string, HostLinkRecord>> {
  if (!hostIds.length) return new Map();
  const items = await store.getMany(hostIds.map(linkKey));
  return new Map(items.map((i) => [String(i.host_id), stripKeys<HostLinkRecord>(i)]));
}

/** Writes the link if the stored one is still at `expectedVersion` (absent when undefined); ConditionFailedError otherwise. */
export async function putHostLink(store: Store, record: HostLinkRecord, expectedVersion?: number): Promise<void> {
  await store.put(
    { ...linkKey(record.host_id), ...record },
    expectedVersion === undefined ? { kind: 'absent' } : { kind: 'version', version: expectedVersion },
  );
}

export async function deleteHostLinks(store: Store, hostIds: string[]): Promise<void> {
  await store.deleteMany(hostIds.map(linkKey));
}

/** Hosts and some of their identities. */
export type HostIds = { host_id: string; ids: ServerId[] };

/** Indexes hosts under the identities they report, in batched writes (unconditional: one item per host and identity). */
export async function holdHostIds(store: Store, hosts: HostIds[]): Promise<void> {
  const items = hosts.flatMap((h) => h.ids.map((id) => ({ ...idKey(id, h.host_id), host_id: h.host_id })));
  if (items.length) await store.putMany(items);
}

export async function releaseHostIds(store: Store, hosts: HostIds[]): Promise<void> {
  const keys = hosts.flatMap((h) => h.ids.map((id) => idKey(id, h.host_id)));
  if (keys.length) await store.deleteMany(keys);
}

/** The hosts indexed under one identity (a handful: more is a data problem worth seeing anyway). */
export async function hostsReporting(store: Store, id: ServerId): Promise<string[]> {
  const page = await store.query({ pk: `HOSTHW#${id.kind}#${id.value}`, limit: 100 });
  return page.items.map((i) => i.sk);
}

export async function noteEndpointHosts(store: Store, endpointIds: string[], hostId: string): Promise<void> {
  if (endpointIds.length) await store.putMany(endpointIds.map((e) => ({ ...endpointHostKey(e, hostId), host_id: hostId, endpoint_id: e })));
}

export async function forgetEndpointHosts(store: Store, endpointIds: string[], hostId: string): Promise<void> {
  if (endpointIds.length) await store.deleteMany(endpointIds.map((e) => endpointHostKey(e, hostId)));
}

/** The hosts whose link names an endpoint (or did: see the file comment). */
export async function hostsNaming(store: Store, endpointId: string): Promise<string[]> {
  const page = await store.query({ pk: `IDRACHOST#${endpointId}`, limit: 100 });
  return page.items.map((i) => i.sk);
}
