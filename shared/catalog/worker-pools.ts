import type { FunctionName } from './functions';

/**
 * Worker pools: a queue (named after the pool) and the function that consumes it, with its concurrency limit. In AWS a pool is an
 * SQS event-source mapping (maximum concurrency = `concurrency`, draining = mapping disabled); locally a
 * poller with the same limit. Later issues add their pools here (jobs, vcenter-sync, discovery).
 */
export type WorkerPoolSpec = {
  /** The operator's name for the pool's workers, as in the runbook (`/api/v1/workers/worker-001/drain`). */
  workerId: string;
  function: FunctionName;
  concurrency: number;
  batchSize: number;
  visibilityTimeoutSeconds: number;
  /** Receives before a message moves to the dead-letter queue. */
  maxReceiveCount: number;
  description: string;
};

export const WORKER_POOLS: Record<string, WorkerPoolSpec> = {
  jobs: {
    workerId: 'worker-001',
    function: 'worker-job-dispatcher',
    concurrency: 4,
    batchSize: 10,
    visibilityTimeoutSeconds: 60,
    maxReceiveCount: 5,
    description: 'Job dispatcher: starts the state machine execution of each queued job',
  },
  housekeeping: {
    workerId: 'worker-002',
    function: 'worker-housekeeping',
    concurrency: 2,
    batchSize: 10,
    visibilityTimeoutSeconds: 120,
    maxReceiveCount: 5,
    description: 'Periodic sweep: approval expiry, lost job messages',
  },
  'vcenter-sync': {
    workerId: 'worker-004',
    function: 'worker-vcenter-sync',
    // Each sync holds one session and at most one private PropertyCollector per instance; two at once stays
    // within the per-instance collector limit (VCENTER_MAX_PROPERTY_COLLECTORS) and the runbook's session limits.
    concurrency: 2,
    batchSize: 1,
    visibilityTimeoutSeconds: 960,
    maxReceiveCount: 3,
    description: 'vCenter inventory sync: one message = one sync run of one instance',
  },
  discovery: {
    workerId: 'worker-003',
    function: 'worker-discovery',
    concurrency: 4,
    batchSize: 1,
    visibilityTimeoutSeconds: 360,
    maxReceiveCount: 3,
    description: 'iDRAC discovery: each message is a slice of a sweep, probed with bounded concurrency',
  },
};
