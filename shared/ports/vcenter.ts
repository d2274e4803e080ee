/**
 * VCenter: what EIO needs from a VMware vCenter through its vSphere API — the inventory (one full read, then
 * the changes since a checkpoint), tasks, host maintenance mode, VM placement and VM power. `Deps.vcenter`
 * keeps one client per instance per container: that instance's session, circuit breaker and request limit.
 * Credentials come in through a callback read at each login; nothing here stores or logs them, and the
 * session part of a checkpoint is a credential too (keep it only as a secret).
 *
 * Managed objects are named by their managed object id as vCenter gives it and the inventory stores it
 * (`host-12`, `vm-42`, `resgroup-8`, `datastore-3`); tasks by their id (`task-1234`), which is what a job step
 * records as its `external_task_id`.
 */
import type { UpstreamLimits } from '../domain/upstream';
import type { InventoryObject, InventoryRef } from '../domain/vcenter';

/** How a client trusts the instance's certificate; trust on first use is resolved to `pinned` before connecting. */
export type VCenterTlsPolicy = { kind: 'ca'; ca: string } | { kind: 'pinned'; thumbprint: string } | { kind: 'insecure' };

export interface VCenterCredential {
  username: string;
  password: string;
}

export interface VCenterTarget {
  instanceId: string;
  /** The SDK endpoint, https://<vcenter>/sdk. */
  url: string;
  tls: VCenterTlsPolicy;
  /** Who logs in (a service identity id): a client is rebuilt, its breaker closed, when this, the URL or the TLS policy changes. */
  identity: string;
  /** Read at each login, so a rotated secret is used from the next login on. */
  credentials: () => Promise<VCenterCredential>;
}

export type VCenterBreakerState = 'closed' | 'open' | 'half-open';

/** One client's state, as the instance API shows it. */
export interface VCenterClientHealth {
  url: string;
  breaker: VCenterBreakerState;
  /** Transport failures in a row (what opens the breaker). */
  consecutiveFailures: number;
  /** While the breaker is open: when it lets the next call through as a probe. */
  breakerRetryAt: Date | undefined;
  loggedIn: boolean;
  apiVersion: string | undefined;
  /** Increases at each login: what belonged to an older session (collectors, versions) is gone. */
  sessionGeneration: number;
  freeRequestSlots: number;
  propertyCollectors: number;
}

/** What RetrieveServiceContent tells without a login. */
export interface VCenterAbout {
  api_version: string;
  product: string;
}

/**
 * Where a delta continues from. `version` is plain and belongs on the instance record; `session` (the session
 * cookie and the session-scoped collector, filter and view, whose ids embed the session key) is a credential,
 * opaque to the caller: keep it only in Secrets and hand it back unchanged.
 */
export interface DeltaCheckpoint {
  version: string;
  session: string;
}

/**
 * A full read, which is also where the next delta starts: vCenter sends the inventory once, through the
 * private collector and view the checkpoint names, which stay open until the checkpoint is released.
 */
export interface InventorySnapshot {
  objects: InventoryObject[];
  /** The next delta's checkpoint, at the version the full read ended at. */
  checkpoint: DeltaCheckpoint;
  /** Frees the checkpoint's collector and view when no delta follows (the snapshot could not be written). */
  discard(): Promise<void>;
}

/** What changed since a checkpoint: objects that entered or changed, read afresh; objects that left; the new version. */
export interface InventoryChanges {
  objects: InventoryObject[];
  removed: InventoryRef[];
  version: string;
}

export type VCenterTaskState = 'queued' | 'running' | 'success' | 'error';

/** A vCenter task as TaskInfo describes it. */
export interface VCenterTaskInfo {
  id: string;
  /** What the task does, e.g. 'HostSystem.enterMaintenanceMode', 'VirtualMachine.relocate'. */
  description_id: string;
  /** The managed object it works on, and that object's name. */
  entity?: string;
  entity_name?: string;
  state: VCenterTaskState;
  /** Percent done, while running and when vCenter says. */
  progress?: number;
  /** Why it failed: the vim25 fault type (e.g. 'InvalidPowerState', 'Timedout') and vCenter's message. */
  error?: { fault_type: string; message: string };
  queued_at?: string;
  started_at?: string;
  completed_at?: string;
}

