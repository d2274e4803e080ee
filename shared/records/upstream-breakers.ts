/**
 * The circuit breaker board (ports/upstream-breakers.ts) in the store: one record per upstream that ever
 * changed state, pk `UPSTREAM#<kind>:<key>`, listed by kind (gsi1). Written only on transitions and resets;
 * the last container to report a transition sets the state shown.
 */
import { ConflictError } from '../domain/errors';
import type { Clock } from '../ports/clock';
import type { Store } from '../ports/store';
import type { BreakerBoard, BreakerState, BreakerTransition, UpstreamKind } from '../ports/upstream-breakers';
import { Entity } from './entity';

export type UpstreamBreaker = {
  /** `<kind>:<key>`: `vcenter:<instance id>`, `idrac:<address>`. */
  id: string;
  kind: UpstreamKind;
  key: string;
  state: BreakerState;
  consecutive_failures: number;
  next_attempt_at?: string;
  last_failure?: string;
  changed_at: string;
  reset_at?: string;
  reset_by?: string;
  version: number;
};

export const upstreamBreakers = new Entity<UpstreamBreaker>('upstream', 'UPSTREAM');

export const upstreamId = (kind: UpstreamKind, key: string) => `${kind}:${key}`;

/** Applies `change` to the record (a closed one when there is none yet), retrying a lost race. */
export async function writeBreaker(
  store: Store,
  kind: UpstreamKind,
  key: string,
  change: (current: UpstreamBreaker) => UpstreamBreaker,
): Promise<UpstreamBreaker> {
  const id = upstreamId(kind, key);
  for (;;) {
    const current = await upstreamBreakers.find(store, id);
    if (current) return upstreamBreakers.update(store, id, change);
    const fresh: UpstreamBreaker = {
      id,
      kind,
      key,
      state: 'closed',
      consecutive_failures: 0,
      changed_at: new Date(0).toISOString(),
      version: 0,
    };
    try {
      return await upstreamBreakers.create(store, { ...change(fresh), id, version: 1 });
    } catch (e) {
      // Another container created it first: update theirs.
      if (!(e instanceof ConflictError)) throw e;
    }
  }
}

const transitionOf =
  (t: BreakerTransition, at: string) =>
  (current: UpstreamBreaker): UpstreamBreaker => {
    const { next_attempt_at: _n, last_failure: _l, ...rest } = current;
    return {
      ...rest,
      state: t.state,
      consecutive_failures: t.consecutiveFailures,
      ...(t.nextAttemptAt ? { next_attempt_at: t.nextAttemptAt.toISOString() } : {}),
      ...(t.lastFailure ? { last_failure: t.lastFailure } : {}),
      changed_at: at,
    };
  };

/**
 * The board on the store: transitions written in the background (a failure to record one is logged, never thrown),
 * one after another per upstream, in the order this container saw them. A half-open breaker whose probe fails at
 * once reports half-open and open within a millisecond; written side by side, the first could land last and show
 * a breaker that is open as half-open. Only upstreams with a write under way hold a place in `writing`.
 */
export function storeBreakerBoard(store: Store, clock: Clock, onError: (e: unknown) => void): BreakerBoard {
  const writing = new Map<string, Promise<void>>();
  return {
    for: (kind, key) => ({
      transitioned: (t) => {
        const id = upstreamId(kind, key);
        const change = transitionOf(t, new Date(clock.now()).toISOString());
        const write: Promise<void> = (writing.get(id) ?? Promise.resolve())
          .then(() => writeBreaker(store, kind, key, change))
          .then(
            () => undefined,
            (e) => onError(e),
          )
          .finally(() => {
            if (writing.get(id) === write) writing.delete(id);
          });
        writing.set(id, write);
      },
      resetAt: async () => {
        const at = (await upstreamBreakers.find(store, upstreamId(kind, key)))?.reset_at;
        return at ? Date.parse(at) : undefined;
      },
    }),
  };
}
