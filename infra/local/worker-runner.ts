/**
 * The local stand-in for an SQS event-source mapping: polls one pool's queue, hands batches to the pool's
 * handler exactly as Lambda would (SQSEvent + Context), deletes what succeeded, and never runs more than the
 * pool's `concurrency` batches at once. ReportBatchItemFailures is assumed on, as the CDK stack configures it.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { LocalQueueDeclaration } from '../../shared/adapters/queue/local-queue';
import { FUNCTIONS } from '../../shared/catalog/functions';
import type { WorkerPoolSpec } from '../../shared/catalog/worker-pools';
import { config } from '../../shared/config';
import { withDeadline } from '../../shared/lib/async';
import { runWithContext } from '../../shared/observability/context';
import { logger } from '../../shared/observability/logger';
import type { Queue, ReceivedMessage } from '../../shared/ports/queue';

/** A worker function's handler, as Lambda calls it for an SQS event source. */
export type SqsWorkerHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export type WorkerPoolRunnerOptions = {
  pool: string;
  spec: WorkerPoolSpec;
  queue: Queue;
  handler: SqsWorkerHandler;
  /** Pause between polls of an empty queue (ms). */
  idlePollMs?: number;
  region?: string;
};

export type WorkerPoolStatus = { pool: string; concurrency: number; inFlight: number; draining: boolean };

const LOCAL_ACCOUNT = '000000000000';
const RECEIVE_MAX = 10;
const RECEIVE_ERROR_BACKOFF_MS = 1_000;

/** The LocalQueue declaration matching a pool spec, so the local stack declares what the runner polls. */
export const queueDeclarationFor = (pool: string, spec: WorkerPoolSpec): LocalQueueDeclaration => ({
  name: pool,
  visibilityTimeoutSeconds: spec.visibilityTimeoutSeconds,
  maxReceiveCount: spec.maxReceiveCount,
});

export class WorkerPoolRunner {
  private started = false;
  private stopped = false;
  private draining = false;
  private readonly batches = new Set<Promise<void>>();
  private loop?: Promise<void>;
  private wake?: () => void;
  private readonly region: string;
  private readonly idlePollMs: number;
  /** Batches at once: the pool's catalog value until an operator scales it. */
  private concurrency: number;

  constructor(private readonly o: WorkerPoolRunnerOptions) {
    this.concurrency = o.spec.concurrency;
    this.region = o.region ?? config().region;
    this.idlePollMs = o.idlePollMs ?? 100;
  }

  start(): this {
    if (!this.started) {
      this.started = true;
      this.loop = this.pollLoop();
    }
    return this;
  }

  status(): WorkerPoolStatus {
    return {
      pool: this.o.pool,
      concurrency: this.concurrency,
      inFlight: this.batches.size,
      // A stopped pool takes no work either; the health view should not show it as accepting.
      draining: this.draining || this.stopped,
    };
  }

  /** Stops taking new batches; resolves once the batches already running have finished. */
  async drain(): Promise<void> {
    this.draining = true;
    this.notify();
    while (this.batches.size > 0) await Promise.allSettled([...this.batches]);
    logger.info('Worker pool drained', { pool: this.o.pool });
  }

  undrain(): void {
    this.draining = false;
    this.notify();
  }

  /** Takes up to `concurrency` batches at once from now on; batches beyond a lower limit finish first. */
  setConcurrency(concurrency: number): void {
    this.concurrency = concurrency;
    this.notify();
  }

  /**
   * Stops polling and waits for running batches, at most `timeoutMs`: a handler that never settles cannot be
   * killed in-process, so it is abandoned and its messages come back after their visibility timeout.
   */
  async stop(timeoutMs = 30_000): Promise<{ abandoned: number }> {
    this.stopped = true;
    this.notify();
    const finished = await withDeadline(
      Promise.allSettled([this.loop, ...this.batches]).then(() => true),
      timeoutMs,
      () => false,
    );
    const abandoned = finished ? 0 : this.batches.size;
    if (abandoned > 0) {
      logger.warn('Worker pool stopped with batches still running; their messages return after the timeout', {
        pool: this.o.pool,
        abandoned,
      });
    }
    return { abandoned };
  }

  // Short polls with an idle pause rather than long polls: a long poll still pending when the pool drains
  // would take a message the runner no longer wants and count a receive against its maxReceiveCount.
  private async pollLoop(): Promise<void> {
    const { spec } = this.o;
    while (!this.stopped) {
      if (this.draining || this.batches.size >= this.concurrency) {
        await this.pause();
        continue;
      }
      let messages: ReceivedMessage[];
      try {
        messages = await this.receiveBatch();
      } catch (err) {
        logger.error('Worker pool could not receive from its queue', {
          pool: this.o.pool,
          error: err as Error,
        });
        await this.pause(RECEIVE_ERROR_BACKOFF_MS);
        continue;
      }
      if (messages.length === 0) {
        await this.pause(this.idlePollMs);
        continue;
      }
      if (this.stopped || this.draining) {
        await this.release(messages);
        continue;
      }
      this.launch(messages);
    }
  }

