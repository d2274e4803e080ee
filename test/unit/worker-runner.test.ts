import { createHash } from 'node:crypto';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { queueDeclarationFor, type SqsWorkerHandler, WorkerPoolRunner } from '../../infra/local/worker-runner';
import { LocalQueue } from '../../shared/adapters/queue/local-queue';
import type { WorkerPoolSpec } from '../../shared/catalog/worker-pools';

// The test's own handler stands in; the catalogued function only gives the runner a timeout and memory size.
const spec = (over: Partial<WorkerPoolSpec> = {}): WorkerPoolSpec => ({
  workerId: 'worker-test',
  function: 'worker-job-dispatcher',
  concurrency: 2,
  batchSize: 1,
  visibilityTimeoutSeconds: 5,
  maxReceiveCount: 3,
  load: 'steady',
  description: 'test pool',
  ...over,
});

let queue: LocalQueue | undefined;
let runner: WorkerPoolRunner | undefined;

function setup(s: WorkerPoolSpec, handler: SqsWorkerHandler): { queue: LocalQueue; runner: WorkerPoolRunner } {
  queue = new LocalQueue({ queues: [queueDeclarationFor('work', s)] });
  runner = new WorkerPoolRunner({ pool: 'work', spec: s, queue, handler, idlePollMs: 10 });
  return { queue, runner };
}

afterEach(async () => {
  await runner?.stop(1_000);
  await queue?.close();
  runner = undefined;
  queue = undefined;
});

/** Polls `cond` every 10 ms; fails after `bound` ms so a broken runner fails the test instead of hanging it. */
async function until(cond: () => boolean | Promise<boolean>, what: string, bound = 10_000): Promise<void> {
  const end = Date.now() + bound;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`Timed out waiting for: ${what}`);
    await sleep(10);
  }
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

const empty = async (q: LocalQueue, name = 'work') => {
  const s = await q.stats(name);
  return s.depth === 0 && s.inFlight === 0;
};

