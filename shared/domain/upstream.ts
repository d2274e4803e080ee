/**
 * An upstream (a vCenter instance, an iDRAC) as `GET /api/v1/upstreams` shows it: its circuit breaker from the
 * shared board, and the limits EIO's clients enforce towards it. The route catalog's response schema, so the
 * OpenAPI document describes exactly this.
 */
import { z } from 'zod';

/**
 * What one container's client enforces towards one upstream, read from the settings the client is built with.
 * Each container enforces them for itself: three containers working on one iDRAC may have three times
 * `max_concurrent_requests` in flight to it.
 */
export const UpstreamLimitsSchema = z.object({
  /** Requests in flight to this upstream at once; beyond them, requests wait for a slot. */
  max_concurrent_requests: z.number().int(),
  /** Requests that may wait for a slot before new ones are refused (iDRAC `overloaded`, vCenter a limit error). */
  max_queued_requests: z.number().int(),
  /** Extra attempts of an idempotent request after a transport failure, with exponential backoff. */
  retries: z.number().int(),
  retry_max_delay_ms: z.number().int(),
  /** TCP connect plus TLS handshake. */
  connect_timeout_ms: z.number().int(),
  /** iDRAC: from request sent to response headers (and between body chunks); vCenter: one request's deadline. */
  response_timeout_ms: z.number().int(),
  breaker: z.object({
    /** Consecutive transport failures (and for an iDRAC 5xx/429) that open the breaker. */
    failure_threshold: z.number().int(),
    /** How long an open breaker refuses calls before letting one probe through. */
    half_open_after_ms: z.number().int(),
  }),
  /** vCenter: private PropertyCollectors one session holds at once (delta waiters), besides the task watcher's one. */
  max_property_collectors: z.number().int().optional(),
});
export type UpstreamLimits = z.output<typeof UpstreamLimitsSchema>;

export const UpstreamSchema = z.object({
  /** `vcenter:<instance id>` or `idrac:<address>`. */
  id: z.string(),
  kind: z.enum(['vcenter', 'idrac']),
  /** The instance id or the iDRAC address. */
  key: z.string(),
  name: z.string().optional(),
  breaker: z.object({
    state: z.enum(['closed', 'open', 'half-open']),
    consecutive_failures: z.number().int(),
    next_attempt_at: z.string().nullable(),
    last_failure: z.string().nullable(),
    changed_at: z.string().nullable(),
    reset_at: z.string().nullable(),
    reset_by: z.string().nullable(),
  }),
  limits: UpstreamLimitsSchema,
});
export type UpstreamView = z.output<typeof UpstreamSchema>;

export const UpstreamListSchema = z.object({ items: z.array(UpstreamSchema) });
