import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { parsePoolMessage } from '../../shared/catalog/messages';
import { WORKER_POOLS } from '../../shared/catalog/worker-pools';
import { deps } from '../../shared/container';
import { lambdaFunction } from '../../shared/observability/lambda-handler';
import { perMessage } from '../../shared/observability/message-context';
import { discoverAllSites, discoverChunk } from '../../shared/usecases/dell-discovery';

const processor = new BatchProcessor(EventType.SQS);

/**
 * One record = a slice of a sweep (or the periodic "discover every site"); a failed record alone is retried.
 * The slice learns whether this is its last receive (SQS `ApproximateReceiveCount` against the pool's
 * `maxReceiveCount`; never below 1), so that one counts it instead of leaving it to the dead-letter queue.
 */
async function discoverRecord(record: SQSRecord, context?: Context): Promise<void> {
  const msg = parsePoolMessage('discovery', record.body);
  if ('task' in msg) await discoverAllSites(await deps());
  else
    await discoverChunk(await deps(), msg, {
      receiveCount: Math.max(1, Number(record.attributes?.ApproximateReceiveCount) || 1),
      maxReceiveCount: WORKER_POOLS.discovery!.maxReceiveCount,
      ...(context ? { remainingMs: context.getRemainingTimeInMillis() } : {}),
    });
}

export const handler = lambdaFunction(async (event: SQSEvent, context: Context) =>
  processPartialResponse(event, perMessage(discoverRecord), processor, { context }),
);
