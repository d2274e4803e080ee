/**
 * Host ↔ iDRAC links: computed when a sync writes a host whose identities changed and when an endpoint is
 * created, refreshed, moved or deleted, each in a constant number of store operations through the identity
 * indexes (records/hardware-ids.ts for endpoints, records/host-idrac-links.ts for hosts), never a scan.
 * Either side writing after the other finds it: a sync indexes the host before it looks for endpoints, an
 * endpoint is indexed before it looks for hosts, and the link record is written conditionally on its version.
 * `idracOfHost` and `idracsOfCluster` are what firmware and power jobs ask.
 */
import type { DellEndpoint } from '../domain/dell-endpoint';
import { NotFoundError } from '../domain/errors';
import {
  endpointsOfLink,
  type HostIdracLink,
  type LinkBasis,
  linkOf,
  type ServerId,
  sameServerIds,
  serverIdsOfEndpoint,
  serverIdsOfHost,
} from '../domain/host-idrac-link';
import { inventoryTargetId, parseInventoryTarget } from '../domain/vcenter';
import { mapBounded } from '../lib/async';
import { isoNow } from '../ports/clock';
import { ConditionFailedError } from '../ports/store';
import { dellEndpoints, findAddressClaim } from '../records/dell-endpoints';
import { holdersOf } from '../records/hardware-ids';
import {
  deleteHostLinks,
  findHostLink,
  findHostLinks,
  forgetEndpointHosts,
  type HostLinkRecord,
  holdHostIds,
  hostsNaming,
  hostsReporting,
  noteEndpointHosts,
  putHostLink,
  releaseHostIds,
} from '../records/host-idrac-links';
import { getInventory, getInventoryMany, type InventoryRecord } from '../records/vcenter';
import type { Deps } from './deps';

type LinkDeps = Pick<Deps, 'store' | 'clock'>;
/** Hosts relinked at once after a sync batch or an endpoint write. */
const RELINK_CONCURRENCY = 8;
const MAX_RELINK_ATTEMPTS = 5;

/** The endpoints that report any of these identities now, each with everything it reports. */
async function endpointsReporting(deps: LinkDeps, ids: ServerId[]) {
  const found = await Promise.all(
    ids.map(async (id): Promise<string[]> => {
      if (id.kind === 'bmc_address') {
        const claim = await findAddressClaim(deps.store, id.value);
        return claim ? [claim.endpoint_id] : [];
      }
      const holders = await holdersOf(deps.store, id.kind === 'bmc_mac' ? 'idrac_mac' : id.kind, id.value);
      return holders.map((h) => h.endpoint_id);
    }),
  );
  const endpointIds = [...new Set(found.flat())];
  if (!endpointIds.length) return [];
  // A holder or claim may be stale (the endpoint moved on or is gone): what the endpoint reports now decides.
  const endpoints = await dellEndpoints.findMany(deps.store, endpointIds);
  return [...endpoints.values()].map((ep) => ({ endpoint_id: ep.id, address: ep.address, ids: serverIdsOfEndpoint(ep) }));
}

type HostToLink = { host_id: string; name: string; ids: ServerId[] };

/**
 * Computes the host's link and stores it when it changed (with the endpoints' side of it); a concurrent
 * relink of the same host makes it read and compute again. Only a sync passes `indexed`, the identities it
 * just indexed the host under: the others keep the record's, so a sync always sees which ones it indexed.
 */
async function relinkHost(
  deps: LinkDeps,
  host: HostToLink,
  indexed?: ServerId[],
  readBefore?: { stored?: HostLinkRecord },
): Promise<HostLinkRecord> {
  for (let attempt = 1; ; attempt++) {
    // A link read in a batch before saves the first read; its write is conditional on that version all the same.
    const stored = attempt === 1 && readBefore ? readBefore.stored : await findHostLink(deps.store, host.host_id);
    const link = linkOf(host.ids, await endpointsReporting(deps, host.ids));
    const ids = indexed ?? stored?.ids ?? [];
    const same =
      stored && stored.name === host.name && sameServerIds(stored.ids, ids) && JSON.stringify(stored.link) === JSON.stringify(link);
    if (same) return stored;
    const next: HostLinkRecord = {
      host_id: host.host_id,
      name: host.name,
      ids,
      link,
      linked_at: isoNow(deps.clock),
      version: (stored?.version ?? 0) + 1,
    };
    const named = endpointsOfLink(link).map((c) => c.endpoint_id);
    await noteEndpointHosts(deps.store, named, host.host_id);
    try {
      await putHostLink(deps.store, next, stored?.version);
    } catch (e) {
      if (!(e instanceof ConditionFailedError) || attempt >= MAX_RELINK_ATTEMPTS) throw e;
      continue;
    }
    const dropped = stored
      ? endpointsOfLink(stored.link)
          .map((c) => c.endpoint_id)
          .filter((id) => !named.includes(id))
      : [];
    await forgetEndpointHosts(deps.store, dropped, host.host_id);
    return next;
  }
}

