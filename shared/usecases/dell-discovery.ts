/**
 * Discovery of Dell iDRACs: a run sweeps its sites' management networks and registered endpoints, one queue
 * message per address on the discovery pool; workers probe, create or refresh endpoints and count into the
 * run, which always ends (docs/idrac-clients.md, "Endpoints and discovery"). The nightly schedule covers
 * every site, skipping and naming what cannot be swept.
 */

import { type DiscoverySliceMessage, sendToPool } from '../catalog/messages';
import { config } from '../config';
import { excludedBy, hostAddresses, ipv4Prefix } from '../domain/cidr';
import { AddressInUseError, type DellEndpoint } from '../domain/dell-endpoint';
import type { DeviceIdentity } from '../domain/device-identity';
import {
  countedSliceSet,
  type DiscoveryErrorSample,
  type DiscoveryRun,
  finalStatus,
  isSliceCounted,
  MAX_ERROR_SAMPLES,
  MAX_RUN_CONFLICTS,
  MAX_SEEN_DEVICES,
  MAX_SITES_PER_RUN,
  type RunConflict,
  runView,
  type SeenDevice,
  type SkippedNetworks,
  sweepableNetworks,
  tooLargeToSweep,
} from '../domain/discovery-run';
import { ConflictError, type ErrorDetail, NotFoundError, ValidationError } from '../domain/errors';
import type { CapabilityFingerprint } from '../domain/idrac';
import { newId } from '../domain/ids';
import type { Site } from '../domain/site';
import { mapBounded, withDeadline } from '../lib/async';
import { logger } from '../observability/logger';
import { isoNow } from '../ports/clock';
import type { Page } from '../ports/store';
import { recordAudit } from '../records/audit';
import { discoveryRuns, endpointsOfSite } from '../records/dell-endpoints';
import { recordDeviceObservation } from '../records/ip-observations';
import { eachItem } from '../records/paging';
import { sites } from '../records/sites';
import {
  createDellEndpoint,
  type InspectDeps,
  type InspectionLookups,
  inventoryAfterProbe,
  probeWithTofu,
  refreshDellEndpoint,
} from './dell-endpoints';
import type { Deps } from './deps';
import { requestIpamReconciliation } from './ipam-reconciliation';
import { RunScopedCache } from './run-scoped-cache';
import { useCredential } from './service-identities';

const SEND_CONCURRENCY = 8;
/**
 * Addresses per knock slice. Addresses with no endpoint yet (most of a swept network) are first knocked on
 * (Idrac.knock: a ClientHello and the first byte back), all of a slice at once, by one worker: a slot held
 * for at most one connect timeout whatever the number of silent addresses, since an idle socket costs no CPU
 * (in AWS, one invocation billed for one timeout instead of one per silent address). Only the addresses that
 * answer take a probe slot each. 128 addresses are 256 sockets, well inside Lambda's 1,024 descriptors.
 */
export const KNOCK_SLICE = 128;

/**
 * One slice of a sweep; `registered` maps its addresses that already have an endpoint (when planned) to their ids;
 * `total` is the run's.
 */
type Message = DiscoverySliceMessage;

/**
 * What one site adds to a run: the addresses to probe (its swept networks and its registered endpoints), less
 * its `discovery_exclusions`, which are never probed.
 */
type SitePlan = { site: Site; addresses: string[]; registered: Map<string, string>; excluded: number };

async function planSite(deps: Pick<Deps, 'store'>, site: Site, networks: string[]): Promise<SitePlan> {
  const addresses = new Set<string>();
  for (const cidr of networks) for (const a of hostAddresses(cidr)) addresses.add(a);
  const registered = new Map<string, string>();
  for (const ep of await endpointsOfSite(deps.store, site.id)) {
    addresses.add(ep.address);
    registered.set(ep.address, ep.id);
  }
  const isExcluded = excludedBy(site.discovery_exclusions ?? []);
  const kept = [...addresses].filter((a) => !isExcluded(a));
  return { site, addresses: kept, registered, excluded: addresses.size - kept.length };
}

