import { isIPv4 } from 'node:net';
import { config } from '../config';
import { type DiscoveryRun } from '../domain/discovery-run';
import { ConflictError, type ErrorDetail, ValidationError } from '../domain/errors';
import { newId } from '../domain/ids';
import type { Site } from '../domain/site';
import { logger } from '../observability/logger';
import { ConditionFailedError } from '../ports/store';
import { discoveryRuns, endpointsOfSite } from '../records/dell-endpoints';
import { sites } from '../records/sites';
import { createDellEndpoint, probeWithTofu, refreshDellEndpoint } from './dell-endpoints';
import type { Deps } from './deps';

/** Largest management network one site may sweep: /20 = 4,096 addresses. */
export const MAX_SWEEP_PREFIX = 20;
/** Addresses per queue message: one worker invocation probes them with bounded concurrency. */
const CHUNK = 16;
export const DISCOVERY_POOL = 'discovery';

const iso = (deps: Pick<Deps, 'clock'>) => new Date(deps.clock.now()).toISOString();
const toInt = (ip: string) => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
const toIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

/** Host addresses of an IPv4 CIDR (network and broadcast left out below /31). */
export function hostAddresses(cidr: string): string[] {
  const [ip, bitsText] = cidr.split('/') as [string, string];
  const bits = Number(bitsText);
  const size = 2 ** (32 - bits);
  const base = toInt(ip);
  const [from, to] = bits >= 31 ? [base, base + size - 1] : [base + 1, base + size - 2];
  const out: string[] = [];
  for (let n = from; n <= to; n++) out.push(toIp(n));
  return out;
}

type Message = { run_id: string; site_id: string; chunk: number; addresses: string[] };

/** Validates the sites, plans the sweep, writes the run and fans its addresses out to the discovery pool. */
export async function startDiscovery(
  deps: Pick<Deps, 'store' | 'clock' | 'queue'>,
  input: { site_ids: string[] },
  actor: string,
  trigger: DiscoveryRun['trigger'] = 'api',
): Promise<DiscoveryRun> {
  const problems: ErrorDetail[] = [];
  const plans: { site: Site; addresses: string[] }[] = [];
  for (const [i, siteId] of input.site_ids.entries()) {
    const path = `body.site_ids[${i}]`;
    const site = await sites.find(deps.store, siteId);
    if (!site) {
      problems.push({ path, message: `site '${siteId}' does not exist` });
      continue;
    }
    const addresses = new Set<string>();
    for (const cidr of site.management_networks) {
      const [ip, bits] = cidr.split('/') as [string, string];
      if (!isIPv4(ip)) continue; // iDRAC discovery sweeps IPv4 management networks only
      if (Number(bits) < MAX_SWEEP_PREFIX) {
        problems.push({ path, message: `site '${siteId}' network ${cidr} is larger than /${MAX_SWEEP_PREFIX}: split it or register its iDRACs individually` });
        continue;
      }
      for (const a of hostAddresses(cidr)) addresses.add(a);
    }
    for (const ep of await endpointsOfSite(deps.store, siteId)) addresses.add(ep.address);
    plans.push({ site, addresses: [...addresses] });
  }
  if (problems.length)
    throw new ValidationError(`Cannot discover: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, problems);
  const now = iso(deps);
  const run = await discoveryRuns.create(deps.store, {
    id: newId('discovery_run', deps.clock.now()),
    site_ids: input.site_ids,
    status: 'running',
    total: plans.reduce((n, p) => n + p.addresses.length, 0),
    probed: 0,
    found: 0,
    unreachable: 0,
    errors: 0,
    endpoints_created: 0,
    endpoints_updated: 0,
    trigger,
    created_at: now,
    created_by: actor,
    version: 1,
  });
  const messages: Message[] = [];
  for (const { site, addresses } of plans)
    for (let i = 0; i < addresses.length; i += CHUNK)
      messages.push({ run_id: run.id, site_id: site.id, chunk: messages.length, addresses: addresses.slice(i, i + CHUNK) });
  if (!messages.length) return finishIfDone(deps, run.id);
  for (let i = 0; i < messages.length; i += 10)
    await deps.queue.send(DISCOVERY_POOL, messages.slice(i, i + 10).map((m) => ({ body: JSON.stringify(m) })));
  return run;
}

/** A slice is retried until its visibility timeouts and receives run out (pool `discovery`: 360 s × 3). */
const STALLED_AFTER_MS = 20 * 60_000;

export async function getDiscoveryRun(deps: Pick<Deps, 'store' | 'clock'>, id: string): Promise<DiscoveryRun> {
  const run = await discoveryRuns.get(deps.store, id);
  const last = Date.parse(run.updated_at ?? run.created_at);
  if (run.status === 'running' && deps.clock.now() - last > STALLED_AFTER_MS)
    return {
      ...run,
      stalled: `no progress since ${run.updated_at ?? run.created_at}: ${run.total - run.probed} address(es) were never probed (see the discovery pool's dead-letter queue in GET /api/v1/health/workers); start a new run`,
    };
  return run;
}

async function finishIfDone(deps: Pick<Deps, 'store' | 'clock'>, id: string): Promise<DiscoveryRun> {
  return bumpRun(deps, id, {});
}

type Counts = Partial<Record<'probed' | 'found' | 'unreachable' | 'errors' | 'endpoints_created' | 'endpoints_updated', number>>;

/** Adds to the run's counters (workers race: conditional writes, retried) and closes it when every address is probed. */
async function bumpRun(deps: Pick<Deps, 'store' | 'clock'>, id: string, add: Counts): Promise<DiscoveryRun> {
  for (let attempt = 0; ; attempt++) {
    const run = await discoveryRuns.get(deps.store, id);
    const next: DiscoveryRun = { ...run, updated_at: iso(deps), version: run.version + 1 };
    for (const [k, v] of Object.entries(add) as [keyof Counts, number][]) next[k] += v;
    if (next.status === 'running' && next.probed >= next.total) {
      next.status = 'succeeded';
      next.finished_at = iso(deps);
    }
    try {
      return await discoveryRuns.replace(deps.store, next);
    } catch (e) {
      if (!(e instanceof ConflictError) || attempt >= 50) throw e;
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 40));
    }
  }
}