/**
 * After a sync wrote (or found unchanged) these hosts: those whose identities or name changed since their link
 * was computed, or that have none yet, are indexed under their identities and relinked; the others keep theirs.
 */
export async function linkSyncedHosts(
  deps: LinkDeps,
  instanceId: string,
  hosts: Array<Pick<InventoryRecord, 'moref' | 'name' | 'data'>>,
): Promise<void> {
  const wanted = hosts.map((r) => ({ host_id: inventoryTargetId(instanceId, r.moref), name: r.name, ids: serverIdsOfHost(r.data) }));
  const stored = await findHostLinks(
    deps.store,
    wanted.map((h) => h.host_id),
  );
  const changed = wanted.filter((h) => {
    const s = stored.get(h.host_id);
    return !s || s.name !== h.name || !sameServerIds(s.ids, h.ids);
  });
  // All of them indexed in batched writes before any looks for endpoints (a first sync: one request per 25
  // identities, not one per host); what a host no longer reports is released once it is relinked.
  await holdHostIds(deps.store, changed);
  await mapBounded(changed, RELINK_CONCURRENCY, async (host) => {
    const keys = new Set(host.ids.map((id) => `${id.kind}#${id.value}`));
    const before = stored.get(host.host_id)?.ids ?? [];
    await relinkHost(deps, host, host.ids);
    await releaseHostIds(deps.store, [{ host_id: host.host_id, ids: before.filter((id) => !keys.has(`${id.kind}#${id.value}`)) }]);
  });
}

/** Hosts gone from vCenter (a sync's deletions, an instance deleted): their links and index items go too. */
export async function unlinkHosts(deps: Pick<Deps, 'store'>, hostIds: string[]): Promise<void> {
  const stored = await findHostLinks(deps.store, hostIds);
  await releaseHostIds(deps.store, [...stored.values()]);
  for (const s of stored.values()) {
    await forgetEndpointHosts(
      deps.store,
      endpointsOfLink(s.link).map((c) => c.endpoint_id),
      s.host_id,
    );
  }
  await deleteHostLinks(deps.store, hostIds);
}

/**
 * After an endpoint was created, refreshed, moved or deleted (`after` undefined): relinks every host that
 * reports one of its identities, before or after, and every host whose link named it.
 */
export async function relinkHostsOfEndpoint(deps: LinkDeps, before: DellEndpoint | undefined, after: DellEndpoint | undefined) {
  const endpointId = (after ?? before)?.id;
  if (!endpointId) return;
  const ids = [...(before ? serverIdsOfEndpoint(before) : []), ...(after ? serverIdsOfEndpoint(after) : [])];
  const found = await Promise.all([...ids.map((id) => hostsReporting(deps.store, id)), hostsNaming(deps.store, endpointId)]);
  const hostIds = [...new Set(found.flat())];
  await mapBounded(hostIds, RELINK_CONCURRENCY, async (hostId) => {
    const host = await syncedHost(deps, hostId);
    if (!host) return unlinkHosts(deps, [hostId]);
    const { link } = await relinkHost(deps, host);
    // An index item left by a relink that lost its race names an endpoint the link never did.
    if (!endpointsOfLink(link).some((c) => c.endpoint_id === endpointId)) await forgetEndpointHosts(deps.store, [endpointId], hostId);
  });
}

/** The host as the last sync wrote it, with the identities it reports; undefined when it is not in the inventory. */
async function syncedHost(deps: Pick<Deps, 'store'>, hostId: string): Promise<HostToLink | undefined> {
  const target = parseInventoryTarget(hostId);
  const record = target?.kind === 'host' ? await getInventory(deps.store, target.instance_id, 'host', target.moref) : undefined;
  return record ? { host_id: hostId, name: record.name, ids: serverIdsOfHost(record.data) } : undefined;
}

