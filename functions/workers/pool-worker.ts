/**
 * A worker pool's consumer: each SQS record is its pool's typed message, handled in a log context of its own;
 * a failed record alone is retried (partial batch response), the rest of the batch is done.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { type PoolMessage, parsePoolMessage } from '../../shared/catalog/messages';
import type { PoolName } from '../../shared/catalog/worker-pools';
import { lambdaFunction } from '../../shared/observability/lambda-handler';
import { perMessage } from '../../shared/observability/message-context';

export type MessageHandler<P extends PoolName> = (message: PoolMessage<P>, record: SQSRecord, context?: Context) => Promise<void>;

export function poolWorker<P extends PoolName>(pool: P, handle: MessageHandler<P>) {
  const processor = new BatchProcessor(EventType.SQS);
  const handleRecord = perMessage((record, context) => handle(parsePoolMessage(pool, record.body), record, context));
  return lambdaFunction(async (event: SQSEvent, context: Context) => processPartialResponse(event, handleRecord, processor, { context }));
}