async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

/** One queue message: probe its addresses, create or refresh endpoints that answer as iDRACs, count. */
export async function discoverChunk(deps: Pick<Deps, 'store' | 'clock' | 'secrets'>, message: Message): Promise<void> {
  const doneKey = { pk: `DISC#${message.run_id}`, sk: `CHUNK#${String(message.chunk).padStart(6, '0')}` };
  if (await deps.store.get(doneKey)) return; // redelivered after it was counted
  const site = await sites.find(deps.store, message.site_id);
  const registered = new Map((await endpointsOfSite(deps.store, message.site_id)).map((e) => [e.address, e]));
  const counts: Required<Counts> = { probed: 0, found: 0, unreachable: 0, errors: 0, endpoints_created: 0, endpoints_updated: 0 };
  await pool(message.addresses, config().idrac.discoveryConcurrency, async (address) => {
    try {
      const existing = registered.get(address);
      if (existing) {
        const ep = await refreshDellEndpoint(deps, existing.id, message.run_id);
        counts.endpoints_updated++;
        if (ep.status === 'reachable') counts.found++;
        else counts.unreachable++;
      } else if (site) {
        const ports = { redfish_port: site.redfish_port ?? 443, wsman_port: site.wsman_port ?? 5986 };
        const { fingerprint: fp, pinned } = await probeWithTofu({ address, ...ports, tls: { insecure: false, legacy: false } }, site);
        const certProblem = fp.error?.code === 'certificate_untrusted' || fp.error?.code === 'certificate_mismatch';
        if (fp.reachable || (fp.tls && certProblem)) {
          const ep = await createDellEndpoint(
            deps,
            { address, site_id: site.id, ...ports, tls: { insecure: false, legacy: false, ...(pinned ? { pinned_thumbprint: pinned } : {}) } },
            'discovery',
            message.run_id,
          );
          counts.endpoints_created++;
          const refreshed = await refreshDellEndpoint(deps, ep.id, message.run_id);
          if (refreshed.status === 'reachable') counts.found++;
          else counts.unreachable++;
        } else counts.unreachable++;
      }
    } catch (e) {
      counts.errors++;
      logger.warn('Discovery probe failed', { discovery_run_id: message.run_id, address, error: e as Error });
    } finally {
      counts.probed++;
    }
  });
  try {
    await deps.store.put({ ...doneKey, at: iso(deps) }, { kind: 'absent' });
  } catch (e) {
    if (e instanceof ConditionFailedError) return;
    throw e;
  }
  await bumpRun(deps, message.run_id, counts);
}

/** The periodic schedule: every site with management networks, in one run. */
export async function discoverAllSites(deps: Pick<Deps, 'store' | 'clock' | 'queue'>): Promise<DiscoveryRun | undefined> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await sites.list(deps.store, { limit: 200, cursor });
    for (const s of page.items)
      if (s.management_networks.some((c) => isIPv4(c.split('/')[0]!) && Number(c.split('/')[1]) >= MAX_SWEEP_PREFIX)) ids.push(s.id);
    cursor = page.cursor;
  } while (cursor);
  if (!ids.length) return undefined;
  return startDiscovery(deps, { site_ids: ids.slice(0, 50) }, 'schedule', 'schedule');
}
