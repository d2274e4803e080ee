/**
 * Idrac: what discovery, inventory and the maintenance job need from a Dell iDRAC, whichever protocol
 * answers — Redfish (iDRAC9, and iDRAC7/8 on 2.x firmware) or WS-Management (iDRAC7/8). Callers never
 * choose the protocol: the adapter probes, records what answered and falls back. Secrets pass through
 * as arguments only; nothing here stores or logs them.
 */

export type IdracGeneration = 'idrac9' | 'idrac8' | 'idrac7' | 'unknown';
export type IdracProtocol = 'redfish' | 'wsman';

/**
 * How to trust one endpoint's TLS certificate (iDRACs ship self-signed ones). Exactly one of
 * pinnedThumbprint / caPem / insecure is normally set; with none, only the system CAs are trusted, which
 * fails on a factory iDRAC and reports the presented thumbprint (what trust-on-first-use pins).
 */
export interface IdracTlsTrust {
  /** SHA-256 of the certificate's DER; any case, colons optional. That certificate and no other is trusted. */
  pinnedThumbprint?: string;
  /** PEM bundle: the chain and the host name are verified against it. */
  caPem?: string;
  /** Trust whatever certificate is presented. An explicit per-endpoint opt-in (labs); logged as a warning. */
  insecure?: boolean;
  /** Allow TLS 1.0/1.1 for this endpoint only (old iDRAC7/8 firmware); never process-wide. */
  legacy?: boolean;
  /**
   * Trust on first use, for a target with no pin, CA or insecure (the caller's policy allows it): the first
   * handshake is accepted when the certificate's only fault is that nobody vouches for it (self-signed or
   * unknown issuer; not expired); from then on that certificate is the only one accepted.
   * The probe reports its thumbprint (`tls.thumbprint`) for the caller to pin.
   */
  trustOnFirstUse?: boolean;
}

export interface IdracTarget {
  /** IP address or host name of the iDRAC. */
  address: string;
  /** Redfish (and the iDRAC web server); default 443. */
  redfishPort?: number;
  /** WS-Management; default 5986 (the runbook's). */
  wsmanPort?: number;
  tls: IdracTlsTrust;
}

export interface IdracCredential {
  username: string;
  password: string;
}

/** Facts read from the TLS socket of the last handshake (also when the certificate was then refused). */
export interface TlsFacts {
  /** Negotiated protocol, e.g. 'TLSv1.3', 'TLSv1.1'. */
  protocol: string;
  /** SHA-256 of the presented certificate's DER, colon-separated upper-case hex. */
  thumbprint: string;
  /** Certificate expiry, ISO 8601. */
  not_after: string;
  subject?: string;
}

