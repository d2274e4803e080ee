/**
 * Faults a simulated endpoint can show, switchable at run time:
 * - closed: nothing listens (connection refused)
 * - hang: accept and never answer — at `tcp` (no TLS handshake, the default) or `http` (request read, no reply)
 * - slow: answer after `delayMs`
 * - http-error: answer with a 5xx (default 500) in the protocol's own error shape
 * - malformed: answer 200 with the real body cut in half (broken JSON / XML)
 * - reset: TCP RST — on connect (`tcp`, default) or after the request is read (`http`)
 * - wrong-cert: TLS with a different self-signed certificate (same subject, other key and thumbprint)
 * - no-body: the request is handled, but the answer carries no body (and `status` instead, e.g. 204), as some
 *   firmware answers actions
 * HTTP-level faults may be limited to paths matching `match` and to the next `times` requests.
 */
export type Fault =
  | { kind: 'closed' }
  | { kind: 'hang'; stage?: 'tcp' | 'http'; match?: RegExp; times?: number }
  | { kind: 'slow'; delayMs: number; match?: RegExp; times?: number }
  | { kind: 'http-error'; status?: number; match?: RegExp; times?: number }
  | { kind: 'malformed'; match?: RegExp; times?: number }
  | { kind: 'no-body'; status?: number; match?: RegExp; times?: number }
  | { kind: 'reset'; stage?: 'tcp' | 'http'; match?: RegExp; times?: number }
  | { kind: 'wrong-cert' };

export type FaultKind = Fault['kind'];

/** Faults decided when a TCP connection arrives, before any byte of HTTP. */
export function isConnectionFault(fault: Fault): boolean {
  return (
    fault.kind === 'closed' ||
    fault.kind === 'wrong-cert' ||
    ((fault.kind === 'hang' || fault.kind === 'reset') && (fault.stage ?? 'tcp') === 'tcp')
  );
}

/** One listener's fault, with the bookkeeping for `times`. */
export class FaultSlot {
  private fault: Fault | undefined;
  private remaining = Infinity;

  get current(): Fault | undefined {
    return this.fault;
  }

  set(fault: Fault | undefined): void {
    this.fault = fault;
    this.remaining = fault && 'times' in fault && fault.times !== undefined ? fault.times : Infinity;
  }

  /** The HTTP-level fault that applies to this request, consuming one of its `times`. */
  takeForRequest(path: string): Fault | undefined {
    const fault = this.fault;
    if (!fault || isConnectionFault(fault)) return undefined;
    if ('match' in fault && fault.match && !fault.match.test(path)) return undefined;
    if (this.remaining <= 0) return undefined;
    this.remaining--;
    if (this.remaining <= 0) this.fault = undefined;
    return fault;
  }
}
