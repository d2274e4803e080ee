import { isIPv4 } from 'node:net';
import { z } from 'zod';
import { notAHostAddress } from './cidr';
import type { OutsideSiteNetworks } from './credential-reach';
import type { DeviceIdentity } from './device-identity';
import { ConflictError } from './errors';
import {
  type CapabilityFingerprint,
  IDRAC_GENERATIONS,
  type IdracErrorInfo,
  type IdracFirmwareItem,
  type IdracGeneration,
  type IdracHealth,
  type IdracHostNic,
  type IdracPowerState,
  type TlsFacts,
} from './idrac';
import { idSchema } from './ids';
import { PageQuery } from './requests';

export const ENDPOINT_STATUSES = ['unknown', 'reachable', 'unreachable'] as const;
export type EndpointStatus = (typeof ENDPOINT_STATUSES)[number];

/** How EIO trusts the endpoint's certificate (see docs/idrac-clients.md, "Trust without ever disabling verification"). */
export type EndpointTls = { pinned_thumbprint?: string; ca_pem?: string; insecure: boolean; legacy: boolean };

/**
 * An endpoint's last error: the iDRAC port's codes, plus two only the endpoint level can say: `tls_legacy_only`
 * (it depends on the endpoint not being marked legacy, and the fix is a change to the endpoint), and
 * `credential_withheld` (EIO refused to send the credential: the address lies outside the site's networks).
 */
export type EndpointErrorInfo = Omit<IdracErrorInfo, 'code'> & { code: IdracErrorInfo['code'] | 'tls_legacy_only' | 'credential_withheld' };

/** Another endpoint that reports the same hardware identity as this one. */
export type EndpointConflict = { endpoint_id: string; address: string; matched: HardwareIdKind; value: string };
export const HARDWARE_ID_KINDS = ['service_tag', 'system_uuid', 'idrac_mac'] as const;
export type HardwareIdKind = (typeof HARDWARE_ID_KINDS)[number];

/** The hardware identities an endpoint reports (from the inventory, or the iDRAC9 service root before login). */
export function hardwareIdsOf(ep: Pick<DellEndpoint, 'service_tag' | 'system_uuid' | 'idrac_nic' | 'device'>): Array<{
  kind: HardwareIdKind;
  value: string;
}> {
  const mac = ep.idrac_nic?.mac || ep.device?.manager_mac;
  const ids: Array<{ kind: HardwareIdKind; value: string }> = [];
  if (ep.service_tag) ids.push({ kind: 'service_tag', value: ep.service_tag.toUpperCase() });
  if (ep.system_uuid) ids.push({ kind: 'system_uuid', value: ep.system_uuid.toLowerCase() });
  if (mac) ids.push({ kind: 'idrac_mac', value: mac.toLowerCase() });
  return ids;
}

/** 409 when an address is already an endpoint: one iDRAC, one record (docs/idrac-clients.md, "One address, one endpoint"). */
export class AddressInUseError extends ConflictError {
  constructor(
    readonly address: string,
    readonly endpointId: string,
    siteId?: string,
  ) {
    super(
      `iDRAC address ${address} is already registered as endpoint '${endpointId}'${siteId ? ` (site '${siteId}')` : ''}; ` +
        'change or delete that one instead',
      { address, endpoint_id: endpointId, ...(siteId ? { site_id: siteId } : {}) },
    );
  }
}

/**
 * A Dell iDRAC EIO manages, with the capability discovery result of its last probe and inventory.
 * Capability fields stay absent until a probe or inventory filled them.
 */
export type DellEndpoint = {
  id: string;
  site_id: string;
  address: string;
  /** The endpoint's own credential; without one the site's `idrac_service_identity_id` is used. */
  service_identity_id?: string;
  redfish_port: number;
  wsman_port: number;
  tls: EndpointTls;
  status: EndpointStatus;
  /** Why the last probe or inventory failed (`{code, message, details}`; a certificate mismatch carries both thumbprints). */
  last_error?: EndpointErrorInfo | null;
  /** When the endpoint became unreachable (kept across failed probes, cleared when it answers again). */
  unreachable_since?: string | null;
  last_checked_at?: string;
  last_reachable_at?: string;
  inventory_at?: string;
  /** When `firmware` was read last: by an inventory, or alone by a firmware update's verification (then later than `inventory_at`). */
  firmware_at?: string;
  protocols?: CapabilityFingerprint['protocols'];
  /** What the last probe found at the address before any login; a device that is not an iDRAC gets no credential. */
  device?: DeviceIdentity;
  /**
   * Other endpoints reporting the same server (service tag, system UUID or iDRAC MAC): one server registered
   * under two addresses. Set on both; cleared by the next refresh once they no longer match.
   */
  conflicts?: EndpointConflict[] | null;
  generation?: IdracGeneration;
  generation_basis?: CapabilityFingerprint['generation_basis'] | 'inventory';
  firmware_version?: string;
  model?: string;
  manager_model?: string;
  service_tag?: string;
  system_uuid?: string;
  bios_version?: string;
  power_state?: IdracPowerState;
  health_rollup?: IdracHealth;
  firmware?: IdracFirmwareItem[];
  nics?: IdracHostNic[];
  idrac_nic?: { mac: string; ipv4: string | null };
  tls_facts?: TlsFacts;
  /** Set when the thumbprint was pinned by trust on first use. */
  pinned_by_tofu_at?: string;
  /** An admin allowed this address outside the site's management networks, saying why (for this address only). */
  outside_site_networks?: OutsideSiteNetworks;
  /** How the endpoint came to be: `api` or a discovery run id. */
  source: string;
  created_at: string;
  updated_at: string;
  created_by: string;
  version: number;
};

