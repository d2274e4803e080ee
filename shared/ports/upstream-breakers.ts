/**
 * Circuit breakers as every container sees them. Each container keeps its own breaker per upstream (a vCenter
 * instance, an iDRAC address): it reports each transition here (only transitions, so a healthy upstream costs
 * nothing), and a breaker that is open asks here whether an admin reset it since it opened. The store holds
 * the board, so `GET /api/v1/upstreams` shows the same thing whichever container answers.
 */
export type UpstreamKind = 'vcenter' | 'idrac';
export type BreakerState = 'closed' | 'open' | 'half-open';

export type BreakerTransition = {
  state: BreakerState;
  consecutiveFailures: number;
  /** While open: when it lets a probe through. */
  nextAttemptAt?: Date;
  lastFailure?: string;
};

/** One upstream's place on the board. */
export interface SharedBreaker {
  /** This container's breaker changed state: recorded in the background, never failing or delaying the call. */
  transitioned(t: BreakerTransition): void;
  /** When an admin last reset this upstream's breaker (epoch ms), if ever. */
  resetAt(): Promise<number | undefined>;
}

export interface BreakerBoard {
  for(kind: UpstreamKind, key: string): SharedBreaker;
}
