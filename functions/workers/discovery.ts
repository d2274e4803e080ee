import { WORKER_POOLS } from '../../shared/catalog/worker-pools';
import { deps } from '../../shared/container';
import { discoverAllSites, discoverChunk } from '../../shared/usecases/dell-discovery';
import { heldByPausedScheduler } from '../../shared/usecases/scheduled-work';
import { poolWorker } from './pool-worker';

/**
 * One record = a slice of a sweep (or the periodic "discover every site", held while the scheduler is
 * paused). The slice learns whether this is its last receive (SQS `ApproximateReceiveCount` against the
 * pool's `maxReceiveCount`; never below 1), so that one counts it instead of leaving it to the dead-letter queue.
 */
export const handler = poolWorker('discovery', async (msg, record, context) => {
  if ('task' in msg) {
    const d = await deps();
    if (await heldByPausedScheduler(d, msg)) return;
    await discoverAllSites(d);
    return;
  }
  await discoverChunk(await deps(), msg, {
    receiveCount: Math.max(1, Number(record.attributes?.ApproximateReceiveCount) || 1),
    maxReceiveCount: WORKER_POOLS.discovery!.maxReceiveCount,
    ...(context ? { remainingMs: context.getRemainingTimeInMillis() } : {}),
  });
});