/** Validates the sites, plans the sweep, writes the run and fans its addresses out to the discovery pool. */
export async function startDiscovery(
  deps: Pick<Deps, 'store' | 'clock' | 'queue'>,
  input: { site_ids: string[] },
  actor: string,
): Promise<DiscoveryRun> {
  const problems: ErrorDetail[] = [];
  const plans: SitePlan[] = [];
  const asked = new Set<string>();
  for (const [i, siteId] of input.site_ids.entries()) {
    const path = `body.site_ids[${i}]`;
    if (asked.has(siteId)) continue; // a site named twice is swept once
    asked.add(siteId);
    const site = await sites.find(deps.store, siteId);
    if (!site) {
      problems.push({ path, message: `site '${siteId}' does not exist` });
      continue;
    }
    // Asked for by name: a network that cannot be swept is refused, so the operator fixes it and asks again.
    const { sweep, tooLarge } = sweepableNetworks(site.management_networks);
    if (tooLarge.length) problems.push({ path, message: `site '${siteId}' ${tooLargeToSweep(tooLarge)}` });
    else plans.push(await planSite(deps, site, sweep));
  }
  const total = plans.reduce((n, p) => n + p.addresses.length, 0);
  const max = config().discoveryMaxAddresses;
  if (!problems.length && total > max)
    problems.push({
      path: 'body.site_ids',
      message: `these sites hold ${total} addresses to sweep; one request sweeps at most ${max} (DISCOVERY_MAX_ADDRESSES)`,
    });
  if (problems.length) throw new ValidationError(`Cannot discover: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, problems);
  const run = await launchRun(deps, plans, [], actor, 'api');
  await recordAudit(deps.store, {
    subject_id: run.id,
    action: 'discovery.started',
    at: run.created_at,
    actor,
    detail: { site_ids: run.site_ids, addresses: run.total },
  });
  return run;
}

/** Writes the run and fans its addresses out to the discovery pool, one message per slice. */
async function launchRun(
  deps: Pick<Deps, 'store' | 'clock' | 'queue'>,
  plans: SitePlan[],
  skipped: SkippedNetworks[],
  actor: string,
  trigger: DiscoveryRun['trigger'],
): Promise<DiscoveryRun> {
  const run = await discoveryRuns.create(deps.store, {
    id: newId('discovery_run', deps.clock.now()),
    site_ids: plans.map((p) => p.site.id),
    status: 'running',
    total: plans.reduce((n, p) => n + p.addresses.length, 0),
    probed: 0,
    found: 0,
    unreachable: 0,
    not_contacted: 0,
    not_idrac: 0,
    excluded: plans.reduce((n, p) => n + p.excluded, 0),
    errors: 0,
    endpoints_created: 0,
    endpoints_updated: 0,
    ...(skipped.length ? { skipped } : {}),
    trigger,
    created_at: isoNow(deps.clock),
    created_by: actor,
    version: 1,
  });
  // Chunk numbers: one per address in [0, total) (the slice that probes it counts it), then one per knock
  // slice (counting the addresses that did not answer). Knock slices go first: their waiting starts early.
  const knocks: Message[] = [];
  const probes: Message[] = [];
  let next = 0;
  for (const { site, addresses, registered } of plans) {
    const common = { run_id: run.id, site_id: site.id, total: run.total };
    for (const a of addresses)
      if (registered.has(a)) probes.push({ ...common, chunk: next++, addresses: [a], registered: { [a]: registered.get(a)! } });
    const unknown = addresses.filter((a) => !registered.has(a));
    for (let i = 0; i < unknown.length; i += KNOCK_SLICE) {
      const slice = unknown.slice(i, i + KNOCK_SLICE);
      knocks.push({ ...common, chunk: run.total + knocks.length, addresses: slice, knock: { first_chunk: next } });
      next += slice.length;
    }
  }
  const messages = [...knocks, ...probes];
  if (!messages.length) return runView(await closeRun(deps, run.id));
  await sendSlices(deps, messages);
  return run;
}

/** Sends slices to the discovery pool, 10 per batch (SQS's limit), a few batches at once. */
async function sendSlices(deps: Pick<Deps, 'queue'>, messages: Message[], onSent?: (batch: Message[]) => void): Promise<void> {
  const batches: Message[][] = [];
  for (let i = 0; i < messages.length; i += 10) batches.push(messages.slice(i, i + 10));
  await mapBounded(batches, SEND_CONCURRENCY, async (batch) => {
    await sendToPool(
      deps.queue,
      'discovery',
      batch.map((message) => ({ message })),
    );
    onSent?.(batch);
  });
}

/**
 * Every slice is counted by its last allowed receive at the latest (discoverChunk), so a run ends unless a
 * message is lost altogether or its last attempt cannot write the count (store down, function killed before
 * its reserve): a run with no progress for this long is shown `stalled`, on read.
 */
const STALLED_AFTER_MS = 20 * 60_000;

/** Runs newest first (gsi1 is ordered by creation time), as the API shows them. */
export async function listDiscoveryRuns(deps: Pick<Deps, 'store'>, page: { limit: number; cursor?: string }): Promise<Page<DiscoveryRun>> {
  const result = await discoveryRuns.list(deps.store, { ...page, descending: true });
  return { items: result.items.map(runView), cursor: result.cursor };
}

export async function getDiscoveryRun(deps: Pick<Deps, 'store' | 'clock' | 'queue'>, id: string): Promise<DiscoveryRun> {
  let stored = await discoveryRuns.get(deps.store, id);
  if (stored.status === 'running' && stored.probed >= stored.total) stored = await closeRun(deps, id);
  const run = runView(stored);
  const last = Date.parse(run.updated_at ?? run.created_at);
  if (run.status === 'running' && deps.clock.now() - last > STALLED_AFTER_MS)
    return {
      ...run,
      stalled:
        `no progress since ${run.updated_at ?? run.created_at}: ${run.total - run.probed} address(es) were never counted, ` +
        "so their slice was lost (see the discovery pool's dead-letter queue in GET /api/v1/health/workers); start a new run",
    };
  return run;
}

type Counts = Partial<
  Record<'probed' | 'found' | 'unreachable' | 'not_contacted' | 'not_idrac' | 'errors' | 'endpoints_created' | 'endpoints_updated', number>
>;
/** What a slice found beyond its counts: devices that are not iDRACs, and endpoints reporting the same server. */
type Findings = { seen: SeenDevice[]; conflicts: RunConflict[] };

/**
 * Counts one slice into its run with one atomic write (Store.add): the counters and the slice's number in
 * its counted-slice set together, so a crash never counts a slice by half, a redelivered slice is not counted
 * again, and hundreds of workers counting at once never conflict. The slice that completes the count
 * closes the run. Error samples are written first (rare, small, conditional): a crash in between at worst
 * leaves a sample for a slice counted on redelivery.
 */
async function countSlice(
  deps: Pick<Deps, 'store' | 'clock' | 'queue'>,
  run: Pick<DiscoveryRun, 'id' | 'total'>,
  chunk: number,
  counts: Required<Counts>,
  samples: DiscoveryErrorSample[],
  findings: Findings,
): Promise<void> {
  if (samples.length || findings.seen.length || findings.conflicts.length) await addSamples(deps, run.id, chunk, samples, findings);
  const after = await deps.store.add(discoveryRuns.key(run.id), counts, {
    once: { set: countedSliceSet(chunk), token: String(chunk) },
    set: { updated_at: isoNow(deps.clock) },
  });
  if (after && after.probed! >= run.total) await closeRun(deps, run.id);
}

/** Lost races on the run before a worker gives up and lets the queue deliver the slice again. */
const WRITE_ATTEMPTS = 20;
const backoff = (attempt: number) => new Promise((r) => setTimeout(r, Math.random() * Math.min(1_000, 10 * 2 ** attempt)));

/** Read-modify-write of the run for the rare changes counters cannot express; retried on a lost race. */
async function changeRun(
  deps: Pick<Deps, 'store'>,
  id: string,
  change: (run: DiscoveryRun) => DiscoveryRun | undefined,
): Promise<DiscoveryRun> {
  for (let attempt = 0; ; attempt++) {
    const run = await discoveryRuns.get(deps.store, id);
    const next = change(run);
    if (!next) return run;
    try {
      return await discoveryRuns.replace(deps.store, { ...next, version: run.version + 1 });
    } catch (e) {
      if (!(e instanceof ConflictError) || attempt >= WRITE_ATTEMPTS) throw e;
      await backoff(attempt);
    }
  }
}

/** Keeps what a slice found on its run, up to each list's cap, once per slice (not after the slice was counted). */
const addSamples = (deps: Pick<Deps, 'store'>, id: string, chunk: number, samples: DiscoveryErrorSample[], findings: Findings) =>
  changeRun(deps, id, (run) => {
    if (isSliceCounted(run, chunk)) return undefined;
    const errors = run.error_samples ?? [];
    const seen = run.seen ?? [];
    const conflicts = run.conflicts ?? [];
    const next = { ...run };
    if (samples.length && errors.length < MAX_ERROR_SAMPLES && !errors.some((s) => s.chunk === chunk))
      next.error_samples = [...errors, ...samples].slice(0, MAX_ERROR_SAMPLES);
    const newSeen = findings.seen.filter((d) => !seen.some((k) => k.address === d.address));
    if (newSeen.length && seen.length < MAX_SEEN_DEVICES) next.seen = [...seen, ...newSeen].slice(0, MAX_SEEN_DEVICES);
    const pair = (c: RunConflict) => `${[...c.endpoint_ids].sort().join('|')}#${c.matched}`;
    const newConflicts = findings.conflicts.filter((c) => !conflicts.some((k) => pair(k) === pair(c)));
    if (newConflicts.length && conflicts.length < MAX_RUN_CONFLICTS)
      next.conflicts = [...conflicts, ...newConflicts].slice(0, MAX_RUN_CONFLICTS);
    return next.error_samples === run.error_samples && next.seen === run.seen && next.conflicts === run.conflicts ? undefined : next;
  });

