import {
  BrokenCircuitError,
  BulkheadRejectedError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  bulkhead,
  circuitBreaker,
  fullJitterGenerator,
  handleWhen,
  retry,
  wrap,
  type BulkheadPolicy,
  type CircuitBreakerPolicy,
  type IPolicy,
} from 'cockatiel';
import { IdracError, type IdracUpstreamState } from '../../../ports/idrac';
import { isEndpointFailure, isRetryable } from '../errors';
import type { IdracClientOptions } from '../options';

/**
 * How one request is guarded: `retry` only for idempotent requests (a retried POST can act twice);
 * `breaker: false` for calls that must go out even while the breaker is open (logging out a session).
 */
export interface Guard {
  retry: boolean;
  breaker?: boolean;
}

const STATES: Record<CircuitState, IdracUpstreamState['breaker']> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
};

/**
 * One iDRAC's policies, shared by its Redfish and WS-Man ports (one BMC): a concurrency limit innermost,
 * so a retry's backoff holds no slot; then the breaker, which counts every attempt; then retries with
 * exponential backoff and full jitter (delay uniform in [0, base·2^n], capped).
 */
export class EndpointResilience {
  private readonly limit: BulkheadPolicy;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly guarded: IPolicy;
  private readonly retried: IPolicy;
  private lastFailure: string | undefined;

  constructor(
    readonly address: string,
    options: IdracClientOptions,
  ) {
    this.limit = bulkhead(options.maxConcurrentPerEndpoint, options.maxQueuedPerEndpoint);
    this.breaker = circuitBreaker(handleWhen(isEndpointFailure), {
      halfOpenAfter: options.breakerHalfOpenAfterMs,
      breaker: new ConsecutiveBreaker(options.breakerThreshold),
    });
    const retries = retry(handleWhen(isRetryable), {
      maxAttempts: options.retries,
      backoff: new ExponentialBackoff({
        generator: fullJitterGenerator,
        initialDelay: options.retryBaseDelayMs,
        maxDelay: options.retryMaxDelayMs,
      }),
    });
    retries.onRetry((event) =>
      options.log.warn('iDRAC request failed, retrying', {
        idrac: address,
        attempt: event.attempt,
        delay_ms: Math.round(event.delay),
        error: 'error' in event ? event.error.message : undefined,
      }),
    );
    this.breaker.onFailure((event) => {
      if ('error' in event.reason) this.lastFailure = event.reason.error.message;
    });
    this.breaker.onBreak(() => options.log.error('iDRAC circuit breaker opened', { idrac: address, last_failure: this.lastFailure }));
    this.breaker.onReset(() => options.log.info('iDRAC circuit breaker closed', { idrac: address }));
    this.guarded = wrap(this.breaker, this.limit);
    this.retried = wrap(retries, this.breaker, this.limit);
  }

  async run<T>(guard: Guard, fn: () => Promise<T>): Promise<T> {
    const policy = guard.breaker === false ? this.limit : guard.retry ? this.retried : this.guarded;
    try {
      return await policy.execute(fn);
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        throw new IdracError(
          'circuit_open',
          `iDRAC ${this.address} failed repeatedly; not contacting it until the breaker half-opens${this.lastFailure ? ` (last: ${this.lastFailure})` : ''}`,
          this.address,
          this.lastFailure ? { last_failure: this.lastFailure } : {},
        );
      }
      if (error instanceof BulkheadRejectedError) {
        throw new IdracError('overloaded', `Too many requests queued for iDRAC ${this.address}; try again later`, this.address);
      }
      throw error;
    }
  }

  state(): IdracUpstreamState {
    return {
      address: this.address,
      breaker: STATES[this.breaker.state],
      free_slots: this.limit.executionSlots,
      free_queue: this.limit.queueSlots,
      ...(this.lastFailure ? { last_failure: this.lastFailure } : {}),
    };
  }
}

/** Policies per iDRAC address, created on first use and kept for the client's lifetime. */
export class ResilienceRegistry {
  private readonly endpoints = new Map<string, EndpointResilience>();

  constructor(private readonly options: IdracClientOptions) {}

  for(address: string): EndpointResilience {
    let endpoint = this.endpoints.get(address);
    if (!endpoint) {
      endpoint = new EndpointResilience(address, this.options);
      this.endpoints.set(address, endpoint);
    }
    return endpoint;
  }

  states(): IdracUpstreamState[] {
    return [...this.endpoints.values()].map((e) => e.state());
  }
}