/** How the wait for one task ended: the task's info on success, else why (see VCenterClient.waitForTask). */
export type VCenterTaskOutcome = { id: string; ok: true; info: VCenterTaskInfo } | { id: string; ok: false; error: Error };

export type VmMovePriority = 'defaultPriority' | 'highPriority' | 'lowPriority';

/** One vCenter instance's client. Operations that start a vCenter task return the task id at once: wait with waitForTask(s). */
export interface VCenterClient {
  /** The server's API version, once a call has read the service content. */
  readonly apiVersion: string | undefined;
  health(): VCenterClientHealth;

  /**
   * Every datacenter, cluster, host, VM and datastore, and the delta checkpoint. `onPage` gets each page of
   * objects (up to 1,000) as it arrives, with the count so far; the next page is read once it returns.
   */
  readInventory(onPage?: (objects: InventoryObject[], retrieved: number) => Promise<void>): Promise<InventorySnapshot>;
  /**
   * The changes since `checkpoint`, continuing its session in a container that has none. Throws
   * VSphereSessionLostError, InvalidCollectorVersionFault or ManagedObjectNotFoundFault when the checkpoint
   * is no longer usable (then only a full read helps).
   */
  readChanges(checkpoint: DeltaCheckpoint): Promise<InventoryChanges>;
  /** Frees a checkpoint's collector and view on vCenter, when this client's session still holds them. */
  releaseCheckpoint(session: string): Promise<void>;
  /**
   * The given hosts and every VM registered on them, read afresh with the same fields the inventory keeps
   * (one RetrievePropertiesEx: the hosts, and a traversal HostSystem.vm). Hosts that no longer exist are left out.
   */
  readHostsWithVms(hostIds: string[]): Promise<InventoryObject[]>;

  /** One look at a task. */
  taskInfo(taskId: string): Promise<VCenterTaskInfo>;
  /**
   * Waits until the task ends: its info on success; VSphereTaskError with vCenter's fault when it failed
   * (`RequestCanceled` when cancelled); VSphereError past the timeout (default 10 min); VSphereSessionLostError
   * when the session was lost meanwhile (the task goes on in vCenter: wait again). All waits of a client share
   * one PropertyCollector (WaitForUpdatesEx), so many waits at once cost no more requests than one.
   */
  waitForTask(taskId: string, options?: { timeoutMs?: number }): Promise<VCenterTaskInfo>;
  /** waitForTask for several tasks at once: one outcome per task, in the order given; one failure does not end the others' waits. */
  waitForTasks(taskIds: string[], options?: { timeoutMs?: number }): Promise<VCenterTaskOutcome[]>;
  /**
   * CancelTask: the task ends with RequestCanceled (a cancelled migration leaves the VM where it was). Throws
   * VSphereFault `InvalidState` when the task has already ended and `NotSupported` when it cannot be cancelled.
   */
  cancelTask(taskId: string): Promise<void>;

  /**
   * EnterMaintenanceMode_Task. `timeoutSeconds` (0: none) bounds the wait for the host to empty;
   * `evacuatePoweredOffVms` has vCenter move powered-off VMs too (DRS clusters). Evacuating powered-on VMs
   * is DRS's doing (fully automated) or the caller's (relocateVm) first.
   */
  enterMaintenanceMode(host: string, options?: { timeoutSeconds?: number; evacuatePoweredOffVms?: boolean }): Promise<string>;
  /** ExitMaintenanceMode_Task. */
  exitMaintenanceMode(host: string, options?: { timeoutSeconds?: number }): Promise<string>;

  /** RelocateVM_Task: to another host, resource pool and/or datastore (vMotion / Storage vMotion when powered on). */
  relocateVm(vm: string, to: { host?: string; pool?: string; datastore?: string }, priority?: VmMovePriority): Promise<string>;
  /** PowerOnVM_Task, on `host` when given (else where it is registered). */
  powerOnVm(vm: string, options?: { host?: string }): Promise<string>;
  /** PowerOffVM_Task: a hard power-off, no guest shutdown. */
  powerOffVm(vm: string): Promise<string>;
  /** SuspendVM_Task. */
  suspendVm(vm: string): Promise<string>;
  /** ShutdownGuest: asks the guest OS (VMware Tools) to shut down and returns at once, without a task; watch the VM's power state. */
  shutdownGuest(vm: string): Promise<void>;
}

