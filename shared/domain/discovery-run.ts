import { z } from 'zod';
import { idSchema } from './ids';

/** Largest management network one sweep covers: /20 = 4,096 addresses. */
export const MAX_SWEEP_PREFIX = 20;

/**
 * `running` until every address was counted; then `succeeded` (no address errored), `partial` (some
 * addresses could not be probed: `errors` > 0, see `error_samples`) or `failed` (none could).
 */
export type DiscoveryRunStatus = 'running' | 'succeeded' | 'partial' | 'failed';

/** One error of a run, as an operator reads it: which slice, which address(es), what went wrong. */
export type DiscoveryErrorSample = { chunk: number; addresses: string; message: string };

/** A run keeps its first few errors only: enough to say why, small enough for one item. */
export const MAX_ERROR_SAMPLES = 10;

/** One `POST /api/v1/dell/discover`: its sites, what it swept, and progress counters. */
export type DiscoveryRun = CountedSlices & {
  id: string;
  site_ids: string[];
  status: DiscoveryRunStatus;
  /** Why a run ended `partial` or `failed`. */
  status_reason?: string;
  total: number;
  probed: number;
  found: number;
  unreachable: number;
  errors: number;
  /** Endpoints created or updated by this run. */
  endpoints_created: number;
  endpoints_updated: number;
  error_samples?: DiscoveryErrorSample[];
  trigger: 'api' | 'schedule';
  created_at: string;
  /** Last progress written by a worker. */
  updated_at?: string;
  finished_at?: string;
  /** Shown (never stored) when a running sweep made no progress for longer than a message can live. */
  stalled?: string;
  created_by: string;
  version: number;
};

/**
 * Slices (queue messages) already counted, by number: string sets the counting write adds to atomically
 * (Store.add `once`), so a redelivered slice is never counted twice. Not shown by the API. One set per 64
 * slices, because a counting write returns the set it added to: one set for a whole /20 would come back,
 * 4,000 numbers long, with every count.
 */
export type CountedSlices = Partial<Record<`${typeof COUNTED_PREFIX}${number}`, Set<string>>>;
const COUNTED_PREFIX = 'counted_slices_';
const SLICES_PER_SET = 64;

/** The set that records slice `chunk` as counted. */
export const countedSliceSet = (chunk: number) => `${COUNTED_PREFIX}${Math.floor(chunk / SLICES_PER_SET)}` as const;

export const isSliceCounted = (run: CountedSlices, chunk: number): boolean => run[countedSliceSet(chunk)]?.has(String(chunk)) === true;

/** How a run whose every address was counted ends. */
export function finalStatus(run: Pick<DiscoveryRun, 'total' | 'errors' | 'error_samples'>): { status: DiscoveryRunStatus; status_reason?: string } {
  if (run.errors === 0) return { status: 'succeeded' };
  const first = run.error_samples?.[0];
  const why = first ? `; first error (slice ${first.chunk}, ${first.addresses}): ${first.message}` : '';
  if (run.errors >= run.total) return { status: 'failed', status_reason: `none of the ${run.total} address(es) could be probed${why}` };
  return { status: 'partial', status_reason: `${run.errors} of ${run.total} address(es) could not be probed (see error_samples)${why}` };
}

/** The run as the API shows it: the counted slices are bookkeeping, not information. */
export function runView(run: DiscoveryRun): DiscoveryRun {
  return Object.fromEntries(Object.entries(run).filter(([key]) => !key.startsWith(COUNTED_PREFIX))) as DiscoveryRun;
}

export const DiscoverRequest = z.strictObject({
  site_ids: z.array(idSchema('site')).min(1).max(50),
});
