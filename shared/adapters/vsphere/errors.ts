/**
 * Errors of the vSphere client. What use cases catch is declared by the port (shared/ports/vcenter.ts) and
 * re-exported here; the rest are the client's own refinements of those. Messages name the vCenter, never a
 * credential or the session cookie.
 */
import {
  InvalidCollectorVersionFault,
  InvalidLoginFault,
  ManagedObjectNotFoundFault,
  VSphereError,
  VSphereFault,
  VSphereSessionLostError,
  VSphereTransportError,
} from '../../ports/vcenter';
import type { FaultInfo } from './types';

export {
  type CircuitOpenInfo,
  InvalidCollectorVersionFault,
  InvalidLoginFault,
  ManagedObjectNotFoundFault,
  VSphereCircuitOpenError,
  VSphereError,
  VSphereFault,
  VSphereSessionLostError,
  VSphereTaskError,
  VSphereTransportError,
} from '../../ports/vcenter';

/** No valid session: the client logs in again once by itself; callers see this only if that fails too. */
export class NotAuthenticatedFault extends VSphereFault {}
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
 * is not repeated.
 */
export const sessionLostDuring = (method: string, cause: unknown) =>
  new VSphereSessionLostError(
    `The vCenter session expired during ${method}; a new session was opened, but the views, collectors, ` +
      'filters, paging tokens and versions of the old one are gone: start over',
    { cause },
  );

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