export interface IdracErrorInfo {
  code: IdracErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

/** The capability fingerprint discovery records per endpoint. */
export interface CapabilityFingerprint {
  address: string;
  /** True when at least one protocol answered over a trusted connection. */
  reachable: boolean;
  protocols: {
    redfish?: { version: string; port: number };
    wsman?: { product: string; version: string; port: number };
  };
  /**
   * Best guess from unauthenticated facts; `inventory()` reports the authoritative one (the server
   * generation the iDRAC itself states).
   */
  generation: IdracGeneration;
  generation_basis: 'redfish_version' | 'protocols' | 'none';
  /** The service tag the Redfish service root shows without authentication (iDRAC9), for de-duplication. */
  service_tag?: string;
  tls?: TlsFacts;
  /** Why the endpoint is not usable (only when `reachable` is false, or a certificate was refused). */
  error?: IdracErrorInfo;
  /** Per protocol, what went wrong other than "this protocol is not offered". */
  protocol_errors?: Partial<Record<IdracProtocol, IdracErrorInfo>>;
}

export type IdracPowerState = 'On' | 'Off' | 'PoweringOn' | 'PoweringOff' | 'Unknown';
export type IdracHealth = 'OK' | 'Warning' | 'Critical' | 'Unknown';

export interface IdracFirmwareItem {
  /** Redfish inventory id (`Installed-25227-6.00.30.00__iDRAC.Embedded.1-1`) or WS-Man InstanceID. */
  id: string;
  name: string;
  version: string;
  /** The device, e.g. `iDRAC.Embedded.1-1`, `BIOS.Setup.1-1`. */
  fqdd?: string;
}

export interface IdracHostNic {
  fqdd: string;
  /** Lower-case, colon-separated (the form vCenter reports), so sources correlate by MAC. */
  mac: string;
  /** Usually empty without the iDRAC Service Module on the host; always empty over WS-Man. */
  ipv4: string[];
}

export interface IdracInventory {
  protocol: IdracProtocol;
  /** From the server generation the iDRAC reports (12G → idrac7, 13G → idrac8, 14G–16G → idrac9). */
  generation: IdracGeneration;
  model: string;
  service_tag: string;
  system_uuid: string;
  bios_version: string;
  power_state: IdracPowerState;
  health_rollup: IdracHealth;
  /** Installed versions only (not Previous/Available images). */
  firmware: IdracFirmwareItem[];
  nics: IdracHostNic[];
  /** The iDRAC's own management NIC; ipv4 over WS-Man is the address it was reached on. */
  idrac_nic: { mac: string; ipv4: string | null };
  idrac_firmware: string;
  /** Manager model as the iDRAC states it, e.g. '15G Monolithic'. */
  manager_model?: string;
}

export const RESET_TYPES = [
  'On',
  'ForceOff',
  'ForceRestart',
  'GracefulRestart',
  'GracefulShutdown',
  'PushPowerButton',
  'Nmi',
  'PowerCycle',
] as const;
export type ResetType = (typeof RESET_TYPES)[number];

/** `already_in_state`: the iDRAC refused because the host already is on/off (PSU501/PSU502) — idempotent success. */
export interface PowerResetResult {
  outcome: 'accepted' | 'already_in_state';
  message?: string;
}

export type FirmwareApplyTime = 'Immediate' | 'OnReset' | 'OnStartUpdateRequest';

export interface FirmwareUpdateStarted {
  job_id: string;
  /** Where the iDRAC said to poll (a TaskService task or a Dell job). */
  task_uri?: string;
}

export type IdracJobState = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled' | 'unknown';

export interface IdracJobStatus {
  job_id: string;
  state: IdracJobState;
  /** What the iDRAC said, e.g. Dell JobState 'Scheduled' or TaskState 'Running'. */
  raw_state: string;
  percent_complete: number | null;
  message: string;
  message_id?: string;
  /** Which resource answered: Dell's job queue (newer or older path) or the DMTF TaskService. */
  source: 'dell_jobs' | 'dell_jobs_legacy_path' | 'task_service';
}

export interface CredentialCheck {
  result: 'ok' | 'rejected';
  protocol: IdracProtocol;
  message: string;
}

/** Per-iDRAC resilience state, for the health and endpoint views. */
export interface IdracUpstreamState {
  address: string;
  breaker: 'closed' | 'open' | 'half-open';
  /** Free request slots under the concurrency limit, and free queue places behind them. */
  free_slots: number;
  free_queue: number;
  last_failure?: string;
}

export interface Idrac {
  /** Unauthenticated: Redfish service root and WS-Man Identify. Never throws for an unreachable endpoint. */
  probe(target: IdracTarget): Promise<CapabilityFingerprint>;
  /** Redfish when the service offers what inventory needs, else WS-Man. */
  inventory(target: IdracTarget, credential: IdracCredential): Promise<IdracInventory>;
  /** Redfish only; over WS-Man throws IdracError 'not_supported'. */
  powerReset(target: IdracTarget, credential: IdracCredential, resetType: ResetType): Promise<PowerResetResult>;
  /** Redfish SimpleUpdate from an image URI the iDRAC fetches itself; poll `jobStatus` with the job id. */
  startFirmwareUpdate(
    target: IdracTarget,
    credential: IdracCredential,
    imageUri: string,
    options?: { applyTime?: FirmwareApplyTime },
  ): Promise<FirmwareUpdateStarted>;
  /** Dell job queue (both paths) then TaskService. A job the iDRAC no longer knows → IdracError 'not_found'. */
  jobStatus(target: IdracTarget, credential: IdracCredential, jobId: string): Promise<IdracJobStatus>;
  /** `rejected` only when the iDRAC refused the credential; unreachable and the like throw IdracError. */
  verifyCredential(target: IdracTarget, credential: IdracCredential): Promise<CredentialCheck>;
  upstreams(): IdracUpstreamState[];
  /** Logs out nothing (sessions never outlive a call) but closes every pooled connection. */
  dispose(): Promise<void>;
}

export type IdracErrorCode =
  /** Connection refused, no route, name not resolved: nothing answers there. */
  | 'unreachable'
  /** Connect, TLS handshake or response did not complete in time. */
  | 'timeout'
  /** The peer reset or closed the connection mid-exchange. */
  | 'connection_reset'
  /** TLS could not be negotiated (e.g. a TLS 1.0/1.1-only iDRAC not marked legacy). */
  | 'tls_handshake'
  /** The presented certificate is not the pinned one (see CertificateMismatchError). */
  | 'certificate_mismatch'
  /** The certificate does not verify against the CA bundle / system CAs; details carry its thumbprint. */
  | 'certificate_untrusted'
  | 'credential_rejected'
  /** Authenticated, but the account's role may not do this. */
  | 'forbidden'
  /** The endpoint failed repeatedly; calls are refused until the breaker half-opens. */
  | 'circuit_open'
  /** Too many calls queued for this endpoint. */
  | 'overloaded'
  | 'http_error'
  | 'malformed_response'
  /** A SOAP fault from WS-Man. */
  | 'protocol_fault'
  | 'not_found'
  | 'not_supported'
  /** The Lifecycle Controller is busy (GetRemoteServicesAPIStatus not Ready). */
  | 'not_ready';

/** Every failure of the iDRAC port. Messages name the endpoint, never a credential or session token. */
export class IdracError extends Error {
  constructor(
    readonly code: IdracErrorCode,
    message: string,
    readonly address: string,
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }

  toInfo(): IdracErrorInfo {
    return { code: this.code, message: this.message, ...(Object.keys(this.details).length ? { details: this.details } : {}) };
  }
}

export class CertificateMismatchError extends IdracError {
  constructor(
    address: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      'certificate_mismatch',
      `iDRAC ${address} presented certificate ${actual}, but ${expected} is pinned: refusing the connection`,
      address,
      { expected_thumbprint: expected, actual_thumbprint: actual },
    );
  }
}

export class IdracHttpError extends IdracError {
  constructor(
    address: string,
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly messageId?: string,
    detail?: string,
  ) {
    super(
      status === 401 ? 'credential_rejected' : status === 403 ? 'forbidden' : status === 404 ? 'not_found' : 'http_error',
      `iDRAC ${address} answered ${method} ${path} with HTTP ${status}${messageId ? ` (${messageId})` : ''}${detail ? `: ${detail}` : ''}`,
      address,
      { status, method, path, ...(messageId ? { message_id: messageId } : {}) },
    );
  }
}
