import { GetEventSourceMappingCommand, type LambdaClient, UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { WORKER_POOLS } from '../../catalog/worker-pools';
import { NotFoundError } from '../../domain/errors';
import { own } from '../../lib/own';
import type { Queue } from '../../ports/queue';
import type { WorkerPoolState, WorkerPools } from '../../ports/worker-pools';

/**
 * Worker pools in AWS: each is an SQS event-source mapping. Draining disables the mapping (Lambda stops
 * polling; invocations already running finish), undraining enables it, scaling sets its maximum concurrency
 * (ScalingConfig.MaximumConcurrency, 2–1000; the next deploy sets the catalog's again). In-flight work is what SQS holds
 * invisible, since Lambda does not report per-mapping concurrency.
 */
export class LambdaWorkerPools implements WorkerPools {
  constructor(
    private readonly lambda: LambdaClient,
    private readonly queue: Queue,
    private readonly mappings: Record<string, string>,
  ) {}

  private mappingOf(pool: string): string {
    const uuid = own(this.mappings, pool);
    if (!own(WORKER_POOLS, pool) || !uuid) throw new NotFoundError('worker pool', pool);
    return uuid;
  }

  async state(pool: string): Promise<WorkerPoolState> {
    const uuid = this.mappingOf(pool);
    const spec = WORKER_POOLS[pool]!;
    const [mapping, stats] = await Promise.all([
      this.lambda.send(new GetEventSourceMappingCommand({ UUID: uuid })),
      this.queue.stats(pool),
    ]);
    return {
      pool,
      concurrency: mapping.ScalingConfig?.MaximumConcurrency ?? spec.concurrency,
      // Invisible messages over batch size approximates running invocations (each takes up to one batch).
      inFlight: Math.min(Math.ceil(stats.inFlight / spec.batchSize), spec.concurrency),
      draining: mapping.State === 'Disabled' || mapping.State === 'Disabling',
    };
  }

  async drain(pool: string): Promise<void> {
    await this.lambda.send(new UpdateEventSourceMappingCommand({ UUID: this.mappingOf(pool), Enabled: false }));
  }

  async undrain(pool: string): Promise<void> {
    await this.lambda.send(new UpdateEventSourceMappingCommand({ UUID: this.mappingOf(pool), Enabled: true }));
  }

  async setConcurrency(pool: string, concurrency: number): Promise<void> {
    await this.lambda.send(
      new UpdateEventSourceMappingCommand({ UUID: this.mappingOf(pool), ScalingConfig: { MaximumConcurrency: concurrency } }),
    );
  }
}
