import { adapterLog } from '../../observability/logger';
import type { SharedBreaker } from '../../ports/upstream-breakers';
import { type BreakerState, BrokenCircuitError, BulkheadRejectedError, UpstreamPolicies } from '../upstream-policies';
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

export type { BreakerState };

/** The breaker as the API shows it: state, transport failures in a row, and when an open one lets a probe through. */
export interface BreakerStatus {
  state: BreakerState;
  consecutiveFailures: number;
  openedAt?: Date;
  retryAt?: Date;
}

// Only failures to get an answer count: a SOAP fault is vCenter working as designed.
const isTransportFailure = (e: Error) => e instanceof VSphereTransportError;

/** Per-vCenter policies (shared/adapters/upstream-policies.ts); retries for idempotent reads only. */
export class Resilience {
  private readonly policies: UpstreamPolicies;

  constructor(
    private readonly url: string,
    options: ResilienceOptions,
    shared?: SharedBreaker,
  ) {
    this.policies = new UpstreamPolicies({
      kind: 'vCenter',
      logAs: { vcenter: url },
      log: adapterLog,
      maxConcurrent: options.maxConcurrentRequests,
      maxQueued: options.maxQueuedRequests,
      retries: options.retries,
      retryInitialDelayMs: options.retryInitialDelayMs,
      retryMaxDelayMs: options.retryMaxDelayMs,
      countsAsFailure: isTransportFailure,
      breakerThreshold: options.breakerThreshold,
      breakerHalfOpenAfterMs: options.breakerHalfOpenAfterMs,
      shared,
    });
  }

  async run<T>(idempotent: boolean, fn: () => Promise<T>): Promise<T> {
    try {
      return await this.policies.execute(idempotent ? 'retried' : 'guarded', fn);
    } catch (err) {
      if (err instanceof BrokenCircuitError) {
        const status = this.policies.status();
        throw new VSphereCircuitOpenError(this.url, {
          consecutiveFailures: status.consecutiveFailures,
          retryAt: status.retryAt ?? new Date(),
          lastFailure: status.lastFailure,
        });
      }
      if (err instanceof BulkheadRejectedError) {
        throw new VSphereLimitError(`Too many requests queued for vCenter ${this.url}; try again later`);
      }
      throw err;
    }
  }

  get breakerState(): BreakerState {
    return this.policies.status().breaker;
  }

  get breakerStatus(): BreakerStatus {
    const { breaker, consecutiveFailures, openedAt, retryAt } = this.policies.status();
    return { state: breaker, consecutiveFailures, openedAt, retryAt };
  }

  get freeSlots(): number {
    return this.policies.status().freeSlots;
  }

  get freeQueueSlots(): number {
    return this.policies.status().freeQueueSlots;
  }
}
