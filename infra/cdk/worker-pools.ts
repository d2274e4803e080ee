import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { CatalogWorkerPool } from './catalog';
import type { PoolQueues } from './stateful-stack';

// AWS rejects SQS maximum concurrency below 2 (and above 1000). A pool of 1 therefore runs up to 2
// invocations at once in AWS: work that must be serial relies on EIO's locks, not on the pool size.
const MIN_SQS_MAX_CONCURRENCY = 2;
const MAX_SQS_MAX_CONCURRENCY = 1000;
export const sqsMaxConcurrency = (concurrency: number): number =>
  Math.min(MAX_SQS_MAX_CONCURRENCY, Math.max(MIN_SQS_MAX_CONCURRENCY, concurrency));

export type PoolMappings = {
  /** Pool name → event-source mapping UUID (the API disables it to drain the pool). */
  ids: Record<string, string>;
  arns: string[];
};

/** One SQS event source per pool: the pool's queue feeds its worker function (its live alias). */
export function connectWorkerPools(
  pools: Readonly<Record<string, CatalogWorkerPool>>,
  functions: Readonly<Record<string, lambda.IFunction>>,
  queues: Readonly<Record<string, PoolQueues>>,
): PoolMappings {
  const mappings: PoolMappings = { ids: {}, arns: [] };
  for (const [pool, spec] of Object.entries(pools)) {
    const worker = functions[spec.function];
    const queue = queues[pool]?.queue;
    if (!worker || !queue) throw new Error(`worker pool ${pool}: missing function ${spec.function} or its queue`);
    const source = new SqsEventSource(queue, {
      batchSize: spec.batchSize,
      maxConcurrency: sqsMaxConcurrency(spec.concurrency),
      reportBatchItemFailures: true, // a failed message is retried alone, not with its whole batch
    });
    worker.addEventSource(source);
    mappings.ids[pool] = source.eventSourceMappingId;
    mappings.arns.push(source.eventSourceMappingArn);
  }
  return mappings;
}
