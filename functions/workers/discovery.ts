import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { WORKER_POOLS } from '../../shared/catalog/worker-pools';
import { deps } from '../../shared/container';
import { lambdaFunction } from '../../shared/observability/lambda-handler';
import { perMessage } from '../../shared/observability/message-context';
import { DISCOVERY_POOL, discoverAllSites, discoverChunk } from '../../shared/usecases/dell-discovery';

const processor = new BatchProcessor(EventType.SQS);
const Chunk = z.object({
  run_id: z.string(),
  site_id: z.string(),
  chunk: z.number().int(),
  addresses: z.array(z.string()),
  registered: z.record(z.string(), z.string()).optional(),
  total: z.number().int().nonnegative().optional(),
});
const Scheduled = z.object({ task: z.literal('discover_all') });

/**
 * One record = a slice of a sweep (or the periodic "discover every site"); a failed record alone is retried.
 * The slice learns whether this is its last receive (SQS `ApproximateReceiveCount` against the pool's
 * `maxReceiveCount`; never below 1), so that one counts it instead of leaving it to the dead-letter queue.
 */
async function discoverRecord(record: SQSRecord, context?: Context): Promise<void> {
  const body: unknown = JSON.parse(record.body);
  const scheduled = Scheduled.safeParse(body);
  if (scheduled.success) await discoverAllSites(await deps());
  else
    await discoverChunk(await deps(), Chunk.parse(body), {
      receiveCount: Math.max(1, Number(record.attributes?.ApproximateReceiveCount) || 1),
      maxReceiveCount: WORKER_POOLS[DISCOVERY_POOL]!.maxReceiveCount,
      ...(context ? { remainingMs: context.getRemainingTimeInMillis() } : {}),
    });
}

export const handler = lambdaFunction(async (event: SQSEvent, context: Context) =>
  processPartialResponse(event, perMessage(discoverRecord), processor, { context }),
);
