import {
  BrokenCircuitError,
  BulkheadRejectedError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  type IPolicy,
  bulkhead,
  circuitBreaker,
  handleWhen,
  retry,
  wrap,
} from 'cockatiel';
import { logger } from '../../observability/logger';
import { VSphereCircuitOpenError, VSphereLimitError, VSphereTransportError } from './errors';

export interface ResilienceOptions {
  /** Requests in flight to this vCenter at once (long-polling waits included). */
  maxConcurrentRequests: number;
  /** Requests waiting for a slot before new ones are refused. */
  maxQueuedRequests: number;
  /** Extra attempts for idempotent reads after a transport failure (0: none). */
  retries: number;
  retryInitialDelayMs: number;
  retryMaxDelayMs: number;
  /** Consecutive transport failures that open the breaker. */
  breakerThreshold: number;
  /** How long the breaker stays open before letting one probe through. */
  breakerHalfOpenAfterMs: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

/** The breaker as the API shows it: state, transport failures in a row, and when an open one lets a probe through. */
export interface BreakerStatus {
  state: BreakerState;
  consecutiveFailures: number;
  openedAt?: Date;
  retryAt?: Date;
}

const STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
};

// Only failures to get an answer count: a SOAP fault is vCenter working as designed.
const isTransportFailure = (e: Error) => e instanceof VSphereTransportError;

/**
 * Per-vCenter policies: concurrency limit (bulkhead) innermost so a retry's backoff holds no slot, then the
 * circuit breaker (each attempt counts), then retries with exponential backoff and decorrelated jitter —
 * for idempotent reads only, because a retried write can act twice.
 */
export class Resilience {
  private readonly limit;
  private readonly breaker;
  private readonly readPolicy: IPolicy;
  private readonly writePolicy: IPolicy;
  private readonly halfOpenAfterMs: number;
  // Mirrors of what cockatiel keeps private, for the fail-fast message and the API.
  private consecutiveFailures = 0;
  private lastTransportFailure: Error | undefined;
  private openedAt: number | undefined;

  constructor(
    private readonly url: string,
    options: ResilienceOptions,
  ) {
    this.halfOpenAfterMs = options.breakerHalfOpenAfterMs;
    this.limit = bulkhead(options.maxConcurrentRequests, options.maxQueuedRequests);
    this.breaker = circuitBreaker(handleWhen(isTransportFailure), {
      halfOpenAfter: options.breakerHalfOpenAfterMs,
      breaker: new ConsecutiveBreaker(options.breakerThreshold),
    });
    const retries = retry(handleWhen(isTransportFailure), {
      maxAttempts: options.retries,
      backoff: new ExponentialBackoff({ initialDelay: options.retryInitialDelayMs, maxDelay: options.retryMaxDelayMs }),
    });
    retries.onRetry((r) => logger.warn('vCenter request failed, retrying', { vcenter: url, attempt: r.attempt, delay_ms: r.delay, error: 'error' in r ? r.error.message : undefined }));
    this.breaker.onFailure((f) => {
      // A SOAP fault is an answer: it neither counts nor resets, exactly as for the breaker itself.
      if (!f.handled) return;
      this.consecutiveFailures++;
      if ('error' in f.reason) this.lastTransportFailure = f.reason.error;
    });
    this.breaker.onSuccess(() => {
      this.consecutiveFailures = 0;
    });
    this.breaker.onBreak(() => {
      // cockatiel measures the open time with Date.now() too, so retryAt is when it will let a probe through.
      this.openedAt = Date.now();
      logger.error('vCenter circuit breaker opened', {
        vcenter: url,
        consecutive_failures: this.consecutiveFailures,
        retry_at: new Date(this.openedAt + this.halfOpenAfterMs).toISOString(),
      });
    });
    this.breaker.onReset(() => {
      this.openedAt = undefined;
      this.consecutiveFailures = 0;
      logger.info('vCenter circuit breaker closed', { vcenter: url });
    });
    this.writePolicy = wrap(this.breaker, this.limit);
    this.readPolicy = wrap(retries, this.breaker, this.limit);
  }

  async run<T>(idempotent: boolean, fn: () => Promise<T>): Promise<T> {
    try {
      return await (idempotent ? this.readPolicy : this.writePolicy).execute(fn);
    } catch (err) {
      if (err instanceof BrokenCircuitError) {
        const status = this.breakerStatus;
        throw new VSphereCircuitOpenError(this.url, {
          consecutiveFailures: status.consecutiveFailures,
          retryAt: status.retryAt ?? new Date(),
          lastFailure: this.lastTransportFailure,
        });
      }
      if (err instanceof BulkheadRejectedError) {
        throw new VSphereLimitError(`Too many requests queued for vCenter ${this.url}; try again later`);
      }
      throw err;
    }
  }

  get breakerState(): BreakerState {
    return STATES[this.breaker.state];
  }

  get breakerStatus(): BreakerStatus {
    const state = this.breakerState;
    const opened = state === 'closed' ? undefined : this.openedAt;
    return {
      state,
      consecutiveFailures: this.consecutiveFailures,
      openedAt: opened === undefined ? undefined : new Date(opened),
      retryAt: opened === undefined ? undefined : new Date(opened + this.halfOpenAfterMs),
    };
  }

  get freeSlots(): number {
    return this.limit.executionSlots;
  }

  get freeQueueSlots(): number {
    return this.limit.queueSlots;
  }
}
