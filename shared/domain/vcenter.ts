import { z } from 'zod';
import { idSchema } from './ids';
import { PageQuery } from './requests';

/**
 * How EIO trusts a vCenter's certificate. Exactly one of: a CA bundle; a pinned SHA-256 thumbprint (optionally
 * recorded on first contact when `trust_on_first_use` is set); or `insecure: true`, the explicit opt-out.
 */
export type VCenterTls = { ca_pem: string } | { pinned_thumbprint?: string; trust_on_first_use?: boolean } | { insecure: true };

export type InventoryKind = 'datacenter' | 'cluster' | 'host' | 'vm' | 'datastore';

/** An address seen on an inventory object: a host's vmknic, a VM's guest NIC. */
export type IpSighting = { address: string; mac?: string; hostname?: string; hardware_ids?: Record<string, string> };

/** An inventory object by kind and managed object id (`vm-42`). */
export type InventoryRef = { kind: InventoryKind; moref: string };

/**
 * How a job names a host or cluster of one vCenter instance: `<instance id>/<managed object id>`
 * (`vc-001/host-21`, `vc-001/domain-c7`), unique across instances where a managed object id alone is not.
 */
export const inventoryTargetId = (instanceId: string, moref: string): string => `${instanceId}/${moref}`;

/** The parts of a host or cluster target id; undefined for anything else. */
export function parseInventoryTarget(id: string): { instance_id: string; moref: string; kind: 'host' | 'cluster' } | undefined {
  // vCenter names clusters domain-c<n>; vcsim names them clustercomputeresource-<n>.
  const m = /^(vc-[^/\s]+)\/((host-|domain-c|clustercomputeresource-)[^/\s]*)$/.exec(id);
  if (!m) return undefined;
  return { instance_id: m[1]!, moref: m[2]!, kind: m[3] === 'host-' ? 'host' : 'cluster' };
}

/**
 * One object as the vCenter port reads it: the fields EIO keeps (`data`) and the addresses it shows. Names of
 * related objects are not vCenter's to tell in a delta (the related object may not have changed), so `data`
 * leaves them unset for the sync to fill in from what it knows: a VM's `host_name`, `cluster` and
 * `cluster_name`, a host's `cluster_name`. `placement` says which objects those are.
 */
export type InventoryObject = InventoryRef & {
  name: string;
  data: Record<string, unknown>;
  ips: IpSighting[];
  /** A VM's host; a host's cluster; a cluster's hosts (managed object ids). */
  placement?: { host?: string; cluster?: string; hosts?: string[] };
};

export type SyncType = 'full' | 'delta';
export type SyncCounts = { datacenters: number; clusters: number; hosts: number; vms: number; datastores: number };
/** `reconfirmed`: unchanged objects a full sync wrote again so their IP observations stay live (also in `written`). */
export type SyncChanges = { written: number; reconfirmed: number; unchanged: number; deleted: number; ip_observations: number };

/** `retrying`: an attempt failed in transport and the next one is queued for `next_attempt_at`. */
export type SyncRunStatus = 'queued' | 'running' | 'retrying' | 'succeeded' | 'failed';

export type SyncAttemptError = { attempt: number; started_at: string; failed_at: string; error: string };

/** Where a running sync is, so an operator (and a test) can see a long full sync move. */
export type SyncProgress = {
  phase: 'connecting' | 'retrieving' | 'writing' | 'preparing_delta';
  objects_retrieved: number;
  updated_at: string;
};

export type SyncRun = {
  id: string;
  instance_id: string;
  /** What was asked for. */
  sync_type: SyncType;
  /** What ran: a delta that had to fall back runs as full. */
  executed_type?: SyncType;
  fallback_reason?: string;
  status: SyncRunStatus;
  requested_by: string;
  requested_at: string;
  /** First attempt's start; `duration_ms` runs from here to `finished_at`, retries included. */
  started_at?: string;
  finished_at?: string;
  duration_ms?: number;
  /** The succeeded attempt's time per phase (retrieving = vSphere retrieval and parsing, writing = the store). */
  phase_ms?: Partial<Record<SyncProgress['phase'], number>>;
  counts?: SyncCounts;
  changes?: SyncChanges;
  /** The last attempt's error. */
  error?: string;
  /** Attempts started so far; a transport failure is retried until `max_attempts`. */
  attempts?: number;
  max_attempts?: number;
  attempt_started_at?: string;
  /** While `retrying`. */
  next_attempt_at?: string;
  /** While another run holds the instance: that run, and when this one last looked (it looks again until free). */
  queued_behind?: { run_id: string; checked_at: string };
  /** Every failed attempt, oldest first. */
  attempt_errors?: SyncAttemptError[];
  progress?: SyncProgress;
  version: number;
};

