/**
 * Worker pools: a queue (named after the pool) and the function that consumes it, with its concurrency limit. In AWS a pool is an
 * SQS event-source mapping (maximum concurrency = `concurrency`, draining = mapping disabled); locally a
 * poller with the same limit. Each pool's message schema is in messages.ts.
 */
import type { PoolLoad } from '../domain/health';
import type { FunctionName } from './functions';

/** One worker pool: its queue's settings and the function that consumes it. */
export type WorkerPoolSpec = {
  /** The operator's name for the pool's workers, as in the runbook (`/api/v1/workers/worker-001/drain`). */
  workerId: string;
  function: FunctionName;
  concurrency: number;
  batchSize: number;
  visibilityTimeoutSeconds: number;
  /** Receives before a message moves to the dead-letter queue. */
  maxReceiveCount: number;
  /** What the pool at its limit means for health (domain/health.ts PoolLoad): overload, or a sweep at work. */
  load: PoolLoad;
  description: string;
};

/**
 * Probes in flight during a sweep: `DISCOVERY_CONCURRENCY` (1–1000, SQS maximum concurrency's range), read
 * where the catalog is loaded (CDK synth deploys it as the event source mapping's maximum concurrency).
 */
function discoveryConcurrency(): number {
  const raw = process.env.DISCOVERY_CONCURRENCY;
  const n = raw === undefined || raw === '' ? 64 : Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 1000)
    throw new Error(`Invalid configuration: DISCOVERY_CONCURRENCY must be an integer 1..1000, got '${raw}'`);
  return n;
}

const POOLS = {
  jobs: {
    workerId: 'worker-001',
    function: 'worker-job-dispatcher',
    concurrency: 4,
    batchSize: 10,
    visibilityTimeoutSeconds: 60,
    maxReceiveCount: 5,
    load: 'steady',
    description: 'Job dispatcher: starts the state machine execution of each queued job',
  },
  housekeeping: {
    workerId: 'worker-002',
    function: 'worker-housekeeping',
    concurrency: 2,
    batchSize: 10,
    visibilityTimeoutSeconds: 120,
    maxReceiveCount: 5,
    load: 'steady',
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
    load: 'steady',
    description: 'vCenter inventory sync: one message = one sync run of one instance',
  },
  discovery: {
    workerId: 'worker-003',
    function: 'worker-discovery',
    // One address per message (see dell-discovery.ts), so this is the number of probes in flight.
    concurrency: discoveryConcurrency(),
    batchSize: 1,
    visibilityTimeoutSeconds: 360,
    maxReceiveCount: 3,
    // A sweep queues every address at once and fills the pool by design: at its limit, it is working.
    load: 'sweep',
    description: 'iDRAC discovery: each message is one address of a sweep; concurrency = probes in flight',
  },
  ipam: {
    workerId: 'worker-005',
    function: 'worker-ipam',
    // One full pass at a time: two would read the same findings and conflict on every change.
    concurrency: 1,
    batchSize: 10,
    visibilityTimeoutSeconds: 960,
    maxReceiveCount: 3,
    load: 'steady',
    description: 'IPAM full reconciliation: correlates every observation and updates the findings',
  },
  credentials: {
    workerId: 'worker-006',
    function: 'worker-credential-rotation',
    // A rotation changes passwords on devices one target at a time; two identities may rotate at once.
    concurrency: 2,
    batchSize: 1,
    visibilityTimeoutSeconds: 960,
    maxReceiveCount: 5,
    load: 'steady',
    description: 'Credential rotation: one message = carry one rotation on from the step its record names',
  },
} satisfies Record<string, WorkerPoolSpec>;

export type PoolName = keyof typeof POOLS;
/** By name, for lookups of a name an operator or a message gives (the runbook's `worker-001` resolves through workerId). */
export const WORKER_POOLS: Record<string, WorkerPoolSpec> = POOLS;

/**
 * The function that runs job steps (Step Functions invokes it; no queue), reported beside the pools: its load
 * is the running jobs, each at work in one step, against the number EIO is sized for. Work in flight above
 * it is overload like a steady pool's (runbook "Worker utilization").
 */
export const JOB_STEPS = {
  name: 'job-steps',
  workerId: 'job-steps',
  function: 'step-job',
  concurrency: 50,
  description: 'Job steps: the function every job state machine calls, one running job = one step in flight',
} as const satisfies { name: string; workerId: string; function: FunctionName; concurrency: number; description: string };
