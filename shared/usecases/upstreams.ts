/**
 * Circuit breakers and limits per upstream (runbook 004). Breakers come from the shared board in the store
 * rather than from whichever container answers: every vCenter instance (closed until some container recorded
 * otherwise), and every iDRAC whose breaker ever changed state. Limits are what the clients are built with.
 * An admin's reset closes the board's record at once; each container's open breaker reads it back before
 * refusing its next call and closes too.
 */
import { NotFoundError, ValidationError } from '../domain/errors';
import type { UpstreamQuery } from '../domain/requests';
import type { UpstreamView } from '../domain/upstream';
import { isoNow } from '../ports/clock';
import type { UpstreamKind } from '../ports/upstream-breakers';
import { recordAudit } from '../records/audit';
import { allItems } from '../records/paging';
import { type UpstreamBreaker, upstreamBreakers, upstreamId, writeBreaker } from '../records/upstream-breakers';
import { vcenterInstances } from '../records/vcenter';
import type { Deps } from './deps';

type UpstreamDeps = Pick<Deps, 'store' | 'clock' | 'idrac' | 'vcenter'>;

const view = (deps: UpstreamDeps, kind: UpstreamKind, key: string, record: UpstreamBreaker | undefined, name?: string): UpstreamView => ({
  id: upstreamId(kind, key),
  kind,
  key,
  ...(name ? { name } : {}),
  breaker: {
    state: record?.state ?? 'closed',
    consecutive_failures: record?.consecutive_failures ?? 0,
    next_attempt_at: record?.state === 'open' ? (record.next_attempt_at ?? null) : null,
    last_failure: record?.last_failure ?? null,
    changed_at: record?.changed_at ?? null,
    reset_at: record?.reset_at ?? null,
    reset_by: record?.reset_by ?? null,
  },
  // Read from the clients themselves, so what is shown is what the adapters enforce.
  limits: kind === 'vcenter' ? deps.vcenter.limits() : deps.idrac.limits(),
});

/** The board's record of one vCenter instance, or undefined while no container recorded a transition. */
export const vcenterBreaker = (deps: Pick<Deps, 'store'>, instanceId: string) =>
  upstreamBreakers.find(deps.store, upstreamId('vcenter', instanceId));

export async function listUpstreams(deps: UpstreamDeps, q: UpstreamQuery): Promise<UpstreamView[]> {
  const records = await allItems((cursor) => upstreamBreakers.list(deps.store, { limit: 200, cursor }));
  const byId = new Map(records.map((r) => [r.id, r]));
  const out: UpstreamView[] = [];
  if (q.kind !== 'idrac') {
    const instances = await allItems((cursor) => vcenterInstances.list(deps.store, { limit: 200, cursor }));
    for (const i of instances) out.push(view(deps, 'vcenter', i.id, byId.get(upstreamId('vcenter', i.id)), i.name));
  }
  if (q.kind !== 'vcenter') for (const r of records) if (r.kind === 'idrac') out.push(view(deps, 'idrac', r.key, r));
  return q.state ? out.filter((u) => u.breaker.state === q.state) : out;
}

/** Closes an upstream's breaker everywhere: the board at once, each container before its next call. Audited. */
export async function resetUpstream(deps: UpstreamDeps, id: string, actor: string): Promise<UpstreamView> {
  const [kind, ...rest] = id.split(':');
  const key = rest.join(':');
  if ((kind !== 'vcenter' && kind !== 'idrac') || !key)
    throw new ValidationError(`'${id}' is not an upstream id`, [
      { path: 'path.id', message: 'expected vcenter:<instance id> or idrac:<address>' },
    ]);
  const instance = kind === 'vcenter' ? await vcenterInstances.find(deps.store, key) : undefined;
  if (kind === 'vcenter' ? !instance : !(await upstreamBreakers.exists(deps.store, id))) throw new NotFoundError('upstream', id);
  const at = isoNow(deps.clock);
  const record = await writeBreaker(deps.store, kind, key, (current) => {
    const { next_attempt_at: _n, ...rest } = current;
    return { ...rest, state: 'closed', consecutive_failures: 0, changed_at: at, reset_at: at, reset_by: actor };
  });
  await recordAudit(deps.store, { subject_id: id, action: 'upstream.reset', at, actor, detail: { kind, key } });
  return view(deps, kind, key, record, instance?.name);
}