/**
 * Ends a run whose every address is counted (idempotent: also called on read, should a closing write have been
 * lost), with one summary line in the log for the run. The run's IP observations were written without
 * reconciling each address (a handful of store reads each, more than the sweep's own writes): the call that
 * closes the run, and only that one, queues one IPAM full pass for them.
 */
async function closeRun(deps: Pick<Deps, 'store' | 'clock' | 'queue'>, id: string): Promise<DiscoveryRun> {
  let closed = false;
  const run = await changeRun(deps, id, (r) => {
    closed = r.status === 'running' && r.probed >= r.total;
    return closed ? { ...r, ...finalStatus(r), finished_at: r.updated_at ?? isoNow(deps.clock) } : undefined;
  });
  if (!closed) return run;
  logger.info('Discovery run finished', {
    discovery_run_id: run.id,
    status: run.status,
    total: run.total,
    found: run.found,
    not_idrac: run.not_idrac ?? 0,
    unreachable: run.unreachable,
    not_contacted: run.not_contacted ?? 0,
    excluded: run.excluded ?? 0,
    errors: run.errors,
    endpoints_created: run.endpoints_created,
    endpoints_updated: run.endpoints_updated,
    conflicts: run.conflicts?.length ?? 0,
    duration_ms: Date.parse(run.finished_at!) - Date.parse(run.created_at),
  });
  // Found devices wrote observations (an unreachable address writes none); the scheduled pass catches up if this is lost.
  const devices = run.found + (run.not_idrac ?? 0);
  if (devices > 0)
    await requestIpamReconciliation(deps, `discovery run ${run.id} found ${devices} device(s)`).catch((e: unknown) =>
      logger.warn('IPAM full pass after a discovery run not queued; the scheduled pass will do it', {
        discovery_run_id: run.id,
        error: e as Error,
      }),
    );
  return run;
}