/** This container's vCenter clients, one per instance. */
export interface VCenter {
  /** The instance's client: built on first use, rebuilt (new session, closed breaker) when the target changed. */
  connect(target: VCenterTarget): VCenterClient;
  /** The state of the instance's client, when this container has one. */
  health(instanceId: string): VCenterClientHealth | undefined;
  /** What this container's client of each instance enforces (the same for every instance): concurrency, timeouts, breaker. */
  limits(): UpstreamLimits;
  /** Logs out and forgets the instance's client (the instance changed or is gone). */
  drop(instanceId: string): Promise<void>;
  /** Logs out of every vCenter (container or local stack shutdown). */
  closeAll(): Promise<void>;
  /** Forgets every client without logging out, as a recycled container would (tests). */
  forgetAll(): void;
  /** The SHA-256 thumbprint of the certificate the server presents now (trust on first use pins it). */
  peerThumbprint(url: string): Promise<string>;
  /** RetrieveServiceContent on a short-lived client: no login, and the instance's breaker is left alone. */
  about(url: string, tls: VCenterTlsPolicy): Promise<VCenterAbout>;
  /** Logs in and out on a short-lived client; InvalidLoginFault when vCenter refuses the credential. */
  checkLogin(url: string, tls: VCenterTlsPolicy, credential: VCenterCredential): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------
// Errors. Faults (vCenter answered with a SOAP fault) are VSphereFault; no answer at all is
// VSphereTransportError, which is what retries and the breaker count. Messages name the vCenter, never a
// credential or the session cookie.

export class VSphereError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** vCenter answered with a SOAP fault. `faultType` is the vim25 fault type, e.g. 'InvalidLogin'. */
export class VSphereFault extends VSphereError {
  constructor(
    readonly faultType: string,
    readonly faultString: string,
    readonly detail: Record<string, unknown> = {},
  ) {
    super(`${faultType}: ${faultString || 'no fault string'}`);
  }
}

/** Wrong user name or password. */
export class InvalidLoginFault extends VSphereFault {}
/** The collector version is unknown on this session and collector: start over with a full read. */
export class InvalidCollectorVersionFault extends VSphereFault {}
export class ManagedObjectNotFoundFault extends VSphereFault {
  get obj(): { type: string; value: string } | undefined {
    return this.detail.obj as { type: string; value: string } | undefined;
  }
}

/**
 * The session is gone, and with it what belonged to it (a view, a collector or filter, a paging token, a
 * collector version): start over, e.g. with a full read. The client logs in afresh for the next call.
 */
export class VSphereSessionLostError extends VSphereError {}

/** The request got no answer: connection refused or reset, DNS, TLS, timeout, a non-SOAP HTTP answer. */
export class VSphereTransportError extends VSphereError {
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** What an open breaker knows: how many transport failures in a row opened it, and when it lets a probe through. */
export interface CircuitOpenInfo {
  consecutiveFailures: number;
  /** From this time on, the next call goes through as a probe (half-open). */
  retryAt: Date;
  lastFailure?: Error;
}

/** Too many consecutive failures: calls fail fast, without contacting vCenter, until the breaker lets a probe through. */
export class VSphereCircuitOpenError extends VSphereError {
  readonly consecutiveFailures: number;
  readonly retryAt: Date;
  readonly lastFailure: Error | undefined;

  constructor(url: string, info: CircuitOpenInfo) {
    super(
      `vCenter ${url} circuit open after ${info.consecutiveFailures} consecutive failures; next attempt allowed after ` +
        `${info.retryAt.toISOString()}${info.lastFailure ? ` (last failure: ${info.lastFailure.message})` : ''}`,
      { cause: info.lastFailure },
    );
    this.consecutiveFailures = info.consecutiveFailures;
    this.retryAt = info.retryAt;
    this.lastFailure = info.lastFailure;
  }
}

/** A task ended in error. */
export class VSphereTaskError extends VSphereError {
  /** The vim25 fault the task ended with, e.g. 'InvalidPowerState'. */
  readonly faultType: string | undefined;

  constructor(readonly info: VCenterTaskInfo) {
    super(`Task ${info.id} failed: ${info.error?.message || info.error?.fault_type || 'no reason given'}`);
    this.faultType = info.error?.fault_type;
  }
}