describe('WorkerPoolRunner', () => {
  it('invokes the handler with a Lambda-shaped SQSEvent and Context, then deletes the message', async () => {
    const seen: { event: SQSEvent; context: Context; remaining: number }[] = [];
    const { queue, runner } = setup(spec(), async (event, context) => {
      seen.push({ event, context, remaining: context.getRemainingTimeInMillis() });
    });
    const [id] = await queue.send('work', [{ body: '{"job_id":"job-1"}', attributes: { correlation_id: 'c-1' } }]);
    runner.start();
    await until(async () => seen.length === 1 && (await empty(queue)), 'message handled and deleted');

    const { event, context, remaining } = seen[0]!;
    expect(event.Records).toHaveLength(1);
    const r = event.Records[0]!;
    expect(r).toMatchObject({
      messageId: id,
      body: '{"job_id":"job-1"}',
      eventSource: 'aws:sqs',
      md5OfBody: createHash('md5').update('{"job_id":"job-1"}').digest('hex'),
      messageAttributes: { correlation_id: { stringValue: 'c-1', dataType: 'String' } },
      attributes: { ApproximateReceiveCount: '1' },
    });
    expect(r.eventSourceARN).toMatch(/^arn:aws:sqs:[a-z0-9-]+:\d{12}:work$/);
    expect(r.awsRegion).toBe(r.eventSourceARN.split(':')[3]);
    expect(Number(r.attributes.SentTimestamp)).toBeGreaterThan(0);
    expect(r.receiptHandle).not.toBe('');
    expect(context).toMatchObject({ functionName: 'worker-job-dispatcher', functionVersion: '$LATEST', memoryLimitInMB: '512' });
    expect(context.awsRequestId).not.toBe('');
    expect(remaining).toBeGreaterThan(0);
    expect(remaining).toBeLessThanOrEqual(30_000); // worker-job-dispatcher's 30 s timeout
  });

  it('builds batches of up to batchSize messages', async () => {
    const sizes: number[] = [];
    const { queue, runner } = setup(spec({ batchSize: 3, concurrency: 1 }), async (event) => {
      sizes.push(event.Records.length);
    });
    await queue.send(
      'work',
      Array.from({ length: 7 }, (_, i) => ({ body: `m${i}` })),
    );
    runner.start();
    await until(async () => sizes.reduce((a, b) => a + b, 0) === 7 && (await empty(queue)), 'all 7 handled');
    expect(Math.max(...sizes)).toBe(3);
    expect(sizes[0]).toBe(3);
  });

  it('never runs more than `concurrency` batches at once', async () => {
    let active = 0;
    let maxActive = 0;
    let maxReported = 0;
    let handled = 0;
    const { queue, runner } = setup(spec({ concurrency: 3 }), async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      maxReported = Math.max(maxReported, runner.status().inFlight);
      await sleep(30);
      active--;
      handled++;
    });
    await queue.send(
      'work',
      Array.from({ length: 10 }, (_, i) => ({ body: `a${i}` })),
    );
    await queue.send(
      'work',
      Array.from({ length: 10 }, (_, i) => ({ body: `b${i}` })),
    );
    runner.start();
    await until(async () => handled === 20 && (await empty(queue)), 'all 20 handled');
    expect(maxActive).toBe(3); // reached, never exceeded
    expect(maxReported).toBeLessThanOrEqual(3);
  });

  it('scales while running: a higher limit takes more batches at once, a lower one lets running batches finish', async () => {
    const release = gate();
    let active = 0;
    const { queue, runner } = setup(spec({ concurrency: 1 }), async () => {
      active++;
      await release.promise;
      active--;
    });
    await queue.send(
      'work',
      Array.from({ length: 5 }, (_, i) => ({ body: `m${i}` })),
    );
    runner.start();
    await until(() => active === 1, 'one batch running');
    runner.setConcurrency(4);
    await until(() => active === 4, 'four batches running after scaling up');
    expect(runner.status()).toMatchObject({ concurrency: 4, inFlight: 4 });
    runner.setConcurrency(2);
    expect(runner.status()).toMatchObject({ concurrency: 2, inFlight: 4 });
    release.open();
    await until(async () => await empty(queue), 'all handled');
  });

  it('deletes only the successes of a partial batch; failures are redelivered, then dead-lettered', async () => {
    const attempts = new Map<string, string[]>();
    const processor = new BatchProcessor(EventType.SQS);
    const record = async (r: SQSRecord) => {
      attempts.set(r.body, [...(attempts.get(r.body) ?? []), r.attributes.ApproximateReceiveCount]);
      if (r.body.startsWith('bad')) throw new Error('cannot process');
    };
    // Powertools' own partial-response helper accepts the event and produces what the runner honours.
    const s = spec({ batchSize: 3, concurrency: 1, visibilityTimeoutSeconds: 0.2, maxReceiveCount: 2 });
    const handler: SqsWorkerHandler = (event, context) => processPartialResponse(event, record, processor, { context });
    const { queue, runner } = setup(s, handler);
    await queue.send('work', [{ body: 'good-1' }, { body: 'bad-1' }, { body: 'good-2' }]);
    runner.start();

    const deadLettered = async () => (await queue.stats('work')).deadLetterDepth === 1 && (await empty(queue));
    await until(deadLettered, 'bad-1 dead-lettered');
    expect(attempts.get('good-1')).toEqual(['1']);
    expect(attempts.get('good-2')).toEqual(['1']);
    expect(attempts.get('bad-1')).toEqual(['1', '2']);
    expect(await queue.receive('work-dlq', { max: 10 })).toMatchObject([{ body: 'bad-1' }]);
  });

  it('keeps the whole batch when the handler throws, and redelivers it', async () => {
    const invocations: string[][] = [];
    const s = spec({ batchSize: 2, concurrency: 1, visibilityTimeoutSeconds: 0.2 });
    const { queue, runner } = setup(s, async (event) => {
      invocations.push(event.Records.map((r) => `${r.body}#${r.attributes.ApproximateReceiveCount}`));
      if (invocations.length === 1) throw new Error('transient');
    });
    await queue.send('work', [{ body: 'x' }, { body: 'y' }]);
    runner.start();
    await until(async () => invocations.length === 2 && (await empty(queue)), 'retried and deleted');
    expect(invocations).toEqual([
      ['x#1', 'y#1'],
      ['x#2', 'y#2'],
    ]);
  });

  it('fails the whole batch when a batchItemFailures identifier is not in the batch (Lambda rule)', async () => {
    const invocations: number[] = [];
    const s = spec({ batchSize: 2, concurrency: 1, visibilityTimeoutSeconds: 0.2 });
    const { queue, runner } = setup(s, async (event) => {
      invocations.push(event.Records.length);
      return invocations.length === 1 ? { batchItemFailures: [{ itemIdentifier: 'no-such-id' }] } : undefined;
    });
    await queue.send('work', [{ body: 'x' }, { body: 'y' }]);
    runner.start();
    await until(async () => invocations.length === 2 && (await empty(queue)), 'redelivered whole batch');
    expect(invocations).toEqual([2, 2]);
  });

  it('drain stops intake while the running batch finishes; undrain resumes', async () => {
    const first = gate();
    const handled: string[] = [];
    const { queue, runner } = setup(spec({ concurrency: 2 }), async (event) => {
      const body = event.Records[0]!.body;
      if (body === 'm1') await first.promise;
      handled.push(body);
    });
    await queue.send('work', [{ body: 'm1' }]);
    runner.start();
    await until(() => runner.status().inFlight === 1, 'm1 in flight');

    const drained = runner.drain();
    expect(runner.status()).toEqual({ pool: 'work', concurrency: 2, inFlight: 1, draining: true });
    await queue.send('work', [{ body: 'm2' }]);
    first.open();
    await drained;
    expect(runner.status().inFlight).toBe(0);
    expect(handled).toEqual(['m1']);

    // Many idle-poll periods later, m2 is still waiting, untouched.
    await sleep(200);
    expect(handled).toEqual(['m1']);
    expect(await queue.stats('work')).toMatchObject({ depth: 1, inFlight: 0 });
    const [m2] = await queue.receive('work', { max: 1, visibilityTimeoutSeconds: 0 });
    expect(m2!.receiveCount).toBe(1); // never received while draining

    runner.undrain();
    expect(runner.status().draining).toBe(false);
    await until(async () => handled.length === 2 && (await empty(queue)), 'm2 handled after undrain');
    expect(handled).toEqual(['m1', 'm2']);
  });

  it('stop waits for running batches to finish and leaves nothing in flight', async () => {
    const release = gate();
    let done = false;
    const { queue, runner } = setup(spec(), async () => {
      await release.promise;
      done = true;
    });
    await queue.send('work', [{ body: 'finish me' }]);
    runner.start();
    await until(() => runner.status().inFlight === 1, 'batch in flight');
    const stopping = runner.stop(10_000);
    release.open();
    expect(await stopping).toEqual({ abandoned: 0 });
    expect(done).toBe(true);
    expect(await empty(queue)).toBe(true);
  });

  it('stop gives up on a handler that never settles after its timeout; the message stays for redelivery', async () => {
    const s = spec({ concurrency: 1, visibilityTimeoutSeconds: 1 });
    const { queue, runner } = setup(s, () => new Promise<void>(() => {}));
    const [id] = await queue.send('work', [{ body: 'stuck' }]);
    runner.start();
    await until(() => runner.status().inFlight === 1, 'batch in flight');
    expect(await runner.stop(100)).toEqual({ abandoned: 1 });
    expect(runner.status().draining).toBe(true);
    // Not deleted: visible to the next consumer once its visibility timeout ends.
    const [m] = await queue.receive('work', { max: 1, waitSeconds: 10 });
    expect(m).toMatchObject({ id, receiveCount: 2 });
  });
});
