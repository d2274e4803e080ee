import { deps } from '../../shared/container';
import { heldByPausedScheduler } from '../../shared/usecases/scheduled-work';
import { scheduleSyncAll } from '../../shared/usecases/vcenter-sync-requests';
import { executeSync } from '../../shared/usecases/vcenter-sync-run';
import { poolWorker } from './pool-worker';

/**
 * One record = one attempt of one sync run (or a schedule's "sync every instance", which queues those, unless
 * the scheduler is paused).
 * vCenter failures are recorded on the run, not thrown (a transport failure queues the next attempt as a
 * delayed message); only infrastructure errors leave the record for SQS to redeliver.
 */
export const handler = poolWorker('vcenter-sync', async (msg) => {
  if ('task' in msg) {
    const d = await deps();
    if (await heldByPausedScheduler(d, msg)) return;
    await scheduleSyncAll(d, msg.sync_type);
    return;
  }
  await executeSync(await deps(), msg.sync_run_id, msg.attempt ?? 1);
});
