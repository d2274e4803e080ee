/**
 * Idrac: what discovery, inventory and the maintenance job need from a Dell iDRAC, whichever protocol
 * answers — Redfish (iDRAC9, and iDRAC7/8 on 2.x firmware) or WS-Management (iDRAC7/8). Callers never
 * choose the protocol: the adapter probes, records what answered and falls back. Secrets pass through
 * as arguments only; nothing here stores or logs them.
 */

import type { CapabilityFingerprint, IdracErrorCode, IdracErrorInfo, IdracInventory, IdracProtocol } from '../domain/idrac';

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
  /**
   * Called for each request once it holds its slot of the iDRAC's concurrency limit, right before it goes
   * out; throwing stops it there. A job step checks the kill switch here: waiting for a busy iDRAC's slot
   * can take seconds, and the switch may have been activated meanwhile.
   */
  mayAct?: () => Promise<void>;
}

export interface IdracCredential {
  username: string;
  password: string;
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

// ---- Credential rotation (adapter: shared/adapters/idrac/accounts.ts) ----

/** Where an account's password was changed. */
export interface AccountPasswordChange {
  protocol: IdracProtocol;
  /** The iDRAC's account slot ("2" for the factory user). */
  account_id: string;
}

/** The part of the port credential rotation uses. */
export interface IdracAccounts {
  /**
   * Sets the password of the local account named `username`, logged in as `credential` (the same account
   * changing its own password, or an administrator): Redfish AccountService (PATCH with If-Match) when the
   * iDRAC has it, else WS-Man (DCIM_iDRACCardService.SetAttribute on iDRAC7/8). The new password works at once.
   * A refused password → IdracError 'password_refused'; no such account → 'not_found'; a wrong login → 'credential_rejected'.
   */
  setAccountPassword(target: IdracTarget, credential: IdracCredential, username: string, password: string): Promise<AccountPasswordChange>;
}

// ---- end credential rotation ----

export interface Idrac extends IdracAccounts {
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
