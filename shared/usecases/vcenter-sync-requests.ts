/**
 * Asking for sync runs: an operator's request (one run per named instance), a schedule's (one per registered
 * instance), and reading runs back. Each run is queued on the `vcenter-sync` pool, whose worker executes it
 * (vcenter-sync-run.ts). A request for an instance whose run is still in progress joins that run instead of
 * queueing another, except a full request while only a delta is in progress: its full run waits for the
 * instance (the worker re-queues it until the delta's lease is released).
 */

import { sendToPool } from '../catalog/messages';
import { config } from '../config';
import { type ErrorDetail, ValidationError } from '../domain/errors';
import { newId } from '../domain/ids';
import type { SyncRun, SyncType } from '../domain/vcenter';
import { isoNow } from '../ports/clock';
import { recordAudit } from '../records/audit';
import { eachItem } from '../records/paging';
import { syncRuns, vcenterInstances } from '../records/vcenter';
import type { Deps } from './deps';
import { SYNC_LEASE_MS } from './vcenter-sync-run';

type RequestDeps = Pick<Deps, 'store' | 'clock' | 'queue'>;

/** The run that answers a request; `coalesced` when the request joined a run already in progress. */
export type RequestedSync = { run: SyncRun; coalesced: boolean };

export async function requestSync(
  deps: RequestDeps,
  input: { instance_ids: string[]; sync_type: SyncType },
  actor: string,
): Promise<RequestedSync[]> {
  const problems: ErrorDetail[] = [];
  await Promise.all(
    input.instance_ids.map(async (id, i) => {
      if (!(await vcenterInstances.exists(deps.store, id)))
        problems.push({ path: `body.instance_ids[${i}]`, message: `vCenter instance '${id}' does not exist` });
    }),
  );
  if (problems.length) {
    problems.sort((a, b) => a.path.localeCompare(b.path, 'en', { numeric: true }));
    throw new ValidationError(`Unknown vCenter instance(s): ${problems.map((p) => p.message.split("'")[1]).join(', ')}`, problems);
  }
  const runs: RequestedSync[] = [];
  for (const instanceId of [...new Set(input.instance_ids)]) {
    const requested = await enqueueSync(deps, instanceId, input.sync_type, actor);
    await recordAudit(deps.store, {
      subject_id: instanceId,
      action: 'vcenter.sync_requested',
      at: isoNow(deps.clock),
      actor,
      detail: { sync_type: input.sync_type, sync_run_id: requested.run.id, coalesced: requested.coalesced },
    });
    runs.push(requested);
  }
  return runs;
}

async function enqueueSync(deps: RequestDeps, instanceId: string, syncType: SyncType, actor: string): Promise<RequestedSync> {
  const joined = await runToJoin(deps, instanceId, syncType);
  if (joined) return { run: joined, coalesced: true };
  const run = await syncRuns.create(deps.store, {
    id: newId('sync_run', deps.clock.now()),
    instance_id: instanceId,
    sync_type: syncType,
    status: 'queued',
    requested_by: actor,
    requested_at: isoNow(deps.clock),
    attempts: 0,
    max_attempts: config().vcenter.syncMaxAttempts,
    version: 1,
  });
  await sendToPool(deps.queue, 'vcenter-sync', [{ message: { instance_id: instanceId, sync_type: syncType, sync_run_id: run.id } }]);
  return { run, coalesced: false };
}

/**
 * The instance's run in progress that does what is asked, the oldest first (it ends first): any run for a
 * delta, a full one for a full (a delta reads only what changed since its checkpoint). Requests coalesce, so
 * an instance has few runs in progress and its newest runs hold them.
 */
async function runToJoin(deps: RequestDeps, instanceId: string, syncType: SyncType): Promise<SyncRun | undefined> {
  const now = deps.clock.now();
  const { items } = await syncRuns.byInstance(deps.store, instanceId, { limit: 20, descending: true });
  return items.reverse().find((r) => inProgress(r, now) && (syncType === 'delta' || r.sync_type === 'full'));
}

/**
 * Queued, running or retrying, with a sign of life within the lease time: a run left `queued` for good (a
 * crash between writing it and queueing its message) must not swallow every later request.
 */
function inProgress(r: SyncRun, now: number): boolean {
  if (r.status !== 'queued' && r.status !== 'running' && r.status !== 'retrying') return false;
  const seen = [r.requested_at, r.attempt_started_at, r.next_attempt_at, r.queued_behind?.checked_at];
  return Math.max(...seen.map((t) => (t ? Date.parse(t) : 0))) + SYNC_LEASE_MS > now;
}

/** A schedule's message: one sync run per registered instance (or the run it joins). */
export async function scheduleSyncAll(deps: RequestDeps, syncType: SyncType): Promise<RequestedSync[]> {
  const runs: RequestedSync[] = [];
  for await (const i of eachItem((cursor) => vcenterInstances.list(deps.store, { limit: 100, cursor })))
    runs.push(await enqueueSync(deps, i.id, syncType, 'schedule'));
  return runs;
}

export const getSyncRun = (deps: Pick<Deps, 'store'>, id: string) => syncRuns.get(deps.store, id);

/** Sync runs newest first: all of them (gsi1), or one instance's (gsi2); both ordered by request time. */
export const listSyncRuns = (deps: Pick<Deps, 'store'>, q: { instance_id?: string }, page: { limit: number; cursor?: string }) =>
  q.instance_id
    ? syncRuns.byInstance(deps.store, q.instance_id, { ...page, descending: true })
    : syncRuns.list(deps.store, { ...page, descending: true });
