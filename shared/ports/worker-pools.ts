/**
 * Worker pools as the operator sees them: how busy each is and whether it is draining. In AWS a pool is an
 * SQS event-source mapping (drain = disable it, scale = its maximum concurrency); locally a poller in the
 * local stack.
 */
export type WorkerPoolState = { pool: string; concurrency: number; inFlight: number; draining: boolean };

export interface WorkerPools {
  state(pool: string): Promise<WorkerPoolState>;
  drain(pool: string): Promise<void>;
  undrain(pool: string): Promise<void>;
  /** Batches (invocations) at once from now on; kept until changed again (a redeploy sets the catalog's). */
  setConcurrency(pool: string, concurrency: number): Promise<void>;
}
