/**
 * Idrac: what discovery, inventory and the maintenance job need from a Dell iDRAC, whichever protocol
 * answers — Redfish (iDRAC9, and iDRAC7/8 on 2.x firmware) or WS-Management (iDRAC7/8). Callers never
 * choose the protocol: the adapter probes, records what answered and falls back. Secrets pass through
 * as arguments only; nothing here stores or logs them.
 */

import type {
  CapabilityFingerprint,
  IdracErrorCode,
  IdracErrorInfo,
  IdracFirmwareItem,
  IdracInventory,
  IdracProtocol,
} from '../domain/idrac';
import type { UpstreamLimits } from '../domain/upstream';

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

/** How the iDRAC fetches an image from a repository (Redfish TransferProtocol; WS-Man reads it from the URI). */
export const IMAGE_TRANSFER_PROTOCOLS = ['HTTP', 'HTTPS', 'NFS', 'CIFS'] as const;
export type ImageTransferProtocol = (typeof IMAGE_TRANSFER_PROTOCOLS)[number];

/**
 * A Dell update package (DUP): a URI in a repository the iDRAC fetches itself, or the package's bytes that EIO
 * pushes to it (the iDRAC cannot reach the repository). `file_name` is the DUP's name, which Dell's iDRAC checks.
 */
export type FirmwareImage =
  | { kind: 'uri'; uri: string; transfer_protocol?: ImageTransferProtocol }
  | { kind: 'upload'; file_name: string; content: Uint8Array | AsyncIterable<Uint8Array> };

export interface FirmwareUpdateOptions {
  /** Redfish only; WS-Man updates always wait for `rebootToApply`. Default: the iDRAC's (Immediate). */
  applyTime?: FirmwareApplyTime;
  /**
   * Firmware inventory ids to update (`IdracFirmwareItem.id`: a Redfish FirmwareInventory id or a WS-Man
   * InstanceID). Default: the iDRAC picks the device from the package.
   */
  targets?: string[];
}

/** How an update was started; chosen by the adapter from what the iDRAC offers, never from its generation label. */
export type FirmwareUpdateMethod = 'redfish_simple_update' | 'redfish_multipart_push' | 'redfish_http_push' | 'wsman_install_from_uri';

export interface FirmwareUpdateStarted {
  /** Dell's job id (JID_…): the step's `external_task_id`. */
  job_id: string;
  /** Where the iDRAC said to poll (a TaskService task or a Dell job). */
  task_uri?: string;
  method: FirmwareUpdateMethod;
  protocol: IdracProtocol;
  /**
   * `on_reset`: the update is staged until `rebootToApply` (asked for OnReset, or WS-Man, where a job only
   * runs once scheduled). `immediate`: it runs now, though a device that needs a reboot (BIOS, NIC, …)
   * still waits, Scheduled, for one.
   */
  apply: 'immediate' | 'on_reset';
}

/** Lifecycle Controller readiness (Redfish DellLCService / WS-Man DCIM_LCService GetRemoteServicesAPIStatus). */
export interface LifecycleControllerStatus {
  /** True only when the iDRAC says its remote services are Ready: then it accepts update and reboot jobs. */
  ready: boolean;
  /** The overall status as the iDRAC states it, e.g. 'Ready', 'NotReady'. */
  status: string;
  /** One line for the operator: the status and what the LC and server are doing. */
  message: string;
  /** e.g. 'Ready', 'InUse', 'Reloading Data'. */
  lc_status?: string;
  /** e.g. 'OutOfPOST', 'InPOST', 'PoweredOff'. */
  server_status?: string;
  protocol: IdracProtocol;
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
  /** Which resource answered: Dell's job queue (newer or older path), the DMTF TaskService, or WS-Man. */
  source: 'dell_jobs' | 'dell_jobs_legacy_path' | 'task_service' | 'wsman';
  /** The job's name, e.g. 'Firmware Update: BIOS', 'Reboot: Power cycle' (when the iDRAC gives one). */
  name?: string;
  /** Dell JobType, e.g. 'FirmwareUpdate', 'RebootNoForce' (Redfish only). */
  job_type?: string;
}

/** `not_found`: the iDRAC knows no such job (already deleted or purged) — what the caller wanted anyway. */
export interface JobDeleted {
  job_id: string;
  outcome: 'deleted' | 'not_found';
}

/**
 * How to reboot so staged updates apply: `graceful` asks the OS to shut down and waits; `graceful_then_forced`
 * forces it off when the OS does not comply in time; `power_cycle` cuts power at once.
 */