/** How the queue handed over a slice. The last allowed receive must count it, whatever happens. */
export type SliceDelivery = {
  /** SQS `ApproximateReceiveCount` (1 on the first receive). */
  receiveCount: number;
  /** The pool's `maxReceiveCount`: after that many receives the message goes to the dead-letter queue. */
  maxReceiveCount: number;
  /** Time left before the function is stopped (Lambda context), so a last attempt keeps time to count. */
  remainingMs?: number;
};

/** Time a last attempt keeps back from probing to write the slice's count (a few contended run writes). */
const COUNTING_RESERVE_MS = 20_000;
const SAMPLES_PER_SLICE = 3;

const addressRange = (addresses: string[]) =>
  addresses.length > 1 ? `${addresses[0]}–${addresses.at(-1)} (${addresses.length})` : (addresses[0] ?? '');
const short = (text: string) => (text.length > 300 ? `${text.slice(0, 297)}...` : text);

/** The outcome of each address of one slice, until the slice is closed for counting. */
class SliceTally {
  readonly counts: Required<Counts> = {
    probed: 0,
    found: 0,
    unreachable: 0,
    not_contacted: 0,
    not_idrac: 0,
    errors: 0,
    endpoints_created: 0,
    endpoints_updated: 0,
  };
  readonly samples: DiscoveryErrorSample[] = [];
  readonly findings: Findings = { seen: [], conflicts: [] };
  private readonly settled = new Set<string>();
  private open = true;