  /** Up to batchSize messages; SQS hands out at most 10 per receive, so larger batches take several. */
  private async receiveBatch(): Promise<ReceivedMessage[]> {
    const { spec } = this.o;
    const out: ReceivedMessage[] = [];
    while (out.length < spec.batchSize) {
      const got = await this.o.queue.receive(this.o.pool, {
        max: Math.min(RECEIVE_MAX, spec.batchSize - out.length),
        visibilityTimeoutSeconds: spec.visibilityTimeoutSeconds,
      });
      out.push(...got);
      if (got.length === 0) break;
    }
    return out;
  }

  private launch(messages: ReceivedMessage[]): void {
    const run: Promise<void> = this.invoke(messages)
      .catch((err: unknown) => logger.error('Worker batch bookkeeping failed', { pool: this.o.pool, error: err as Error }))
      .finally(() => {
        this.batches.delete(run);
        this.notify();
      });
    this.batches.add(run);
  }

  private async invoke(messages: ReceivedMessage[]): Promise<void> {
    const { spec, pool } = this.o;
    const fn = FUNCTIONS[spec.function];
    const deadline = Date.now() + fn.timeoutSeconds * 1000;
    const event: SQSEvent = { Records: messages.map((m) => this.record(m)) };
    const context = lambdaContext(spec.function, fn.memoryMb, this.region, pool, deadline);

    let failed: Set<string> | 'all';
    try {
      // A fresh log context per invocation, as in Lambda: nothing leaks in from whoever started the runner.
      const result = await runWithContext({}, () => this.o.handler(event, context));
      if (Date.now() > deadline) {
        logger.error('Worker handler exceeded the function timeout; the batch counts as failed', {
          pool,
          function: spec.function,
          timeout_seconds: fn.timeoutSeconds,
        });
        failed = 'all';
      } else {
        failed = failuresOf(result, messages);
      }
    } catch (err) {
      logger.error('Worker handler failed; the batch returns after the visibility timeout', {
        pool,
        function: spec.function,
        messages: messages.length,
        error: err as Error,
      });
      failed = 'all';
    }
    if (failed === 'all') return;
    const done = messages.filter((m) => !failed.has(m.id));
    await Promise.all(
      done.map((m) =>
        this.o.queue.delete(this.o.pool, m.receiptHandle).catch((err: unknown) =>
          // The message comes back after its visibility timeout: at-least-once, as in SQS.
          logger.error('Could not delete a processed message', { pool, message_id: m.id, error: err as Error }),
        ),
      ),
    );
  }

  private record(m: ReceivedMessage): SQSRecord {
    return {
      messageId: m.id,
      receiptHandle: m.receiptHandle,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentAt),
        SenderId: 'AIDAEIOLOCALRUNNER',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: Object.fromEntries(
        Object.entries(m.attributes).map(([k, v]) => [
          k,
          { stringValue: v, stringListValues: [], binaryListValues: [], dataType: 'String' },
        ]),
      ),
      md5OfBody: createHash('md5').update(m.body, 'utf8').digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:${this.region}:${LOCAL_ACCOUNT}:${this.o.pool}`,
      awsRegion: this.region,
    };
  }

  /** Gives back messages taken after drain/stop began, so they do not wait out a visibility timeout. */
  private async release(messages: ReceivedMessage[]): Promise<void> {
    await Promise.all(
      messages.map((m) =>
        this.o.queue.changeVisibility(this.o.pool, m.receiptHandle, 0).catch((err: unknown) =>
          logger.debug('Could not release a message; it returns after its visibility timeout', {
            message_id: m.id,
            error: err as Error,
          }),
        ),
      ),
    );
  }

  /** Waits for a state change (batch done, drain, undrain, stop) or `ms`, whichever comes first. */
  private pause(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      this.wake = done;
    });
  }

  private notify(): void {
    this.wake?.();
  }
}

/**
 * Lambda's rules for a partial batch response: nothing or an empty list means all succeeded; an identifier
 * that is empty or not in the batch fails the whole batch.
 */
function failuresOf(result: SQSBatchResponse | void, messages: ReceivedMessage[]): Set<string> | 'all' {
  const items = (result as Partial<SQSBatchResponse> | undefined | null)?.batchItemFailures;
  if (items === undefined || items === null) return new Set();
  if (!Array.isArray(items)) return 'all';
  const ids = new Set(messages.map((m) => m.id));
  const failed = new Set<string>();
  for (const item of items) {
    const id = (item as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !ids.has(id)) return 'all';
    failed.add(id);
  }
  return failed;
}

function lambdaContext(functionName: string, memoryMb: number, region: string, pool: string, deadline: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${LOCAL_ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${pool}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    // Callback-era methods: handlers here are async and settle through their promise.
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
