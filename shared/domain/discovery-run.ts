import { z } from 'zod';
import { idSchema } from './ids';

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
export type DiscoveryRun = {
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
  /**
   * Slices (queue messages) already counted, by number: a string set the counting write adds to atomically
   * (Store.add `once`), so a redelivered slice is never counted twice. Not shown by the API.
   */
  counted_slices?: Set<string>;
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

export const isSliceCounted = (run: Pick<DiscoveryRun, 'counted_slices'>, chunk: number): boolean =>
  run.counted_slices?.has(String(chunk)) === true;

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
  const { counted_slices: _bookkeeping, ...view } = run;
  return view;
}

export const DiscoverRequest = z.strictObject({
  site_ids: z.array(idSchema('site')).min(1).max(50),
});