/**
 * The iDRAC of a synced host (`vc-001/host-21`), computed now from what the host and the endpoints report;
 * 404 when the host is not in the inventory.
 */
export async function idracOfHost(deps: LinkDeps, hostId: string): Promise<HostIdracLink> {
  const host = await syncedHost(deps, hostId);
  if (!host) throw new NotFoundError('vCenter host', hostId);
  return (await relinkHost(deps, host)).link;
}

/**
 * The iDRACs of many synced hosts, each computed now as idracOfHost does, the hosts' records and their stored
 * links read in one batch each: host id → link, hosts not in the inventory left out.
 */
export async function idracsOfHosts(deps: LinkDeps, hostIds: string[]): Promise<Map<string, HostIdracLink>> {
  const refs = hostIds.flatMap((id) => {
    const t = parseInventoryTarget(id);
    return t?.kind === 'host' ? [t] : [];
  });
  const [records, stored] = await Promise.all([
    getInventoryMany(deps.store, refs),
    findHostLinks(
      deps.store,
      refs.map((r) => inventoryTargetId(r.instance_id, r.moref)),
    ),
  ]);
  const hosts = records.map((r) => ({ host_id: inventoryTargetId(r.instance_id, r.moref), name: r.name, ids: serverIdsOfHost(r.data) }));
  const links = await mapBounded(hosts, RELINK_CONCURRENCY, async (h) => {
    const linked = await relinkHost(deps, h, undefined, { stored: stored.get(h.host_id) });
    return [h.host_id, linked.link] as const;
  });
  return new Map(links);
}

export type ClusterHostLink = { host_id: string; name: string; link: HostIdracLink };

/** The iDRAC of each host of a synced cluster (`vc-001/domain-c7`), in the cluster's host order; 404 for an unknown cluster. */
export async function idracsOfCluster(deps: LinkDeps, clusterId: string): Promise<ClusterHostLink[]> {
  const target = parseInventoryTarget(clusterId);
  const cluster = target?.kind === 'cluster' ? await getInventory(deps.store, target.instance_id, 'cluster', target.moref) : undefined;
  if (!target || !cluster) throw new NotFoundError('vCenter cluster', clusterId);
  const hostIds = ((cluster.data.hosts as string[] | undefined) ?? []).map((moref) => inventoryTargetId(target.instance_id, moref));
  const links = await mapBounded(hostIds, RELINK_CONCURRENCY, async (hostId) => {
    const host = await syncedHost(deps, hostId);
    return host ? { host_id: hostId, name: host.name, link: (await relinkHost(deps, host)).link } : undefined;
  });
  return links.filter((l): l is ClusterHostLink => l !== undefined);
}

/** The links of a page of host records, in one batched read: host moref → link. */
export async function linksOfHosts(deps: Pick<Deps, 'store'>, instanceId: string, morefs: string[]) {
  const stored = await findHostLinks(
    deps.store,
    morefs.map((m) => inventoryTargetId(instanceId, m)),
  );
  return new Map(morefs.map((m) => [m, stored.get(inventoryTargetId(instanceId, m))?.link]));
}

export type EndpointHost = { host_id: string; name: string; status: 'linked' | 'ambiguous'; basis: { kind: LinkBasis; value: string }[] };

/** The hosts whose link names this endpoint (linked to it, or one of two candidates), for the endpoint view. */
export async function hostsOfEndpoint(deps: Pick<Deps, 'store'>, endpointId: string): Promise<EndpointHost[]> {
  const hostIds = await hostsNaming(deps.store, endpointId);
  const stored = await findHostLinks(deps.store, hostIds);
  const out: EndpointHost[] = [];
  for (const hostId of hostIds) {
    const s = stored.get(hostId);
    const mine = s && endpointsOfLink(s.link).find((c) => c.endpoint_id === endpointId);
    if (!s || !mine) continue; // stale: its link moved on, and the next relink of the host removes the item
    out.push({ host_id: hostId, name: s.name, status: s.link.status as 'linked' | 'ambiguous', basis: mine.basis });
  }
  return out;
}
