import type { SyncRun, VCenterInstance } from '../domain/vcenter';
import { InvalidLoginFault, VSphereCircuitOpenError, VSphereTransportError } from '../ports/vcenter';

/** What one failed sync attempt means for the run and the instance. */
export type AttemptFailure = {
  /** The text the run, its attempt list and the instance's `last_sync` show. */
  error: string;
  /** vCenter gave no answer (transport), or the breaker refused after such failures: the instance is unreachable. */
  unreachable: boolean;
  /** Worth another attempt: only failures that time can fix, never wrong credentials or a certificate mismatch. */
  retryable: boolean;
  /** An open breaker's time for its next probe (epoch ms): a retry waits at least until then. */
  notBefore?: number;
};

/**
 * Classifies a failed attempt. A run that meets an open breaker on its first attempt fails at once (the
 * breaker exists to stop piling work onto a dead vCenter); a run already retrying keeps its remaining
 * attempts, scheduled after the breaker's half-open time so that its next attempt is the probe.
 */
export function classifySyncFailure(
  e: unknown,
  instance: Pick<VCenterInstance, 'id' | 'url' | 'service_identity_id'>,
  attempt: number,
): AttemptFailure {
  if (e instanceof VSphereCircuitOpenError) {
    return {
      error:
        `vCenter ${instance.id} circuit open after ${e.consecutiveFailures} consecutive failures; next attempt allowed after ` +
        `${e.retryAt.toISOString()}${e.lastFailure ? `; last failure: ${e.lastFailure.message}` : ''}`,
      unreachable: true,
      retryable: attempt > 1,
      notBefore: e.retryAt.getTime(),
    };
  }
  if (e instanceof VSphereTransportError) return { error: `vCenter unreachable: ${e.message}`, unreachable: true, retryable: true };
  if (e instanceof InvalidLoginFault) {
    return {
      error:
        `vCenter ${instance.url} refused the login of service identity '${instance.service_identity_id}' (InvalidLogin): ` +
        'check its username and password',
      unreachable: false,
      retryable: false,
    };
  }
  const err = e as Error | undefined;
  return { error: `${err?.name ?? 'Error'}: ${err?.message ?? String(e)}`, unreachable: false, retryable: false };
}

/** SQS holds a delayed message at most 15 minutes. */
export const MAX_RETRY_DELAY_SECONDS = 900;

/** Exponential backoff (base, 2×base, …), never before the breaker lets a probe through; whole seconds. */
export function retryDelaySeconds(now: number, attempt: number, baseSeconds: number, notBefore?: number): number {
  const backoff = baseSeconds * 2 ** (attempt - 1);
  const breaker = notBefore === undefined ? 0 : Math.ceil((notBefore - now) / 1000);
  return Math.min(MAX_RETRY_DELAY_SECONDS, Math.max(1, backoff, breaker));
}

/**
 * Whether a message for `attempt` of this run should be ignored: the run has ended, a later attempt has
 * started, or this attempt already failed and queued its successor (a redelivered message). A message
 * for the attempt now `running` is a redelivery after a crashed worker and runs again.
 */
export function isStaleAttempt(run: Pick<SyncRun, 'status' | 'attempts'>, attempt: number): boolean {
  if (run.status === 'succeeded' || run.status === 'failed') return true;
  const started = run.attempts ?? 0;
  if (attempt < started) return true;
  return run.status === 'retrying' && attempt <= started;
}
