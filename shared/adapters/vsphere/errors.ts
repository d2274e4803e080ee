import type { FaultInfo, MoRef } from './types';

/**
 * Errors of the vSphere client. Faults (the server answered with a SOAP fault) are VSphereFault
 * subclasses; everything that kept an answer from arriving is a VSphereTransportError, which is what
 * retries and the circuit breaker count. Messages name the vCenter, never a credential or the session cookie.
 */
export class VSphereError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The server answered with a SOAP fault. `faultType` is the vim25 fault type, e.g. 'InvalidLogin'. */
export class VSphereFault extends VSphereError {
  constructor(
    readonly faultType: string,
    readonly faultString: string,
    readonly detail: Record<string, unknown> = {},
  ) {
    super(`${faultType}: ${faultString || 'no fault string'}`);
  }
}

/** No valid session: the client logs in again once by itself; callers see this only if that fails too. */
export class NotAuthenticatedFault extends VSphereFault {}
/** Wrong user name or password. */
export class InvalidLoginFault extends VSphereFault {}
/** The collector version is unknown on this session and collector: start over with a full retrieval. */
export class InvalidCollectorVersionFault extends VSphereFault {}
export class ManagedObjectNotFoundFault extends VSphereFault {
  get obj(): MoRef | undefined {
    return this.detail.obj as MoRef | undefined;
  }
}
export class InvalidArgumentFault extends VSphereFault {
  get invalidProperty(): string | undefined {
    return this.detail.invalidProperty as string | undefined;
  }
}
/** A WaitForUpdatesEx was ended by CancelWaitForUpdates. */
export class RequestCanceledFault extends VSphereFault {}

/**
 * The session was lost and renewed while a call referred to objects of the old session (a view, a
 * property collector or filter, a paging token, a collector version): those are gone with it, so the call
 * is not repeated. Start over, e.g. fall back to a full sync.
 */
export class VSphereSessionLostError extends VSphereError {
  constructor(method: string, cause: unknown) {
    super(
      `The vCenter session expired during ${method}; a new session was opened, but the views, collectors, ` +
        'filters, paging tokens and versions of the old one are gone: start over',
      { cause },
    );
  }
}

/** The request did not get an answer: connection refused or reset, DNS, TLS, timeout, non-SOAP HTTP error. */
export class VSphereTransportError extends VSphereError {
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class VSphereTimeoutError extends VSphereTransportError {
  constructor(url: string, method: string, ms: number) {
    super(`vCenter ${url} did not answer ${method} within ${ms} ms`, 'ETIMEDOUT');
  }
}

/** An HTTP answer that is not SOAP (a proxy's 502, a 503 while vpxd restarts, ...). */
export class VSphereHttpError extends VSphereTransportError {
  constructor(
    url: string,
    readonly status: number,
    snippet: string,
  ) {
    super(`vCenter ${url} answered HTTP ${status} without a SOAP body: ${snippet}`, `HTTP_${status}`);
  }
}

/** The server's certificate is not the pinned one. Never retried: it will not fix itself. */
export class CertificatePinMismatchError extends VSphereError {
  constructor(
    readonly url: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      `TLS certificate of ${url} does not match the pinned thumbprint: expected SHA-256 ${expected}, ` +
        `server presented ${actual}. If the certificate was replaced on purpose, pin the new thumbprint.`,
    );
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

/** A per-instance limit (concurrent requests queue, property collectors) is exhausted. */
export class VSphereLimitError extends VSphereError {}

/** The answer was SOAP but not what the method returns. */
export class VSphereProtocolError extends VSphereError {}

const FAULTS: Record<string, new (type: string, text: string, detail: Record<string, unknown>) => VSphereFault> = {
  NotAuthenticated: NotAuthenticatedFault,
  InvalidLogin: InvalidLoginFault,
  InvalidCollectorVersion: InvalidCollectorVersionFault,
  ManagedObjectNotFound: ManagedObjectNotFoundFault,
  InvalidArgument: InvalidArgumentFault,
  RequestCanceled: RequestCanceledFault,
};

export function faultError(info: FaultInfo): VSphereFault {
  const Ctor = FAULTS[info.type] ?? VSphereFault;
  return new Ctor(info.type, info.message ?? '', info.detail);
}
