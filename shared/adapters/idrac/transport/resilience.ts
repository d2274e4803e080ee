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
    options: IdracClientOptions,
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