  constructor(private readonly message: Message) {}

  get isOpen(): boolean {
    return this.open;
  }

  /** One address done. Ignored once closed: a probe that outlived its slice's last attempt is not counted. */
  settle(address: string, outcome: AddressOutcome, error?: string): void {
    if (!this.open || this.settled.has(address)) return;
    this.settled.add(address);
    this.counts.probed++;
    for (const [k, v] of Object.entries(outcome.counts) as [keyof Counts, number][]) this.counts[k] += v;
    if (outcome.seen) this.findings.seen.push(outcome.seen);
    this.findings.conflicts.push(...(outcome.conflicts ?? []));
    if (error) this.sample([address], error);
  }

  /** Sent on to a slice of its own, which counts it: never counted here. */
  handOver(address: string): void {
    if (this.open) this.settled.add(address);
  }

  /** Counts every address not settled yet as an error, for `reason`, and takes no more outcomes. */
  close(reason: string): void {
    const rest = this.message.addresses.filter((a) => !this.settled.has(a));
    for (const a of rest) this.settle(a, { counts: { errors: 1 } });
    if (rest.length) this.sample(rest, reason);
    this.open = false;
  }

  private sample(addresses: string[], message: string): void {
    if (this.samples.length < SAMPLES_PER_SLICE)
      this.samples.push({ chunk: this.message.chunk, addresses: addressRange(addresses), message: short(message) });
  }
}

/** What one address came to: its counts, and what the run lists about it. */
type AddressOutcome = { counts: Counts; seen?: SeenDevice; conflicts?: RunConflict[] };

/** The client refused to contact the address: not the same as "nothing answered". */
const NOT_CONTACTED = new Set(['circuit_open', 'overloaded']);

/** How an address where no iDRAC answered counts. */
const unanswered = (code: string | undefined): Counts => (code && NOT_CONTACTED.has(code) ? { not_contacted: 1 } : { unreachable: 1 });

const seenDevice = (address: string, siteId: string, device: DeviceIdentity): SeenDevice => {
  const { wsman: _wsman, ...rest } = device;
  return { address, site_id: siteId, ...rest };
};

/** An endpoint refreshed by this run; created by it when an earlier delivery of the slice made it before crashing. */
function outcomeOf(ep: DellEndpoint, runId: string): AddressOutcome {
  const made = ep.source === runId ? { endpoints_created: 1 } : { endpoints_updated: 1 };
  const conflicts = (ep.conflicts ?? []).map(
    (c): RunConflict => ({ endpoint_ids: [ep.id, c.endpoint_id], addresses: [ep.address, c.address], matched: c.matched, value: c.value }),
  );
  const listed = conflicts.length ? { conflicts } : {};
  if (ep.status === 'reachable') return { counts: { found: 1, ...made }, ...listed };
  if (ep.last_error?.code === 'not_an_idrac' && ep.device)
    return { counts: { not_idrac: 1, ...made }, seen: seenDevice(ep.address, ep.site_id, ep.device), ...listed };
  return { counts: { ...unanswered(ep.last_error?.code), ...made }, ...listed };
}

