/**
 * The message of each worker pool's queue: one zod schema per pool, used by whoever sends (use cases, the
 * schedules) and by the pool's consumer, so a producer cannot queue what its consumer would refuse.
 */
import { z } from 'zod';
import type { Queue } from '../ports/queue';
import type { PoolName } from './worker-pools';

const SyncType = z.enum(['full', 'delta']);

/**
 * A slice of a discovery sweep: addresses of one site, with the endpoints already registered at some of them.
 * With `knock`, the addresses are only knocked on; those that answer become slices of their own, numbered
 * from `first_chunk` in the slice's order.
 */
const DiscoverySlice = z.object({
  run_id: z.string().min(1),
  site_id: z.string().min(1),
  chunk: z.number().int().nonnegative(),
  addresses: z.array(z.string()),
  registered: z.record(z.string(), z.string()).optional(),
  total: z.number().int().nonnegative().optional(),
  knock: z.object({ first_chunk: z.number().int().nonnegative() }).optional(),
});
export type DiscoverySliceMessage = z.infer<typeof DiscoverySlice>;

/** A schedule's message carries the schedule's name (infra/local/scheduler.ts, EventBridge input). */
const fromSchedule = { schedule: z.string().optional() };

export const POOL_MESSAGES = {
  /** One job to start, or (`compensate`) one ended job whose leftovers to undo. */
  jobs: z.object({ job_id: z.string().min(1), compensate: z.literal(true).optional() }),
  /** The periodic sweep; every message triggers one full sweep. */
  housekeeping: z.object({ task: z.literal('housekeeping'), ...fromSchedule }),
  'vcenter-sync': z.union([
    /** One attempt of one sync run. */
    z.object({
      instance_id: z.string().min(1),
      sync_type: SyncType,
      sync_run_id: z.string().min(1),
      /** Absent on the first attempt; a retry's message carries its number. */
      attempt: z.number().int().min(1).optional(),
    }),
    /** From the schedules: one run per registered instance. */
    z.object({ task: z.literal('vcenter-sync-all'), sync_type: SyncType, ...fromSchedule }),
  ]),
  discovery: z.union([
    DiscoverySlice,
    /** From the schedule: sweep every site that can be swept. */
    z.object({ task: z.literal('discover_all'), ...fromSchedule }),
  ]),
  /** One full IPAM reconciliation pass; a batch of them needs only one. */
  ipam: z.object({ task: z.literal('ipam-reconcile'), reason: z.string().max(200).optional(), ...fromSchedule }),
  /** Carry one credential rotation on from the step its record names. */
  credentials: z.object({ rotation_id: z.string().min(1) }),
} satisfies Record<PoolName, z.ZodType>;

export type PoolMessage<P extends PoolName> = z.infer<(typeof POOL_MESSAGES)[P]>;

/** Parses one queue record's body for its pool; a body that is not its pool's message throws (and is redelivered, then dead-lettered). */
export function parsePoolMessage<P extends PoolName>(pool: P, body: string): PoolMessage<P> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Error(`A '${pool}' queue message is not JSON`);
  }
  return POOL_MESSAGES[pool].parse(json) as PoolMessage<P>;
}

/** Sends messages to a pool's queue, each checked against the pool's schema first. */
export async function sendToPool<P extends PoolName>(
  queue: Queue,
  pool: P,
  messages: { message: PoolMessage<P>; delaySeconds?: number }[],
): Promise<void> {
  await queue.send(
    pool,
    messages.map(({ message, delaySeconds }) => ({
      body: JSON.stringify(POOL_MESSAGES[pool].parse(message)),
      ...(delaySeconds === undefined ? {} : { delaySeconds }),
    })),
  );
}
