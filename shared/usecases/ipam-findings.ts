/**
 * IPAM findings for operators: list (type, status, site, address; suppressed ones hidden unless asked),
 * get, acknowledge, resolve with an explanation; and the open-findings figures health and the metric read.
 * Suppression is decided here, against the clock and the exceptions, so an exception stops applying the
 * moment it expires.
 */
import { config } from '../config';
import { NotFoundError } from '../domain/errors';
import { type ComponentHealth, levelFor } from '../domain/health';
import { suppressingException } from '../domain/ipam/exceptions';
import { acknowledge, type Finding, resolve } from '../domain/ipam/findings';
import type { FindingFilter } from '../domain/ipam/schemas';
import { ConditionFailedError, type Page } from '../ports/store';
import { allExceptions } from '../records/ipam-exceptions';
import { findFinding, listFindings as listFindingRecords, putFinding } from '../records/ipam-findings';
import { pages } from '../records/paging';
import type { Deps } from './deps';

export type FindingView = Finding & { suppressed_by: { exception_id: string; owner: string; expires_at: string } | null };

type FindingDeps = Pick<Deps, 'store' | 'clock'>;

async function withSuppression(deps: FindingDeps, findings: Finding[]): Promise<FindingView[]> {
  const exceptions = findings.length ? await allExceptions(deps.store) : [];
  const now = deps.clock.now();
  return findings.map((f) => {
    const e = suppressingException(exceptions, f, now);
    return { ...f, suppressed_by: e ? { exception_id: e.id, owner: e.owner, expires_at: e.expires_at } : null };
  });
}

/** One page of findings. Filters the index cannot apply narrow the page (it may come back shorter). */
export async function listFindings(
  deps: FindingDeps,
  q: FindingFilter,
  page: { limit: number; cursor?: string },
): Promise<Page<FindingView>> {
  const read = await listFindingRecords(deps.store, q, page);
  const matching = read.items.filter(
    (f) => (!q.type || f.type === q.type) && (!q.status || f.status === q.status) && (!q.site_id || f.site_id === q.site_id),
  );
  const items = (await withSuppression(deps, matching)).filter(
    (f) => q.suppressed === 'all' || (q.suppressed === 'true') === (f.suppressed_by !== null),
  );
  return { items, cursor: read.cursor };
}

export async function getFinding(deps: FindingDeps, id: string): Promise<FindingView> {
  const found = await findFinding(deps.store, id);
  if (!found) throw new NotFoundError('finding', id);
  return (await withSuppression(deps, [found]))[0]!;
}

/** Reads, changes, writes conditionally; a race with the reconciliation re-reads and tries again. */
async function change(deps: FindingDeps, id: string, apply: (f: Finding, now: string) => Finding): Promise<FindingView> {
  for (let attempt = 1; ; attempt++) {
    const current = await findFinding(deps.store, id);
    if (!current) throw new NotFoundError('finding', id);
    const next = apply(current, new Date(deps.clock.now()).toISOString());
    if (next === current) return getFinding(deps, id);
    try {
      await putFinding(deps.store, next);
      return (await withSuppression(deps, [next]))[0]!;
    } catch (e) {
      if (!(e instanceof ConditionFailedError) || attempt >= 3) throw e;
    }
  }
}

export const acknowledgeFinding = (deps: FindingDeps, id: string, actor: string) =>
  change(deps, id, (f, now) => acknowledge(f, actor, now));

export const resolveFinding = (deps: FindingDeps, id: string, actor: string, explanation: string) =>
  change(deps, id, (f, now) => resolve(f, actor, explanation, now));

/**
 * Open findings (open or reopened) no exception covers, counted up to just past the critical threshold, by
 * type: health's `ipam` component and the `IpamOpenFindings` metric.
 */
export async function openFindingFigures(deps: FindingDeps): Promise<{ open: number; by_type: Record<string, number>; capped: boolean }> {
  const cap = config().thresholds.ipamOpenFindings.critical;
  const byType: Record<string, number> = {};
  let open = 0;
  for (const status of ['open', 'reopened'] as const)
    for await (const page of pages((cursor) => listFindingRecords(deps.store, { status }, { limit: 200, cursor }))) {
      for (const f of await withSuppression(deps, page.items)) {
        if (f.suppressed_by) continue;
        open++;
        byType[f.type] = (byType[f.type] ?? 0) + 1;
      }
      if (open > cap) return { open, by_type: byType, capped: true };
    }
  return { open, by_type: byType, capped: false };
}

/** Health's `ipam` component: open findings no exception covers, against THRESHOLD_IPAM_OPEN_FINDINGS_*. */
export async function ipamHealth(deps: FindingDeps): Promise<ComponentHealth> {
  const t = config().thresholds.ipamOpenFindings;
  const f = await openFindingFigures(deps);
  const types = Object.entries(f.by_type).map(([type, n]) => `${n} ${type}`);
  return {
    status: levelFor(f.open, t),
    message:
      `${f.open}${f.capped ? '+' : ''} open IPAM finding(s)${types.length ? ` (${types.join(', ')})` : ''} ` +
      `(warning > ${t.warning}, critical > ${t.critical}; findings under an exception are not counted)`,
    metrics: { open_findings: f.open, ...Object.fromEntries(Object.entries(f.by_type).map(([type, n]) => [`open_${type}`, n])) },
  };
}