/**
 * Worth an endpoint: identified as a Dell iDRAC before any login, whether it answers already or EIO will not
 * talk to it yet for a reason the operator can fix (a certificate to pin, TLS 1.0/1.1 to allow).
 */
const worthAnEndpoint = (fp: CapabilityFingerprint) => fp.device.kind === 'idrac';

/**
 * A sweep reads its site and its credential once per container every few seconds, not once per address. The
 * credential's use is audited at each read, naming the run.
 */
const RUN_LOOKUP_TTL_MS = 10_000;
const siteCache = new RunScopedCache<Site | undefined>(RUN_LOOKUP_TTL_MS);
const credentialCache = new RunScopedCache<Awaited<ReturnType<InspectionLookups['credential']>>>(RUN_LOOKUP_TTL_MS);
const runLookups = (deps: Pick<Deps, 'store' | 'clock' | 'secrets'>, runId: string): InspectionLookups => ({
  site: (id) => siteCache.get(runId, id, () => sites.find(deps.store, id)),
  credential: (siId) => credentialCache.get(runId, siId, () => useCredential(deps, siId, `discovery run ${runId}`)),
});

/** A run's IP observations are reconciled by the one IPAM full pass it queues when it ends (closeRun). */
const RUN_RECONCILES = 'full pass queued';

/**
 * One address of a slice: refresh its endpoint, or probe it and create one when a Dell iDRAC is there. Anything
 * else that answers is listed on the run and recorded as an IP observation with its kind, and never logged in to.
 */
async function discoverAddress(
  deps: InspectDeps,
  runId: string,
  site: Site | undefined,
  existingId: string | undefined,
  address: string,
): Promise<AddressOutcome> {
  const lookups = runLookups(deps, runId);
  if (existingId) {
    const refreshed = await refreshDellEndpoint(deps, existingId, runId, lookups, RUN_RECONCILES).catch((e: unknown) => {
      if (e instanceof NotFoundError) return undefined; // deleted since the sweep was planned: probe the address afresh
      throw e;
    });
    if (refreshed) return outcomeOf(refreshed, runId);
  }
  if (!site) return { counts: {} };
  const draft = {
    address,
    site_id: site.id,
    redfish_port: site.redfish_port ?? 443,
    wsman_port: site.wsman_port ?? 5986,
    tls: { insecure: false, legacy: false },
  };
  const probe = await probeWithTofu(deps, draft, site);
  const fp = probe.fingerprint;
  if (!worthAnEndpoint(fp)) return notAnEndpoint(deps, runId, site, fp);
  // Probed and inventoried once, written with the new record: no second probe, no create-then-update.
  const inspection = await inventoryAfterProbe(deps, draft, site, probe, lookups);
  let created: DellEndpoint;
  try {
    const tls = { ...draft.tls, ...(probe.pinned ? { pinned_thumbprint: probe.pinned } : {}) };
    created = await createDellEndpoint(deps, { ...draft, tls }, 'discovery', runId, { site, inspection });
  } catch (e) {
    if (!(e instanceof AddressInUseError)) throw e;
    // Registered meanwhile (a concurrent run, an operator) or under another site: refresh that endpoint, never add a second.
    const other = await refreshDellEndpoint(deps, e.endpointId, runId, lookups, RUN_RECONCILES).catch((err: unknown) => {
      if (err instanceof NotFoundError) return undefined; // its create is still on its way and refreshes it itself
      throw err;
    });
    return other ? outcomeOf(other, runId) : { counts: fp.reachable ? { found: 1 } : unanswered(fp.error?.code) };
  }
  return outcomeOf(created, runId);
}

/** An address with no iDRAC: nothing there (debug only: most of a swept network), or a device listed with what it is. */
async function notAnEndpoint(deps: InspectDeps, runId: string, site: Site, fp: CapabilityFingerprint): Promise<AddressOutcome> {
  const { device, address } = fp;
  if (device.kind === 'nothing' || device.kind === 'unidentified') {
    logger.debug('Discovery: no iDRAC at address', { discovery_run_id: runId, address, device_kind: device.kind, code: fp.error?.code });
    return { counts: unanswered(fp.error?.code) };
  }
  logger.info('Discovery: not an iDRAC, no credential sent', {
    discovery_run_id: runId,
    address,
    device_kind: device.kind,
    summary: device.summary,
  });
  await recordDeviceObservation(deps.store, { address, site_id: site.id, run_id: runId, device, now: isoNow(deps.clock) }).catch(
    (e: unknown) => logger.warn('IP observation not written', { discovery_run_id: runId, address, error: e as Error }),
  );
  return { counts: { not_idrac: 1 }, seen: seenDevice(address, site.id, device) };
}

