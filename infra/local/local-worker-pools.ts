import { readFile } from 'node:fs/promises';
import { NotFoundError } from '../../shared/domain/errors';
import { writeFileAtomic } from '../../shared/lib/atomic-file';
import type { WorkerPoolState, WorkerPools } from '../../shared/ports/worker-pools';
import type { WorkerPoolRunner } from './worker-runner';

/**
 * Worker pools in the local stack: the in-process pollers, drained by stopping their polling. Which pools are
 * drained is kept in a file of the data directory, so a drained pool stays drained across a restart, as a
 * disabled event source mapping stays disabled in AWS.
 */
export class LocalWorkerPools implements WorkerPools {
  private constructor(
    private readonly runners: Map<string, WorkerPoolRunner>,
    private readonly stateFile: string,
    private readonly drained: Set<string>,
  ) {}

  /** Drains again what was drained before the restart; call before the runners start. */
  static async open(runners: Map<string, WorkerPoolRunner>, stateFile: string): Promise<LocalWorkerPools> {
    const saved = await readFile(stateFile, 'utf8').then(
      (text) => (JSON.parse(text) as { drained?: string[] }).drained ?? [],
      (e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return [];
        throw e;
      },
    );
    const drained = new Set(saved.filter((pool) => runners.has(pool)));
    for (const pool of drained) void runners.get(pool)!.drain();
    return new LocalWorkerPools(runners, stateFile, drained);
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

  private saving: Promise<void> = Promise.resolve();

  /** One write at a time, each of the set as it is then: the file never ends older than the last change. */
  private save(): Promise<void> {
    this.saving = this.saving
      .catch(() => undefined)
      .then(() => writeFileAtomic(this.stateFile, `${JSON.stringify({ drained: [...this.drained].sort() })}\n`));
    return this.saving;
  }
}
