/**
 * The full IPAM reconciliation pass (the `ipam` worker pool, on its schedule and on request): every
 * observation correlated with every other, every address judged, and only the findings that change written,
 * each conditionally. It catches what the incremental path per observation cannot: identities tied through
 * other addresses, conditions that cleared with time (an address no longer seen, an allocation gone stale),
 * and prefixes added or removed.
 */
import { sendToPool } from '../catalog/messages';
import { config } from '../config';
import type { IpPrefix, SitePlan } from '../domain/ipam/plan';
import { sitePlan } from '../domain/ipam/plan';
import { reconcileAll } from '../domain/ipam/reconcile';
import { mapBounded } from '../lib/async';
import { logger } from '../observability/logger';
import { ConditionFailedError } from '../ports/store';
import { eachObservation } from '../records/ip-observations';
import { eachFinding, putFinding } from '../records/ipam-findings';
import { ipAllocations, ipPrefixes } from '../records/ipam-plan';
import type { Deps } from './deps';

export type ReconciliationSummary = {
  observations: number;
  entities: number;
  addresses: number;
  findings_written: number;
  /** Findings another writer changed meanwhile: left as they are, the next pass looks again. */
  conflicts: number;
  duration_ms: number;
};

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

export async function runIpamReconciliation(deps: Pick<Deps, 'store' | 'clock'>): Promise<ReconciliationSummary> {
  const started = deps.clock.now();
  const [observations, allocations, prefixes, findings] = await Promise.all([
    collect(eachObservation(deps.store)),
    collect(ipAllocations.each(deps.store)),
    collect(ipPrefixes.each(deps.store)),
    collect(eachFinding(deps.store)),
  ]);
  const bySite = new Map<string, IpPrefix[]>();
  for (const p of prefixes) bySite.set(p.site_id, [...(bySite.get(p.site_id) ?? []), p]);
  const plans = new Map<string, SitePlan>([...bySite].map(([site, list]) => [site, sitePlan(list)]));
  const result = reconcileAll({ observations, allocations, plans, findings }, deps.clock.now(), config().ipam);
  let conflicts = 0;
  await mapBounded(result.changes, 8, async (f) => {
    try {
      await putFinding(deps.store, f);
    } catch (e) {
      if (!(e instanceof ConditionFailedError)) throw e;
      conflicts++;
    }
  });
  const summary = {
    observations: observations.length,
    entities: result.entities,
    addresses: result.addresses,
    findings_written: result.changes.length - conflicts,
    conflicts,
    duration_ms: deps.clock.now() - started,
  };
  logger.info('IPAM reconciliation done', summary);
  return summary;
}

/** Queues a full pass on the `ipam` pool (after a prefix changes, or when an operator asks). */
export async function requestIpamReconciliation(deps: Pick<Deps, 'queue'>, reason: string): Promise<void> {
  await sendToPool(deps.queue, 'ipam', [{ message: { task: 'ipam-reconcile', reason } }]);
}
