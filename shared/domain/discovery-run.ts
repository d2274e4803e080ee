/**
 * A discovery run (one POST /api/v1/dell/discover, or a share of the nightly schedule): what a sweep covers,
 * the record that counts its progress, and how it ends.
 */
import { z } from 'zod';
import { ipv4CidrSize, ipv4Prefix } from './cidr';
import type { EndpointConflict } from './dell-endpoint';
import type { DeviceIdentity } from './device-identity';
import { idSchema } from './ids';

/** Largest management network one sweep covers: /20 = 4,096 addresses. */
export const MAX_SWEEP_PREFIX = 20;
/** Sites one run sweeps at most: what POST /api/v1/dell/discover accepts, and how the nightly schedule splits its runs. */
export const MAX_SITES_PER_RUN = 50;

/** A site's networks a run did not sweep, and why, in the operator's words. */
export type SkippedNetworks = { site_id: string; networks: string[]; reason: string };

/** What a sweep of a site covers: its IPv4 networks up to /20. Larger ones cannot be swept; IPv6 ones are never swept. */
export function sweepableNetworks(networks: string[]): { sweep: string[]; tooLarge: string[] } {
  const ipv4 = networks.filter((n) => ipv4Prefix(n) !== undefined);
  return {
    sweep: ipv4.filter((n) => ipv4Prefix(n)! >= MAX_SWEEP_PREFIX),
    tooLarge: ipv4.filter((n) => ipv4Prefix(n)! < MAX_SWEEP_PREFIX),
  };
}

const largest = (2 ** (32 - MAX_SWEEP_PREFIX)).toLocaleString('en-US');

/** Why networks larger than /20 are not swept, and what the operator can do about it. */
export function tooLargeToSweep(networks: string[]): string {
  if (networks.length === 1) {
    const size = ipv4CidrSize(networks[0]!).toLocaleString('en-US');
    return (
      `network ${networks[0]} is larger than /${MAX_SWEEP_PREFIX} (${size} addresses; a sweep covers at most ${largest}): ` +
      `split it into /${MAX_SWEEP_PREFIX} or smaller networks, or register its iDRACs individually`
    );
  }
  return (
    `networks ${networks.join(', ')} are larger than /${MAX_SWEEP_PREFIX} (a sweep covers at most ${largest} addresses per network): ` +
    `split them into /${MAX_SWEEP_PREFIX} or smaller networks, or register their iDRACs individually`
  );
}

/**
 * `running` until every address was counted; then `succeeded` (every address probed, every network swept),
 * `partial` (some addresses could not be probed, see `error_samples`, or some networks were not swept, see
 * `skipped`) or `failed` (no address could be probed).
 */
export type DiscoveryRunStatus = 'running' | 'succeeded' | 'partial' | 'failed';

/** One error of a run, as an operator reads it: which slice, which address(es), what went wrong. */
export type DiscoveryErrorSample = { chunk: number; addresses: string; message: string };

/** A run keeps its first few errors only: enough to say why, small enough for one item. */
export const MAX_ERROR_SAMPLES = 10;

/** A device a run found that is not an iDRAC: where, and what it said it is. It got no endpoint and no credential. */
export type SeenDevice = { address: string; site_id: string } & Omit<DeviceIdentity, 'wsman'>;
/** Devices a run lists by address (all of them are counted in `not_idrac` and recorded as IP observations). */
export const MAX_SEEN_DEVICES = 50;

/** Two endpoints of a run that report the same server. */
export type RunConflict = {
  endpoint_ids: [string, string];
  addresses: [string, string];
  matched: EndpointConflict['matched'];
  value: string;
};
export const MAX_RUN_CONFLICTS = 50;

/** One `POST /api/v1/dell/discover`: its sites, what it swept, and progress counters. */
export type DiscoveryRun = CountedSlices & {
  id: string;
  site_ids: string[];
  status: DiscoveryRunStatus;
  /** Why a run ended `partial` or `failed`. */
  status_reason?: string;
  total: number;
  probed: number;
  /** iDRACs that answered. */
  found: number;
  /** Addresses where nothing answered (or nothing could be read). */
  unreachable: number;
  /** Addresses the client refused to contact (an open breaker, too many calls queued): neither found nor "no answer". */
  not_contacted?: number;
  /** Devices that answered but are not iDRACs (see `seen`): no endpoint, no credential. */
  not_idrac?: number;
  /** Addresses of the sites' networks and endpoints left out by their `discovery_exclusions` (not in `total`). */
  excluded?: number;
  errors: number;
  /** Endpoints created or updated by this run. */
  endpoints_created: number;
  endpoints_updated: number;
  error_samples?: DiscoveryErrorSample[];
  /** The first MAX_SEEN_DEVICES devices that are not iDRACs, with what they are. */
  seen?: SeenDevice[];
  /** Endpoints reporting the same server under two addresses (also flagged on both endpoints). */
  conflicts?: RunConflict[];
  /** Networks of its sites the run could not sweep (scheduled runs; an API request naming one is refused instead). */
  skipped?: SkippedNetworks[];
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
export function finalStatus(run: Pick<DiscoveryRun, 'total' | 'errors' | 'error_samples' | 'skipped'>): {
  status: DiscoveryRunStatus;
  status_reason?: string;
} {
  const skipped = run.skipped ?? [];
  if (run.errors === 0 && !skipped.length) return { status: 'succeeded' };
  const reasons: string[] = [];
  if (run.errors > 0) {
    const first = run.error_samples?.[0];
    const why = first ? `; first error (slice ${first.chunk}, ${first.addresses}): ${first.message}` : '';
    reasons.push(
      run.errors >= run.total
        ? `none of the ${run.total} address(es) could be probed${why}`
        : `${run.errors} of ${run.total} address(es) could not be probed (see error_samples)${why}`,
    );
  }
  if (skipped.length) {
    const [first] = skipped;
    reasons.push(`${skipped.length} site(s) have networks that were not swept (see skipped); site '${first!.site_id}': ${first!.reason}`);
  }
  if (run.total === 0) reasons.unshift('nothing was swept');
  return { status: run.errors >= run.total ? 'failed' : 'partial', status_reason: reasons.join('; ') };
}

/** The run as the API shows it: the counted slices are bookkeeping, not information. */
export function runView(run: DiscoveryRun): DiscoveryRun {
  return Object.fromEntries(Object.entries(run).filter(([key]) => !key.startsWith(COUNTED_PREFIX))) as DiscoveryRun;
}

export const DiscoverRequest = z.strictObject({
  site_ids: z.array(idSchema('site')).min(1).max(MAX_SITES_PER_RUN),
});
