import { NotFoundError } from '../../shared/domain/errors';
import type { WorkerPoolState, WorkerPools } from '../../shared/ports/worker-pools';
import type { WorkerPoolRunner } from './worker-runner';

/** Worker pools in the local stack: the in-process pollers, drained by stopping their polling. */
export class LocalWorkerPools implements WorkerPools {
  constructor(private readonly runners: Map<string, WorkerPoolRunner>) {}

  private runner(pool: string): WorkerPoolRunner {
    const r = this.runners.get(pool);
    if (!r) throw new NotFoundError('worker pool', pool);
    return r;
  }

  async state(pool: string): Promise<WorkerPoolState> {
    return this.runner(pool).status();
  }

  async drain(pool: string): Promise<void> {
    // Returns once polling stopped; batches already running finish on their own.
    void this.runner(pool).drain();
  }

  async undrain(pool: string): Promise<void> {
    this.runner(pool).undrain();
  }
}
