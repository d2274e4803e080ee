/**
 * Request parts many routes share: path parameters, paging, the optional reason of a system control, the
 * audit search. Each route's own bodies and filters live with their record's domain module; the route
 * catalog names them all per route (catalog/route-schemas.ts).
 */
import { z } from 'zod';

export const IdPath = z.object({ id: z.string().min(1) });
export const AddressPath = z.object({ address: z.string().min(1) });
/** A pool's name (`jobs`) or its workers' id from the runbook (`worker-001`). */
export const PoolPath = z.object({ pool: z.string().min(1) });

/** Cursor pagination on every list: `?limit=` (1–200, default 50) and the `next_token` of the previous page. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  next_token: z.string().min(1).max(4096).optional(),
});

/** The runbook's commands send no body; a reason is welcome but optional. */
export const OptionalReason = z.strictObject({ reason: z.string().trim().min(1).max(500).optional() }).default({});

/** Read-only emergency mode is never turned on without saying why: every refused write repeats it. */
export const ReadOnlyActivation = z.strictObject({ reason: z.string().trim().min(1).max(500) });

/** `GET /upstreams` filters. */
export const UpstreamQuery = z.object({
  kind: z.enum(['vcenter', 'idrac']).optional(),
  state: z.enum(['closed', 'open', 'half-open']).optional(),
});
export type UpstreamQuery = z.output<typeof UpstreamQuery>;

/** SQS maximum concurrency's range, so a pool scales the same in both runtimes. */
/** A route that takes no query parameters: any given is refused (400 naming it). */
export const NoQuery = z.strictObject({});

export const PoolScaling = z.strictObject({ concurrency: z.number().int().min(2).max(1000) });

export const AuditQuery = z.object({
  entity: z.string().min(1).max(256).optional(),
  actor: z.string().min(1).max(256).optional(),
  action: z.string().min(1).max(128).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  next_token: z.string().min(1).max(4096).optional(),
});
export type AuditQuery = z.output<typeof AuditQuery>;
