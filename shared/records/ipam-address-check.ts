/**
 * The incremental reconciliation of one address, run after every observation write (ip-observations.ts):
 * reads the address's observations, its allocation, its findings and the plan of its sites, and writes only
 * the findings that change, each conditionally. A constant number of store operations per observation
 * (three reads, one per site, then a write per changed finding), never a scan. A lost race re-reads and
 * tries again; the full pass (usecases/ipam-reconciliation.ts) settles what this cannot see.
 */
import { config } from '../config';
import { sitePlan } from '../domain/ipam/plan';
import { reconcileAddress } from '../domain/ipam/reconcile';
import { ConditionFailedError, type Store } from '../ports/store';
import { toObservation } from './ip-observation-item';
import { findingsAt, putFinding } from './ipam-findings';
import { ipAllocations, ipPrefixes } from './ipam-plan';

const ATTEMPTS = 3;

/** Reconciles the findings at one canonical address as of `now`; returns how many findings it wrote. */
export async function checkAddress(store: Store, address: string, now: number): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const [observed, allocation, findings] = await Promise.all([
      store.query({ pk: `IPOBS#${address}`, limit: 200 }),
      ipAllocations.find(store, address),
      findingsAt(store, address),
    ]);
    const observations = observed.items.map(toObservation);
    const sites = new Set([...observations.map((o) => o.site_id), ...(allocation ? [allocation.site_id] : [])]);
    const plans = new Map(await Promise.all([...sites].map(async (s) => [s, sitePlan(await ipPrefixes.ofSite(store, s))] as const)));
    const changes = reconcileAddress({ address, observations, allocation, plans, findings }, now, config().ipam);
    try {
      for (const f of changes) await putFinding(store, f);
      return changes.length;
    } catch (e) {
      if (!(e instanceof ConditionFailedError) || attempt >= ATTEMPTS) throw e;
    }
  }
}
