import {
  BrokenCircuitError,
  BulkheadRejectedError,
  bulkhead,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  fullJitterGenerator,
  handleWhen,
  type IPolicy,
  retry,
  wrap,
} from 'cockatiel';

import type { AdapterLog } from '../observability/logger';
import type { BreakerState, SharedBreaker } from '../ports/upstream-breakers';

export type { BreakerState };

export interface UpstreamPolicyOptions {
  /** How logs name the upstream: `iDRAC`, `vCenter`. */
  kind: string;
  /** Log attributes naming this one (`{ idrac: address }`). */
  logAs: Record<string, string>;
  log: AdapterLog;
  /** Requests in flight at once, and waiting for a slot before new ones are refused. */
  maxConcurrent: number;
  maxQueued: number;
  /** Extra attempts for idempotent requests (0: none), with exponential backoff and full jitter. */
  retries: number;
  retryInitialDelayMs: number;
  retryMaxDelayMs: number;
  /** A sign the upstream is unwell: counted by the breaker. Answers (a fault, a 404) are not. */
  countsAsFailure: (e: Error) => boolean;
  /** Worth another attempt; defaults to `countsAsFailure`. */
  retryable?: (e: Error) => boolean;
  /** Consecutive failures that open the breaker, and how long it stays open before letting one probe through. */
  breakerThreshold: number;
  breakerHalfOpenAfterMs: number;
  /** This upstream's place on the shared board: transitions reported there, an admin's reset read back while open. */
  shared?: SharedBreaker;
}

/** The breaker and limit as an API or an error message shows them. */
export interface UpstreamStatus {
  breaker: BreakerState;
  consecutiveFailures: number;
  lastFailure?: Error;
  openedAt?: Date;
  /** When an open breaker lets a probe through. */
  retryAt?: Date;
  freeSlots: number;
  freeQueueSlots: number;
}

/** How one call is guarded: `retried` (idempotent), `guarded` (breaker + limit), `limited` (must go out even while the breaker is open). */
export type Guarding = 'retried' | 'guarded' | 'limited';

const STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
};

/**
 * One upstream's policies (an iDRAC, a vCenter): the concurrency limit innermost, so a retry's backoff holds
 * no slot; then the circuit breaker, which counts every attempt; then retries, for idempotent calls only
 * (a retried write can act twice). The adapters translate `BrokenCircuitError` and `BulkheadRejectedError`
 * into their own errors with `status()`.
 */
export class UpstreamPolicies {
  private readonly limit;
  private readonly breaker;
  private readonly policies: Record<Guarding, IPolicy>;
  // Mirrors of what cockatiel keeps private, for fail-fast messages and the API.
  private consecutiveFailures = 0;
  private lastFailure: Error | undefined;
  private openedAt: number | undefined;

  constructor(private readonly o: UpstreamPolicyOptions) {
    this.limit = bulkhead(o.maxConcurrent, o.maxQueued);
    this.breaker = circuitBreaker(handleWhen(o.countsAsFailure), {
      halfOpenAfter: o.breakerHalfOpenAfterMs,
      breaker: new ConsecutiveBreaker(o.breakerThreshold),
    });
    const retries = retry(handleWhen(o.retryable ?? o.countsAsFailure), {
      maxAttempts: o.retries,
      backoff: new ExponentialBackoff({ generator: fullJitterGenerator, initialDelay: o.retryInitialDelayMs, maxDelay: o.retryMaxDelayMs }),
    });
    retries.onRetry((r) =>
      o.log.warn(`${o.kind} request failed, retrying`, {
        ...o.logAs,
        attempt: r.attempt,
        delay_ms: Math.round(r.delay),
        error: 'error' in r ? r.error.message : undefined,
      }),
    );
    this.breaker.onFailure((f) => {
      // An answer (a fault, a 401) neither counts nor resets, exactly as for the breaker itself.
      if (!f.handled) return;
      this.consecutiveFailures++;
      if ('error' in f.reason) this.lastFailure = f.reason.error;
    });
    this.breaker.onSuccess(() => {
      this.consecutiveFailures = 0;
    });
    this.breaker.onBreak((reason) => {
      // An isolation is only the way reset() closes the breaker.
      if ('isolated' in reason) return;
      // cockatiel measures the open time with Date.now() too, so retryAt is when it will let a probe through.
      this.openedAt = Date.now();
      o.shared?.transitioned({
        state: 'open',
        consecutiveFailures: this.consecutiveFailures,
        nextAttemptAt: new Date(this.openedAt + o.breakerHalfOpenAfterMs),
        lastFailure: this.lastFailure?.message,
      });
      o.log.error(`${o.kind} circuit breaker opened`, {
        ...o.logAs,
        consecutive_failures: this.consecutiveFailures,
        last_failure: this.lastFailure?.message,
        retry_at: new Date(this.openedAt + o.breakerHalfOpenAfterMs).toISOString(),
      });
    });
    this.breaker.onHalfOpen(() =>
      o.shared?.transitioned({ state: 'half-open', consecutiveFailures: this.consecutiveFailures, lastFailure: this.lastFailure?.message }),
    );
    this.breaker.onReset(() => {
      this.openedAt = undefined;
      this.consecutiveFailures = 0;
      o.log.info(`${o.kind} circuit breaker closed`, o.logAs);
      o.shared?.transitioned({ state: 'closed', consecutiveFailures: 0 });
    });
    this.policies = { retried: wrap(retries, this.breaker, this.limit), guarded: wrap(this.breaker, this.limit), limited: this.limit };
  }

  /** Runs `fn` under the policies; throws cockatiel's BrokenCircuitError / BulkheadRejectedError for the adapter to translate. */
  async execute<T>(guarding: Guarding, fn: () => Promise<T>): Promise<T> {
    try {
      return await this.policies[guarding].execute(fn);
    } catch (e) {
      if (!(e instanceof BrokenCircuitError) || !(await this.resetElsewhere())) throw e;
      return this.policies[guarding].execute(fn);
    }
  }

  /** Closes the breaker (an admin's reset); the next call goes out. */
  reset(): void {
    this.breaker.isolate().dispose();
  }

  /**
   * Whether an admin reset this upstream on the board since the breaker opened here; if so it is closed now.
   * One read per refused call: an open breaker refuses few (a sync run, a probe), and none while closed.
   */
  private async resetElsewhere(): Promise<boolean> {
    const opened = this.openedAt;
    if (!this.o.shared || opened === undefined) return false;
    const resetAt = await this.o.shared.resetAt().catch(() => undefined);
    if (resetAt === undefined || resetAt < opened) return false;
    this.o.log.info(`${this.o.kind} circuit breaker reset by an admin`, this.o.logAs);
    this.reset();
    return true;
  }

  status(): UpstreamStatus {
    const breaker = STATES[this.breaker.state];
    const opened = breaker === 'closed' ? undefined : this.openedAt;
    return {
      breaker,
      consecutiveFailures: this.consecutiveFailures,
      ...(this.lastFailure ? { lastFailure: this.lastFailure } : {}),
      ...(opened === undefined ? {} : { openedAt: new Date(opened), retryAt: new Date(opened + this.o.breakerHalfOpenAfterMs) }),
      freeSlots: this.limit.executionSlots,
      freeQueueSlots: this.limit.queueSlots,
    };
  }
}

export { BrokenCircuitError, BulkheadRejectedError };
