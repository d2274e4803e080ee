import type { FunctionName } from './functions';

/**
 * Worker pools: a queue (named after the pool) and the function that consumes it, with its concurrency limit. In AWS a pool is an
 * SQS event-source mapping (maximum concurrency = `concurrency`, draining = mapping disabled); locally a
 * poller with the same limit. Later issues add their pools here (jobs, vcenter-sync, discovery).
 */
export type WorkerPoolSpec = {
  function: FunctionName;
  concurrency: number;
  batchSize: number;
  visibilityTimeoutSeconds: number;
  /** Receives before a message moves to the dead-letter queue. */
  maxReceiveCount: number;
  description: string;
};

export const WORKER_POOLS: Record<string, WorkerPoolSpec> = {};
