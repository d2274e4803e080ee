/**
 * Asking for sync runs: an operator's request (one run per named instance), a schedule's (one per registered
 * instance), and reading runs back. Each run is queued on the `vcenter-sync` pool, whose worker executes it
 * (vcenter-sync-run.ts).
 */

import { sendToPool } from '../catalog/messages';
import { config } from '../config';
import { type ErrorDetail, ValidationError } from '../domain/errors';
import { newId } from '../domain/ids';
import type { SyncRun, SyncType } from '../domain/vcenter';
import { isoNow } from '../ports/clock';
import { eachItem } from '../records/paging';
import { syncRuns, vcenterInstances } from '../records/vcenter';
import type { Deps } from './deps';

type RequestDeps = Pick<Deps, 'store' | 'clock' | 'queue'>;

export async function requestSync(
  deps: RequestDeps,
  input: { instance_ids: string[]; sync_type: SyncType },
  actor: string,
): Promise<SyncRun[]> {
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
  const runs: SyncRun[] = [];
  for (const instanceId of [...new Set(input.instance_ids)]) runs.push(await enqueueSync(deps, instanceId, input.sync_type, actor));
  return runs;
}

async function enqueueSync(deps: RequestDeps, instanceId: string, syncType: SyncType, actor: string): Promise<SyncRun> {
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
  return run;
}

/** A schedule's message: one sync run per registered instance. */
export async function scheduleSyncAll(deps: RequestDeps, syncType: SyncType): Promise<SyncRun[]> {
  const runs: SyncRun[] = [];
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
