/**
 * Staged updates that will not be applied now (the server failed, the job was cancelled, aborted or stopped
 * by the kill switch, or died): EIO deletes its own JIDs one by one, found in the ledger, never the whole
 * queue. What it cannot delete is marked `left_staged` with why; it would apply at the server's next reboot,
 * so the job's result and the endpoint's idrac-jobs list say so.
 */
import { type IdracJobEntry, OPEN_IDRAC_JOB_STATES } from '../../domain/firmware';
import type { Job } from '../../domain/job';
import { logger } from '../../observability/logger';
import { IdracError } from '../../ports/idrac';
import { idracJobs } from '../../records/idrac-jobs';
import { readSwitch } from '../../records/switches';
import type { EngineDeps } from '../jobs/common';
import { type EndpointAccess, endpointAccess } from './endpoint-access';
import { changeEntry, LEDGER_STATE } from './idrac-ledger';

/** Entries whose update may still apply at a reboot: staged, or asked for without a known JID. */
export const isLeftover = (e: IdracJobEntry) => e.state === 'scheduled' || e.state === 'requested' || e.state === 'left_staged';

async function withdrawOn(deps: EngineDeps, job: Pick<Job, 'id'>, endpointId: string, entries: IdracJobEntry[]): Promise<void> {
  let access: EndpointAccess;
  try {
    access = await endpointAccess(deps, endpointId, `withdraw staged updates (job ${job.id})`);
  } catch (e) {
    for (const entry of entries) await changeEntry(deps, entry.id, () => ({ state: 'left_staged', message: (e as Error).message }));
    return;
  }
  for (const entry of entries) {
    if (!entry.jid) {
      // Asked for, but the answer was lost (a crash): whether the iDRAC created it is unknown; its queue says.
      await changeEntry(deps, entry.id, () => ({
        state: 'left_staged',
        message: 'EIO stopped between asking for this update and recording its JID: check the endpoint queue for it',
      }));
      continue;
    }
    try {
      const status = await deps.idrac.jobStatus(access.target, access.credential, entry.jid);
      const now = LEDGER_STATE[status.state];
      // Running (or already ended): it is not EIO's to stop now; its end is recorded.
      if (now && now !== 'scheduled') {
        await changeEntry(deps, entry.id, () => ({ state: now, idrac_state: status.raw_state, message: status.message }));
        continue;
      }
      const deleted = await deps.idrac.deleteJob(access.target, access.credential, entry.jid);
      await changeEntry(deps, entry.id, () => ({
        state: 'deleted',
        message: deleted.outcome === 'deleted' ? 'deleted by EIO: never applied' : 'the iDRAC no longer knew it',
      }));
    } catch (e) {
      if (!(e instanceof IdracError)) throw e;
      logger.warn('Staged iDRAC job not withdrawn', { job_id: job.id, endpoint_id: endpointId, external_task_id: entry.jid, error: e });
      await changeEntry(deps, entry.id, () => ({ state: 'left_staged', message: `not deleted: ${e.message}` }));
    }
  }
}

/** Withdraws the job's staged updates (those of one server, or all); answers what is still left staged. */
export async function withdrawStaged(deps: EngineDeps, job: Pick<Job, 'id'>, targetId?: string): Promise<IdracJobEntry[]> {
  const mine = (await idracJobs.ofJob(deps.store, job.id)).filter((e) => targetId === undefined || e.target_id === targetId);
  // Deleting a JID is acting on the iDRAC: not while the kill switch is on (compensation does it afterwards).
  if ((await readSwitch(deps.store, 'kill-switch')).on) return mine.filter((e) => isLeftover(e) || OPEN_IDRAC_JOB_STATES.includes(e.state));
  const todo = mine.filter((e) => e.state === 'scheduled' || e.state === 'requested' || e.state === 'left_staged');
  for (const endpointId of new Set(todo.map((e) => e.endpoint_id)))
    await withdrawOn(
      deps,
      job,
      endpointId,
      todo.filter((e) => e.endpoint_id === endpointId),
    );
  return (await idracJobs.ofJob(deps.store, job.id)).filter(
    (e) => (targetId === undefined || e.target_id === targetId) && (isLeftover(e) || OPEN_IDRAC_JOB_STATES.includes(e.state)),
  );
}
