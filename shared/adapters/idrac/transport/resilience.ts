import { IdracError, type IdracUpstreamState } from '../../../ports/idrac';
import { BrokenCircuitError, BulkheadRejectedError, UpstreamPolicies } from '../../upstream-policies';
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

/** One iDRAC's policies (shared/adapters/upstream-policies.ts), shared by its Redfish and WS-Man ports (one BMC). */
export class EndpointResilience {
  private readonly policies: UpstreamPolicies;

  constructor(
    readonly address: string,
    private readonly options: IdracClientOptions,
  ) {
    this.policies = new UpstreamPolicies({
      kind: 'iDRAC',
      logAs: { idrac: address },
      log: options.log,
      maxConcurrent: options.maxConcurrentPerEndpoint,
      maxQueued: options.maxQueuedPerEndpoint,
      retries: options.retries,
      retryInitialDelayMs: options.retryBaseDelayMs,
      retryMaxDelayMs: options.retryMaxDelayMs,
      countsAsFailure: isEndpointFailure,
      retryable: isRetryable,
      breakerThreshold: options.breakerThreshold,
      breakerHalfOpenAfterMs: options.breakerHalfOpenAfterMs,
      shared: options.breakers?.for('idrac', address),
    });
  }

  async run<T>(guard: Guard, fn: () => Promise<T>): Promise<T> {
    try {
      return await this.policies.execute(guard.breaker === false ? 'limited' : guard.retry ? 'retried' : 'guarded', fn);
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        const last = this.policies.status().lastFailure?.message;
        throw new IdracError(
          'circuit_open',
          `iDRAC ${this.address} failed repeatedly; not contacting it until the breaker half-opens${last ? ` (last: ${last})` : ''}`,
          this.address,
          last ? { last_failure: last } : {},
        );
      }
      if (error instanceof BulkheadRejectedError) {
        throw new IdracError('overloaded', `Too many requests queued for iDRAC ${this.address}; try again later`, this.address);
      }
      throw error;
    }
  }

  /** Nothing worth remembering: the breaker closed with no failure counted, no call in flight or waiting. */
  idle(): boolean {
    const s = this.policies.status();
    return (
      s.breaker === 'closed' &&
      s.consecutiveFailures === 0 &&
      s.freeSlots === this.options.maxConcurrentPerEndpoint &&
      s.freeQueueSlots === this.options.maxQueuedPerEndpoint
    );
  }

  state(): IdracUpstreamState {
    const s = this.policies.status();
    return {
      address: this.address,
      breaker: s.breaker,
      free_slots: s.freeSlots,
      free_queue: s.freeQueueSlots,
      ...(s.lastFailure ? { last_failure: s.lastFailure.message } : {}),
    };
  }
}

/**
 * Policies per iDRAC address, created on first use. Bounded: beyond `maxEndpoints` the least recently used idle
 * ones are forgotten (a fresh one is the same), so sweeping many addresses does not keep one per address for the
 * container's lifetime. Open and half-open breakers, and endpoints with calls under way, are kept however many
 * there are: forgetting one would let calls through to an iDRAC known to fail, or past its concurrency limit.
 */
export class ResilienceRegistry {
  /** In order of last use, oldest first. */
  private readonly endpoints = new Map<string, EndpointResilience>();

  constructor(
    private readonly options: IdracClientOptions,
    private readonly maxEndpoints = 4_096,
  ) {}

  for(address: string): EndpointResilience {
    const known = this.endpoints.get(address);
    if (known) {
      this.endpoints.delete(address);
      this.endpoints.set(address, known);
      return known;
    }
    const endpoint = new EndpointResilience(address, this.options);
    this.endpoints.set(address, endpoint);
    if (this.endpoints.size > this.maxEndpoints) this.forgetIdle(address);
    return endpoint;
  }

  get size(): number {
    return this.endpoints.size;
  }

  states(): IdracUpstreamState[] {
    return [...this.endpoints.values()].map((e) => e.state());
  }

  private forgetIdle(keep: string): void {
    for (const [address, endpoint] of this.endpoints) {
      if (this.endpoints.size <= this.maxEndpoints) return;
      if (address !== keep && endpoint.idle()) this.endpoints.delete(address);
    }
  }
}