const ipv4 = z
  .string()
  .regex(/^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/, {
    message: 'must be an IPv4 address such as 10.45.12.17',
  })
  .superRefine((ip, ctx) => {
    if (!isIPv4(ip)) return; // the regex said so already
    const why = notAHostAddress(ip);
    if (why) ctx.addIssue({ code: 'custom', message: `must be a unicast host address: ${why}` });
  });
const port = z.number().int().min(1).max(65535);
const thumbprint = z
  .string()
  .transform((v) => v.replace(/[:\s]/g, '').toUpperCase())
  .refine((v) => /^[0-9A-F]{64}$/.test(v), { message: 'must be a SHA-256 thumbprint (64 hex digits, colons optional)' })
  .transform((v) => v.match(/../g)!.join(':'));

const caPem = z.string().includes('-----BEGIN CERTIFICATE-----', { message: 'must be a PEM certificate bundle' }).max(65536);
const tls = z.strictObject({
  pinned_thumbprint: thumbprint.optional(),
  ca_pem: caPem.optional(),
  insecure: z.boolean().default(false),
  legacy: z.boolean().default(false),
});
/**
 * PATCH merges `tls` field by field (JSON merge patch): `{"tls": {"legacy": true}}` keeps the pin; `null`
 * removes a pin or CA bundle.
 */
const tlsChange = z.strictObject({
  pinned_thumbprint: thumbprint.nullable().optional(),
  ca_pem: caPem.nullable().optional(),
  insecure: z.boolean().optional(),
  legacy: z.boolean().optional(),
});
export type EndpointTlsChange = z.output<typeof tlsChange>;

/** The endpoint's TLS settings after a PATCH's `tls`. */
export function mergeTls(current: EndpointTls, change: EndpointTlsChange): EndpointTls {
  const next: EndpointTls = { ...current };
  for (const key of ['pinned_thumbprint', 'ca_pem'] as const) {
    if (change[key] === null) delete next[key];
    else if (change[key] !== undefined) next[key] = change[key];
  }
  if (change.insecure !== undefined) next.insecure = change.insecure;
  if (change.legacy !== undefined) next.legacy = change.legacy;
  return next;
}

/** An admin's reason for an address outside the site's management networks (docs/idrac-clients.md). */
const outsideSiteNetworks = z.strictObject({ reason: z.string().trim().min(1).max(512) });

export const DellEndpointCreate = z.strictObject({
  id: idSchema('dell_endpoint').optional(),
  address: ipv4,
  site_id: idSchema('site'),
  service_identity_id: idSchema('service_identity').optional(),
  /** Defaults to the site's override, else 443 / 5986. */
  redfish_port: port.optional(),
  wsman_port: port.optional(),
  tls: tls.default({ insecure: false, legacy: false }),
  outside_site_networks: outsideSiteNetworks.optional(),
});
export type DellEndpointCreate = z.output<typeof DellEndpointCreate>;

export const DellEndpointUpdate = z
  .strictObject({
    address: ipv4.optional(),
    service_identity_id: idSchema('service_identity').nullable().optional(),
    redfish_port: port.optional(),
    wsman_port: port.optional(),
    tls: tlsChange.optional(),
    /** `null` withdraws the admin's allowance (the address must then lie in the site's networks). */
    outside_site_networks: outsideSiteNetworks.nullable().optional(),
    version: z.number().int().positive().optional(),
  })
  .refine((u) => Object.keys(u).some((k) => k !== 'version'), { message: 'names no field to change' });
export type DellEndpointUpdate = z.output<typeof DellEndpointUpdate>;

export const DellEndpointQuery = z.object({
  site_id: z.string().optional(),
  status: z.enum(ENDPOINT_STATUSES).optional(),
  generation: z.enum(IDRAC_GENERATIONS).optional(),
  model: z.string().optional(),
});
export const DellEndpointListQuery = PageQuery.extend(DellEndpointQuery.shape);

export const isIpv4 = (v: string) => ipv4.safeParse(v).success;