/**
 * What a later invocation needs to continue a delta sync. The session cookie and the session-scoped
 * collector, filter and view references (they embed the session key) live in Secrets at `session_secret_ref`.
 */
export type SyncState = {
  /** The PropertyCollector version reached by the last sync. */
  collector_version?: string;
  session_secret_ref?: string;
  prepared_at?: string;
  /**
   * Why the stored version must not be used: a delta attempt asked vCenter for updates and failed before
   * applying them, so the collector may have moved past changes EIO never wrote. The next sync runs full.
   */
  invalidated?: string;
};

export type VCenterInstance = {
  id: string;
  name: string;
  description: string;
  url: string;
  site_id: string;
  service_identity_id: string;
  tls: VCenterTls;
  reachable?: boolean;
  api_version?: string;
  last_contact_at?: string;
  last_contact_error?: string;
  last_sync?: Pick<
    SyncRun,
    | 'id'
    | 'sync_type'
    | 'executed_type'
    | 'status'
    | 'started_at'
    | 'finished_at'
    | 'duration_ms'
    | 'counts'
    | 'error'
    | 'fallback_reason'
    | 'attempts'
    | 'max_attempts'
    | 'next_attempt_at'
  >;
  /** Last successful sync finish time: sync age is measured from here. */
  last_successful_sync_at?: string;
  /** Objects stored after the last successful sync, so a delta can report totals without reading them all. */
  inventory_counts?: SyncCounts;
  sync_state?: SyncState;
  /** Held by the sync run in progress (one per instance at a time). */
  sync_lease?: { run_id: string; until: string };
  created_at: string;
  updated_at: string;
  created_by: string;
  version: number;
};

const sdkUrl = z
  .string()
  .url()
  .refine(
    (v) => {
      try {
        const u = new URL(v);
        return u.protocol === 'https:' && u.pathname.replace(/\/+$/, '') === '/sdk' && !u.username && !u.password;
      } catch {
        return false;
      }
    },
    { message: 'must be https://<vcenter>/sdk (no credentials in the URL)' },
  );

const thumbprint = z
  .string()
  .regex(/^([0-9A-Fa-f]{2}[:\s-]?){31}[0-9A-Fa-f]{2}$/, { message: 'must be a SHA-256 thumbprint (64 hex digits, colons allowed)' });

const pem = z
  .string()
  .max(65_536)
  .refine((v) => v.includes('-----BEGIN CERTIFICATE-----'), { message: 'must be PEM certificate(s)' });

export const VCenterTlsInput = z.union([
  z.strictObject({ ca_pem: pem }),
  z.strictObject({ insecure: z.literal(true) }),
  z
    .strictObject({ pinned_thumbprint: thumbprint.optional(), trust_on_first_use: z.boolean().optional() })
    .refine((t) => t.pinned_thumbprint !== undefined || t.trust_on_first_use === true, {
      message: 'give ca_pem, pinned_thumbprint, trust_on_first_use: true, or insecure: true',
    }),
]);

export const VCenterInstanceCreate = z.strictObject({
  id: idSchema('vcenter_instance').optional(),
  name: z.string().trim().min(1).max(128).optional(),
  description: z.string().max(1024).default(''),
  url: sdkUrl,
  site_id: z.string().min(1),
  service_identity_id: z.string().min(1),
  tls: VCenterTlsInput,
});
export type VCenterInstanceCreate = z.output<typeof VCenterInstanceCreate>;

export const VCenterInstanceUpdate = z
  .strictObject({
    name: z.string().trim().min(1).max(128).optional(),
    description: z.string().max(1024).optional(),
    url: sdkUrl.optional(),
    site_id: z.string().min(1).optional(),
    service_identity_id: z.string().min(1).optional(),
    tls: VCenterTlsInput.optional(),
    version: z.number().int().positive().optional(),
  })
  .refine((u) => Object.keys(u).some((k) => k !== 'version'), { message: 'names no field to change' });
export type VCenterInstanceUpdate = z.output<typeof VCenterInstanceUpdate>;

export const SyncRequest = z.strictObject({
  instance_ids: z.array(z.string().min(1)).min(1).max(100),
  sync_type: z.enum(['full', 'delta']).default('delta'),
});
export type SyncRequest = z.output<typeof SyncRequest>;

export const SyncRunQuery = PageQuery.extend({ instance_id: z.string().min(1).optional() });

export const InventoryQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  next_token: z.string().optional(),
  name: z.string().optional(),
  power_state: z.enum(['poweredOn', 'poweredOff', 'suspended']).optional(),
  host: z.string().optional(),
  cluster: z.string().optional(),
});
