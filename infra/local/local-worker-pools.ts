import { readFile } from 'node:fs/promises';
import { NotFoundError } from '../../shared/domain/errors';
import { writeFileAtomic } from '../../shared/lib/atomic-file';
import type { WorkerPoolState, WorkerPools } from '../../shared/ports/worker-pools';
import type { WorkerPoolRunner } from './worker-runner';

/**
 * Worker pools in the local stack: the in-process pollers, drained by stopping their polling, scaled by
 * changing how many batches they run at once. Which pools are drained and what each was scaled to is kept
 * in a file of the data directory, so both hold across a restart, as an event source mapping's do in AWS.
 */
type SavedState = { drained?: string[]; concurrency?: Record<string, number> };

export class LocalWorkerPools implements WorkerPools {
  private constructor(
    private readonly runners: Map<string, WorkerPoolRunner>,
    private readonly stateFile: string,
    private readonly drained: Set<string>,
    private readonly concurrency: Map<string, number>,
  ) {}

  /** Drains and scales again what was before the restart; call before the runners start. */
  static async open(runners: Map<string, WorkerPoolRunner>, stateFile: string): Promise<LocalWorkerPools> {
    const saved = await readFile(stateFile, 'utf8').then(
      (text) => JSON.parse(text) as SavedState,
      (e: NodeJS.ErrnoException): SavedState => {
        if (e.code === 'ENOENT') return {};
        throw e;
      },
    );
    const drained = new Set((saved.drained ?? []).filter((pool) => runners.has(pool)));
    for (const pool of drained) void runners.get(pool)!.drain();
    const concurrency = new Map(Object.entries(saved.concurrency ?? {}).filter(([pool]) => runners.has(pool)));
    for (const [pool, n] of concurrency) runners.get(pool)!.setConcurrency(n);
    return new LocalWorkerPools(runners, stateFile, drained, concurrency);
  }

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
    this.drained.add(pool);
    await this.save();
  }

  async undrain(pool: string): Promise<void> {
    this.runner(pool).undrain();
    this.drained.delete(pool);
    await this.save();
  }

  async setConcurrency(pool: string, concurrency: number): Promise<void> {
    this.runner(pool).setConcurrency(concurrency);
    this.concurrency.set(pool, concurrency);
    await this.save();
  }

  private saving: Promise<void> = Promise.resolve();

  /** One write at a time, each of the set as it is then: the file never ends older than the last change. */
  private save(): Promise<void> {
    this.saving = this.saving
      .catch(() => undefined)
      .then(() => {
        const state: SavedState = { drained: [...this.drained].sort(), concurrency: Object.fromEntries([...this.concurrency].sort()) };
        return writeFileAtomic(this.stateFile, `${JSON.stringify(state)}\n`);
      });
    return this.saving;
  }
}