async function probeSlice(deps: InspectDeps, message: Message, tally: SliceTally): Promise<void> {
  const site = await runLookups(deps, message.run_id).site(message.site_id);
  // A slice is a few addresses at most (CHUNK): probed together; the pool's concurrency bounds the sweep.
  await Promise.all(
    message.addresses.map(async (address) => {
      if (!tally.isOpen) return; // counted already: the last attempt ran out of time
      try {
        tally.settle(address, await discoverAddress(deps, message.run_id, site, message.registered?.[address], address));
      } catch (e) {
        logger.warn('Discovery probe failed', { discovery_run_id: message.run_id, address, error: e as Error });
        tally.settle(address, { counts: { errors: 1 } }, (e as Error).message ?? String(e));
      }
    }),
  );
}

/** What a slice needs: a knock slice sends the addresses that answered on to the pool. */
type SliceDeps = InspectDeps & Pick<Deps, 'queue'>;

/**
 * A knock slice: knocks on all its addresses at once and sends each that answers on as a slice of its own;
 * the others count here as unreachable, with the slice. A redelivered knock slice sends every address on
 * without knocking, so an address whose answer changed since the first delivery cannot count twice.
 */
async function knockSlice(deps: SliceDeps, message: Message, tally: SliceTally, redelivered: boolean): Promise<void> {
  const site = await runLookups(deps, message.run_id).site(message.site_id);
  if (!site) {
    for (const address of message.addresses) tally.settle(address, { counts: {} }); // deleted since the sweep was planned
    return;
  }
  const first = message.knock!.first_chunk;
  const chunkOf = new Map(message.addresses.map((a, i) => [a, first + i]));
  const sliceOf = (address: string): Message => ({
    run_id: message.run_id,
    site_id: site.id,
    chunk: chunkOf.get(address)!,
    total: message.total,
    addresses: [address],
  });
  const handOver = (batch: Message[]) => {
    for (const slice of batch) tally.handOver(slice.addresses[0]!);
  };
  if (redelivered) return sendSlices(deps, message.addresses.map(sliceOf), handOver);
  // Each address that answers is sent on at once (those answering in the same turn together, up to 10), so
  // its probe does not wait for the slice's silent addresses to time out.
  const pending: Message[] = [];
  const sends: Promise<void>[] = [];
  const flush = () => {
    if (!pending.length) return;
    const sent = sendSlices(deps, pending.splice(0, 10), handOver);
    sent.catch(() => undefined); // awaited below
    sends.push(sent);
  };
  await mapBounded(message.addresses, KNOCK_SLICE, async (address) => {
    const target = { address, redfishPort: site.redfish_port ?? 443, wsmanPort: site.wsman_port ?? 5986, tls: {} };
    if (!(await deps.idrac.knock(target)).answered) return tally.settle(address, { counts: { unreachable: 1 } });
    pending.push(sliceOf(address));
    if (pending.length >= 10) flush();
    else if (pending.length === 1) setImmediate(flush);
  });
  flush();
  await Promise.all(sends);
}

/** Whether `work` settled within `budgetMs` (no budget: waits for it). Rejections pass through. */
const settlesWithin = (work: Promise<void>, budgetMs: number | undefined): Promise<boolean> =>
  budgetMs === undefined
    ? work.then(() => true)
    : withDeadline(
        work.then(() => true),
        budgetMs,
        () => false,
      );

/**
 * One queue message: probe its addresses, create or refresh endpoints that answer as iDRACs, count the slice.
 * A failure before counting throws, so the queue delivers the slice again — except on its last allowed
 * receive: then the addresses not probed yet count as `errors` with the reason in `error_samples`, so the run
 * still ends (the dead-letter queue would otherwise keep it `running` for ever).
 */
