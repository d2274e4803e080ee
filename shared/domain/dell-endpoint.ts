import { z } from 'zod';
import type {
  CapabilityFingerprint,
  IdracErrorInfo,
  IdracFirmwareItem,
  IdracGeneration,
  IdracHealth,
  IdracHostNic,
  IdracPowerState,
  TlsFacts,
} from '../ports/idrac';
import { idSchema } from './ids';

export const ENDPOINT_STATUSES = ['unknown', 'reachable', 'unreachable'] as const;
export type EndpointStatus = (typeof ENDPOINT_STATUSES)[number];

/** How EIO trusts the endpoint's certificate (see docs/idrac-clients.md, "Trust without ever disabling verification"). */
export type EndpointTls = { pinned_thumbprint?: string; ca_pem?: string; insecure: boolean; legacy: boolean };

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
  last_error?: IdracErrorInfo | null;
  /** When the endpoint became unreachable (kept across failed probes, cleared when it answers again). */
  unreachable_since?: string | null;
  last_checked_at?: string;
  last_reachable_at?: string;
  inventory_at?: string;
  protocols?: CapabilityFingerprint['protocols'];
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
  /** How the endpoint came to be: `api` or a discovery run id. */
  source: string;
  created_at: string;
  updated_at: string;
  created_by: string;
  version: number;
};

const ipv4 = z
  .string()
  .regex(/^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/, { message: 'must be an IPv4 address such as 10.45.12.17' });
const port = z.number().int().min(1).max(65535);
const thumbprint = z
  .string()
  .transform((v) => v.replace(/[:\s]/g, '').toUpperCase())
  .refine((v) => /^[0-9A-F]{64}$/.test(v), { message: 'must be a SHA-256 thumbprint (64 hex digits, colons optional)' })
  .transform((v) => v.match(/../g)!.join(':'));

const tls = z.strictObject({
  pinned_thumbprint: thumbprint.optional(),
  ca_pem: z.string().includes('-----BEGIN CERTIFICATE-----', { message: 'must be a PEM certificate bundle' }).max(65536).optional(),
  insecure: z.boolean().default(false),
  legacy: z.boolean().default(false),
});

export const DellEndpointCreate = z.strictObject({
  id: idSchema('dell_endpoint').optional(),
  address: ipv4,
  site_id: idSchema('site'),
  service_identity_id: idSchema('service_identity').optional(),
  /** Defaults to the site's override, else 443 / 5986. */
  redfish_port: port.optional(),
  wsman_port: port.optional(),
  tls: tls.default({ insecure: false, legacy: false }),
});
export type DellEndpointCreate = z.output<typeof DellEndpointCreate>;

export const DellEndpointUpdate = z
  .strictObject({
    address: ipv4.optional(),
    service_identity_id: idSchema('service_identity').nullable().optional(),
    redfish_port: port.optional(),
    wsman_port: port.optional(),
    tls: tls.optional(),
    version: z.number().int().positive().optional(),
  })
  .refine((u) => Object.keys(u).some((k) => k !== 'version'), { message: 'names no field to change' });
export type DellEndpointUpdate = z.output<typeof DellEndpointUpdate>;

export const DellEndpointQuery = z.object({
  site_id: z.string().optional(),
  status: z.enum(ENDPOINT_STATUSES).optional(),
  generation: z.enum(['idrac9', 'idrac8', 'idrac7', 'unknown']).optional(),
  model: z.string().optional(),
});

export const isIpv4 = (v: string) => ipv4.safeParse(v).success;