export type RebootMode = 'graceful' | 'graceful_then_forced' | 'power_cycle';

export interface RebootStarted {
  /** `redfish_reset`: ComputerSystem.Reset (staged jobs apply on the way up); `wsman_reboot_job`: a Dell reboot job. */
  method: 'redfish_reset' | 'wsman_reboot_job';
  /** The reboot job's id (RID_…), over WS-Man. */
  job_id?: string;
  /** `powered_on`: the server was off, so it was powered on instead, which applies the staged jobs too. */
  outcome: 'rebooting' | 'powered_on';
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

// ---- Credential rotation (adapters: shared/adapters/idrac/redfish/accounts.ts, wsman/accounts.ts) ----

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

/** What a knock found: something answered TLS, or not (`silent`: a port was held open or the packets dropped, not refused). */
export interface KnockResult {
  answered: boolean;
  silent: boolean;
}

export interface Idrac extends IdracAccounts {
  /**
   * Whether anything answers TLS on the target's Redfish or WS-Man port within the connect timeout, for the
   * price of a socket: a ClientHello and the first byte back, nothing else sent. Never throws.
   */
  knock(target: IdracTarget): Promise<KnockResult>;
  /** Unauthenticated: Redfish service root and WS-Man Identify. Never throws for an unreachable endpoint. */
  probe(target: IdracTarget): Promise<CapabilityFingerprint>;
  /** Redfish when the service offers what inventory needs, else WS-Man. */
  inventory(target: IdracTarget, credential: IdracCredential): Promise<IdracInventory>;
  /** The installed firmware alone (Redfish FirmwareInventory, WS-Man DCIM_SoftwareIdentity): what an update changes. */
  firmwareInventory(target: IdracTarget, credential: IdracCredential): Promise<IdracFirmwareItem[]>;
  /** Redfish ComputerSystem.Reset, or WS-Man DCIM_CSPowerManagementService.RequestPowerStateChange. */
  powerReset(target: IdracTarget, credential: IdracCredential, resetType: ResetType): Promise<PowerResetResult>;
  /** Whether the Lifecycle Controller accepts jobs now. Services without the check answer ready. */
  lifecycleControllerStatus(target: IdracTarget, credential: IdracCredential): Promise<LifecycleControllerStatus>;
  /**
   * Starts one update (a string is an image URI): Redfish SimpleUpdate for a URI, multipart HTTP push for
   * bytes (or the older HttpPushUri + DellUpdateService.Install); WS-Man InstallFromURI where Redfish cannot
   * update. Checks the Lifecycle Controller first: not ready → IdracError 'not_ready'. Poll `jobStatus`.
   */
  startFirmwareUpdate(
    target: IdracTarget,
    credential: IdracCredential,
    image: string | FirmwareImage,
    options?: FirmwareUpdateOptions,
  ): Promise<FirmwareUpdateStarted>;
  /** Dell job queue (both paths) then TaskService, or WS-Man DCIM_LifecycleJob. Unknown job → IdracError 'not_found'. */
  jobStatus(target: IdracTarget, credential: IdracCredential, jobId: string): Promise<IdracJobStatus>;
  /** Every job in the iDRAC's queue, EIO's and others'. */
  listJobs(target: IdracTarget, credential: IdracCredential): Promise<IdracJobStatus[]>;
  /**
   * Deletes ONE job by its id (DellJobService.DeleteJobQueue with that JobID, or DELETE on the job; WS-Man
   * DCIM_JobService.DeleteJobQueue). JID_CLEARALL and the like are refused ('not_supported'): EIO never
   * clears a queue it does not own. A running job the iDRAC will not delete → IdracHttpError / WsmanFault.
   */
  deleteJob(target: IdracTarget, credential: IdracCredential, jobId: string): Promise<JobDeleted>;
  /**
   * Reboots the server so staged updates apply: Redfish ComputerSystem.Reset (a server that is off is
   * powered on); WS-Man CreateRebootJob, then SetupJobQueue with `jobIds` and the reboot job, TIME_NOW.
   */
  rebootToApply(target: IdracTarget, credential: IdracCredential, mode: RebootMode, jobIds: string[]): Promise<RebootStarted>;
  /** `rejected` only when the iDRAC refused the credential; unreachable and the like throw IdracError. */
  verifyCredential(target: IdracTarget, credential: IdracCredential): Promise<CredentialCheck>;
  upstreams(): IdracUpstreamState[];
  /** What this container enforces towards each iDRAC (the same for every one): concurrency, timeouts, breaker. */
  limits(): UpstreamLimits;
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
