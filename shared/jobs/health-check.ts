import type { Store } from '../ports/store';
import type { DellEndpoint } from '../domain/dell-endpoint';
import { systemClock } from '../ports/clock';
import { dellEndpoints, endpointsOfSite } from '../records/dell-endpoints';
import { sites } from '../records/sites';
import { instancesOfSite } from '../records/vcenter';
import { probeVcenter } from '../usecases/vcenter-health';
import { probeAndRecord } from '../usecases/dell-endpoints';
import type { Deps } from '../usecases/deps';
import type { TargetKind } from './job-type';
import { targetKindOf } from './targets';

export type ProbeOutcome = { ok: boolean; result: Record<string, unknown> };

const clockDeps = (store: Store) => ({ store, clock: systemClock });
const PROBES_PER_SITE = 8;

const describe = (ep: DellEndpoint) =>
  `${ep.id} (${ep.address}${ep.last_error ? `: ${ep.last_error.code} — ${ep.last_error.message}` : ''})`;

async function probeIdrac(store: Store, id: string): Promise<ProbeOutcome> {
  const ep = await dellEndpoints.find(store, id);
  if (!ep) return { ok: false, result: { error: `iDRAC endpoint '${id}' no longer exists` } };
  const after = await probeAndRecord(clockDeps(store), ep);
  const result = { address: after.address, status: after.status, protocols: after.protocols ?? {}, generation: after.generation ?? 'unknown' };
  return after.status === 'reachable'
    ? { ok: true, result }
    : { ok: false, result: { ...result, error: `iDRAC ${describe(after)}`, last_error: after.last_error ?? null } };
}

/** Runs `fn` over `items`, at most `limit` at once, results in input order. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

/** What a site probe uses to reach a vCenter instance; tests hand in a fake. */
export type SiteProbes = { vcenter: (store: Store, id: string) => Promise<ProbeOutcome> };
type ProbeDeps = Pick<Deps, 'store' | 'vcenter'>;

/**
 * A site expands to everything registered under it: its iDRAC endpoints (probed through the iDRAC port,
 * results recorded on each) and its vCenter instances (RetrieveServiceContent, no login). The site is ok
 * only when all of them answer; the error names each one that did not, with its error.
 */
export async function probeSite(store: Store, id: string, probes: SiteProbes): Promise<ProbeOutcome> {
  const site = await sites.find(store, id);
  if (!site) return { ok: false, result: { error: `site '${id}' no longer exists` } };
  const [endpoints, instances] = await Promise.all([endpointsOfSite(store, id), instancesOfSite(store, id)]);
  const [after, vcenters] = await Promise.all([
    mapLimit(endpoints, PROBES_PER_SITE, (ep) => probeAndRecord(clockDeps(store), ep)),
    mapLimit(instances, PROBES_PER_SITE, async (i) => ({ instance: i, outcome: await probes.vcenter(store, i.id) })),
  ]);
  const down = after.filter((e) => e.status !== 'reachable').sort((a, b) => a.id.localeCompare(b.id));
  const vcDown = vcenters.filter((v) => !v.outcome.ok);
  const result: Record<string, unknown> = {
    endpoints_probed: after.length,
    reachable: after.length - down.length,
    unreachable: down.length,
    unreachable_endpoints: down.map((e) => ({ id: e.id, address: e.address, error: e.last_error ?? null })),
    vcenter_instances_probed: vcenters.length,
    vcenter_reachable: vcenters.length - vcDown.length,
    vcenter_unreachable: vcDown.length,
    unreachable_vcenter_instances: vcDown.map((v) => ({ id: v.instance.id, url: v.instance.url, error: String(v.outcome.result.error ?? 'no answer') })),
  };
  if (!after.length && !vcenters.length)
    return { ok: true, result: { ...result, message: `site '${id}' has no iDRAC endpoints or vCenter instances registered; nothing to probe` } };
  const problems: string[] = [];
  if (down.length) problems.push(`${down.length} of ${after.length} iDRAC endpoint(s) of site '${id}' unreachable: ${down.map(describe).join('; ')}`);
  if (vcDown.length)
    problems.push(
      `${vcDown.length} of ${vcenters.length} vCenter instance(s) of site '${id}' unreachable: ` +
        vcDown.map((v) => `${v.instance.id} (${v.instance.url}: ${String(v.outcome.result.error ?? 'no answer')})`).join('; '),
    );
  return problems.length ? { ok: false, result: { ...result, error: problems.join('; ') } } : { ok: true, result };
}

/** Reachability probes per target kind: an iDRAC and a vCenter instance on their own, a site with everything under it. */
export const REACHABILITY_PROBES: Partial<Record<TargetKind, (deps: ProbeDeps, id: string) => Promise<ProbeOutcome>>> = {
  idrac: (deps, id) => probeIdrac(deps.store, id),
  vcenter: probeVcenter,
  site: (deps, id) => probeSite(deps.store, id, { vcenter: (_store, instance) => probeVcenter(deps, instance) }),
};

export async function probeTarget(deps: ProbeDeps, targetId: string): Promise<ProbeOutcome> {
  const kind = targetKindOf(targetId);
  const probe = kind ? REACHABILITY_PROBES[kind] : undefined;
  if (!probe) return { ok: false, result: { error: `no reachability probe for '${targetId}'` } };
  return probe(deps, targetId);
}