export async function discoverChunk(
  deps: SliceDeps,
  message: Message,
  delivery: SliceDelivery = { receiveCount: 1, maxReceiveCount: Number.POSITIVE_INFINITY },
): Promise<void> {
  // A first delivery cannot have been counted: skip the read (the counting write is idempotent anyway).
  let run: Pick<DiscoveryRun, 'id' | 'total'> | undefined =
    delivery.receiveCount === 1 && message.total !== undefined ? { id: message.run_id, total: message.total } : undefined;
  if (!run) {
    const stored = await discoveryRuns.find(deps.store, message.run_id);
    if (!stored) {
      logger.warn('Discovery slice of an unknown run dropped', { discovery_run_id: message.run_id, chunk: message.chunk });
      return;
    }
    if (isSliceCounted(stored, message.chunk)) return; // redelivered after it was counted
    run = stored;
  }
  const last = delivery.receiveCount >= delivery.maxReceiveCount;
  const attempt = `receive ${delivery.receiveCount} of ${delivery.maxReceiveCount}`;
  const tally = new SliceTally(message);
  try {
    const budget = last && delivery.remainingMs !== undefined ? Math.max(0, delivery.remainingMs - COUNTING_RESERVE_MS) : undefined;
    const work = message.knock ? knockSlice(deps, message, tally, delivery.receiveCount > 1) : probeSlice(deps, message, tally);
    if (!(await settlesWithin(work, budget))) tally.close(`not probed: the slice's last attempt (${attempt}) ran out of time`);
  } catch (e) {
    if (!last) throw e;
    logger.error('Discovery slice failed on its last attempt; its addresses count as errors', {
      discovery_run_id: message.run_id,
      chunk: message.chunk,
      error: e as Error,
    });
    tally.close(`slice failed on its last attempt (${attempt}): ${(e as Error).message ?? String(e)}`);
  }
  await countSlice(deps, run, message.chunk, tally.counts, tally.samples, tally.findings);
}

/**
 * The nightly schedule: every site with IPv4 management networks, paged through, in runs of at most
 * MAX_SITES_PER_RUN sites (what one API request may ask for). A network that cannot be swept, or a site that
 * cannot be planned, is skipped and named on its run (`skipped`, and the run ends `partial`); the rest is swept.
 */
export async function discoverAllSites(deps: Pick<Deps, 'store' | 'clock' | 'queue'>): Promise<DiscoveryRun[]> {
  const runs: DiscoveryRun[] = [];
  let batch: Site[] = [];
  for await (const site of eachItem((cursor) => sites.list(deps.store, { limit: 200, cursor }))) {
    if (!site.management_networks.some((n) => ipv4Prefix(n) !== undefined)) continue;
    batch.push(site);
    if (batch.length === MAX_SITES_PER_RUN) {
      runs.push(await sweepSites(deps, batch));
      batch = [];
    }
  }
  if (batch.length) runs.push(await sweepSites(deps, batch));
  return runs;
}

/** One scheduled run: what can be swept of these sites is, the rest is reported on the run. */
async function sweepSites(deps: Pick<Deps, 'store' | 'clock' | 'queue'>, batch: Site[]): Promise<DiscoveryRun> {
  const plans: SitePlan[] = [];
  const skipped: SkippedNetworks[] = [];
  for (const site of batch) {
    const { sweep, tooLarge } = sweepableNetworks(site.management_networks);
    if (tooLarge.length) skipped.push({ site_id: site.id, networks: tooLarge, reason: tooLargeToSweep(tooLarge) });
    try {
      const plan = await planSite(deps, site, sweep);
      if (plan.addresses.length) plans.push(plan);
    } catch (e) {
      logger.warn('Site left out of the scheduled discovery', { site_id: site.id, error: e as Error });
      const why = (e as Error).message ?? String(e);
      const reason = `its registered endpoints could not be read (${why}); the next scheduled run tries again`;
      skipped.push({ site_id: site.id, networks: sweep, reason });
    }
  }
  return launchRun(deps, plans, skipped, 'schedule', 'schedule');
}
