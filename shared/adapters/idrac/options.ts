import { type AdapterLog, adapterLog } from '../../observability/logger';
import type { BreakerBoard } from '../../ports/upstream-breakers';

/** The few logger methods the client uses; the Powertools logger fits, tests pass a recorder. */
export type IdracLog = AdapterLog;

export interface IdracClientOptions {
  /** TCP connect plus TLS handshake. */
  connectTimeoutMs: number;
  /** From request sent to response headers. */
  headersTimeoutMs: number;
  /** Between body chunks. */
  bodyTimeoutMs: number;
  /** Idle keep-alive sockets are closed after this (iDRACs drop idle ones themselves within seconds). */
  keepAliveTimeoutMs: number;
  /** Requests in flight to one iDRAC at once, both protocols together (iDRACs are small machines). */
  maxConcurrentPerEndpoint: number;
  /** Requests that may wait for a slot before new ones are refused ('overloaded'). */
  maxQueuedPerEndpoint: number;
  /** Extra attempts for idempotent requests (GET/DELETE, WS-Man Identify/Enumerate). */
  retries: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  /** Consecutive failures (transport errors, timeouts, 5xx, 429) that open an endpoint's breaker. */
  breakerThreshold: number;
  breakerHalfOpenAfterMs: number;
  /** Where each iDRAC's breaker reports its transitions and learns of an admin's reset (shared by all containers). */
  breakers?: BreakerBoard;
  /** Items per WS-Man Enumerate/Pull page. */
  wsmanPageSize: number;
  /** Lowest Redfish version used for inventory and actions; below it, WS-Man (when offered). */
  minRedfishVersion: string;
  log: IdracLog;
}

export const DEFAULT_OPTIONS: IdracClientOptions = {
  connectTimeoutMs: 5_000,
  headersTimeoutMs: 30_000,
  bodyTimeoutMs: 30_000,
  keepAliveTimeoutMs: 4_000,
  maxConcurrentPerEndpoint: 2,
  maxQueuedPerEndpoint: 64,
  retries: 2,
  retryBaseDelayMs: 250,
  retryMaxDelayMs: 4_000,
  breakerThreshold: 5,
  breakerHalfOpenAfterMs: 30_000,
  wsmanPageSize: 50,
  minRedfishVersion: '1.0.0',
  log: adapterLog,
};

export function resolveOptions(overrides: Partial<IdracClientOptions> = {}): IdracClientOptions {
  const options = { ...DEFAULT_OPTIONS, ...overrides };
  for (const key of [
    'connectTimeoutMs',
    'headersTimeoutMs',
    'bodyTimeoutMs',
    'maxConcurrentPerEndpoint',
    'wsmanPageSize',
    'breakerThreshold',
  ] as const) {
    if (!(options[key] > 0)) throw new Error(`iDRAC client option ${key} must be > 0, got ${options[key]}`);
  }
  if (options.retries < 0 || !Number.isInteger(options.retries)) throw new Error(`iDRAC client option retries must be an integer >= 0`);
  return options;
}

export const DEFAULT_REDFISH_PORT = 443;
export const DEFAULT_WSMAN_PORT = 5986;
