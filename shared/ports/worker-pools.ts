/**
 * Worker pools as the operator sees them: how busy each is and whether it is draining. In AWS a pool is an
 * SQS event-source mapping (drain = disable it); locally a poller in the local stack.
 */
export type WorkerPoolState = { pool: string; concurrency: number; inFlight: number; draining: boolean };

export interface WorkerPools {
  state(pool: string): Promise<WorkerPoolState>;
  drain(pool: string): Promise<void>;
  undrain(pool: string): Promise<void>;
}
