/**
 * Which iDRAC manages a vCenter host's server: the host and the endpoint report the same service tag, system
 * UUID, or BMC MAC or address (what vCenter reports of the host's IPMI/BMC). A host links to exactly one
 * endpoint; no candidate or two candidates is said as such, never guessed, because a firmware update or a
 * power action sent through the wrong iDRAC reaches the wrong server.
 */
import type { DellEndpoint } from './dell-endpoint';
import { hardwareIdsOf } from './dell-endpoint';

/** What a link rests on, strongest first. */
export const LINK_BASES = ['service_tag', 'system_uuid', 'bmc_mac', 'bmc_address'] as const;
export type LinkBasis = (typeof LINK_BASES)[number];
export type ServerId = { kind: LinkBasis; value: string };

/** A candidate iDRAC and the identities it shares with the host. */
export type LinkCandidate = { endpoint_id: string; address: string; basis: ServerId[] };

export type HostIdracLink =
  | ({ status: 'linked' } & LinkCandidate)
  /** `looked_for`: the identities the host reports, none of which an endpoint reports (empty: vCenter told none). */
  | { status: 'none'; looked_for: ServerId[] }
  | { status: 'ambiguous'; candidates: LinkCandidate[] };

/** A Dell service tag: 7 letters and digits. vcsim and virtual platforms report placeholders that are not one. */
const SERVICE_TAG = /^[A-Z0-9]{7}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NIL_UUID = '00000000-0000-0000-0000-000000000000';
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

const normalMac = (mac: string) => mac.trim().toLowerCase().replace(/-/g, ':');

/** The host fields the link reads (shared/adapters/vsphere/inventory-mapping.ts writes them). */
export type HostServerFields = { service_tag?: unknown; hardware_uuid?: unknown; bmc_mac?: unknown; bmc_address?: unknown };

/** The identities a host's data reports, normalised as the endpoints' are; placeholders are left out. */
export function serverIdsOfHost(data: HostServerFields): ServerId[] {
  const ids: ServerId[] = [];
  const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  const tag = text(data.service_tag).toUpperCase();
  if (SERVICE_TAG.test(tag)) ids.push({ kind: 'service_tag', value: tag });
  const uuid = text(data.hardware_uuid).toLowerCase();
  if (UUID.test(uuid) && uuid !== NIL_UUID) ids.push({ kind: 'system_uuid', value: uuid });
  const mac = normalMac(text(data.bmc_mac));
  if (MAC.test(mac) && mac !== '00:00:00:00:00:00') ids.push({ kind: 'bmc_mac', value: mac });
  const address = text(data.bmc_address);
  if (IPV4.test(address) && address !== '0.0.0.0') ids.push({ kind: 'bmc_address', value: address });
  return ids;
}

/** The identities an endpoint offers a host: its server's, its own MAC and its address. */
export function serverIdsOfEndpoint(
  ep: Pick<DellEndpoint, 'service_tag' | 'system_uuid' | 'idrac_nic' | 'device' | 'address'>,
): ServerId[] {
  const ids: ServerId[] = hardwareIdsOf(ep).map((id) => ({ kind: id.kind === 'idrac_mac' ? 'bmc_mac' : id.kind, value: id.value }));
  ids.push({ kind: 'bmc_address', value: ep.address });
  return ids;
}

const idKey = (id: ServerId) => `${id.kind}#${id.value}`;
const strength = (id: ServerId) => LINK_BASES.indexOf(id.kind);

/**
 * The link from what the host reports and the endpoints found for those identities (each with the
 * identities it reports now, each endpoint once): an endpoint is a candidate when it shares at least one with the host.
 */
export function linkOf(
  hostIds: ServerId[],
  endpoints: Array<Pick<LinkCandidate, 'endpoint_id' | 'address'> & { ids: ServerId[] }>,
): HostIdracLink {
  const wanted = new Set(hostIds.map(idKey));
  const candidates: LinkCandidate[] = endpoints
    .map((e) => ({
      endpoint_id: e.endpoint_id,
      address: e.address,
      basis: e.ids.filter((id) => wanted.has(idKey(id))).sort((a, b) => strength(a) - strength(b)),
    }))
    .filter((c) => c.basis.length > 0)
    .sort((a, b) => a.endpoint_id.localeCompare(b.endpoint_id));
  if (candidates.length === 1) return { status: 'linked', ...candidates[0]! };
  if (candidates.length === 0) return { status: 'none', looked_for: hostIds };
  return { status: 'ambiguous', candidates };
}

/** The endpoints a link names (the linked one, or every candidate). */
export const endpointsOfLink = (link: HostIdracLink): LinkCandidate[] =>
  link.status === 'linked' ? [link] : link.status === 'ambiguous' ? link.candidates : [];

export const sameServerIds = (a: ServerId[], b: ServerId[]) =>
  a.length === b.length && a.map(idKey).sort().join('|') === b.map(idKey).sort().join('|');
