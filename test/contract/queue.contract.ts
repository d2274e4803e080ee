import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalQueueDeclaration } from '../../shared/adapters/queue/local-queue';
import { type Queue, type ReceivedMessage, UnknownQueueError } from '../../shared/ports/queue';

/**
 * The Queue port's contract: every adapter (LocalQueue, SqsQueue against the fake SQS server) passes the
 * same suite. Timeouts are whole seconds so the suite also fits real SQS; waits are polls with a bound.
 */
export type QueueUnderTest = { queue: Queue; close(): Promise<void> };

/** The queues an adapter under test must provide (each with its `<name>-dlq`). */
export const CONTRACT_QUEUES: LocalQueueDeclaration[] = [{ name: 'contract', visibilityTimeoutSeconds: 1, maxReceiveCount: 2 }];

const Q = 'contract';
const DLQ = 'contract-dlq';

/** Receives until `until` holds for what has been collected, polling with a 1 s long poll, at most `polls` times. */
async function collect(
  queue: Queue,
  name: string,
  until: (got: ReceivedMessage[]) => boolean,
  opts: { max?: number; visibilityTimeoutSeconds?: number; polls?: number } = {},
): Promise<ReceivedMessage[]> {
  const got: ReceivedMessage[] = [];
  for (let i = 0; i < (opts.polls ?? 10) && !until(got); i++) {
    got.push(
      ...(await queue.receive(name, {
        max: opts.max ?? 10,
        visibilityTimeoutSeconds: opts.visibilityTimeoutSeconds,
        waitSeconds: 1,
      })),
    );
  }
  return got;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function queueContract(name: string, make: () => Promise<QueueUnderTest>): void {
  describe(`Queue contract: ${name}`, () => {
    let sut: QueueUnderTest;
    let queue: Queue;
    beforeEach(async () => {
      sut = await make();
      queue = sut.queue;
    });
    afterEach(async () => {
      await sut.close();
    });

    it('round-trips a message with its attributes, id, receive count and sent time', async () => {
      const before = Date.now();
      const attributes = { kind: 'job', correlation_id: 'c-1' };
      const [id] = await queue.send(Q, [{ body: '{"job_id":"job-1"}', attributes }]);
      const after = Date.now();
      const [m] = await collect(queue, Q, (got) => got.length > 0);
      expect(m).toMatchObject({
        id,
        body: '{"job_id":"job-1"}',
        receiveCount: 1,
        attributes: { kind: 'job', correlation_id: 'c-1' },
      });
      expect(m!.receiptHandle).not.toBe('');
      expect(m!.sentAt).toBeGreaterThanOrEqual(before - 5_000);
      expect(m!.sentAt).toBeLessThanOrEqual(after + 5_000);
    });

    it('returns an empty list from an empty queue', async () => {
      expect(await queue.receive(Q, { max: 10 })).toEqual([]);
    });

    it('sends a batch of 10 and rejects a batch of 11', async () => {
      const bodies = Array.from({ length: 10 }, (_, i) => `m${i}`);
      const ids = await queue.send(
        Q,
        bodies.map((body) => ({ body })),
      );
      expect(new Set(ids).size).toBe(10);
      await expect(
        queue.send(
          Q,
          [...bodies, 'm10'].map((body) => ({ body })),
        ),
      ).rejects.toThrow();
      const got = await collect(queue, Q, (g) => g.length >= 10);
      expect(got.map((m) => m.body).sort()).toEqual([...bodies].sort());
      expect(got.map((m) => m.id).sort()).toEqual([...ids].sort());
    });

    it('never returns more than max messages', async () => {
      await queue.send(
        Q,
        Array.from({ length: 5 }, (_, i) => ({ body: `m${i}` })),
      );
      const batches: ReceivedMessage[][] = [];
      for (let i = 0; i < 10 && batches.flat().length < 5; i++) {
        batches.push(await queue.receive(Q, { max: 3, waitSeconds: 1 }));
      }
      for (const batch of batches) expect(batch.length).toBeLessThanOrEqual(3);
      expect(batches.some((b) => b.length === 3)).toBe(true);
      expect(new Set(batches.flat().map((m) => m.body)).size).toBe(5);
    });

    it('hides a received message until its visibility timeout, then redelivers it with receiveCount 2', async () => {
      const [id] = await queue.send(Q, [{ body: 'redeliver me' }]);
      const [first] = await collect(queue, Q, (g) => g.length > 0);
      expect(first!.receiveCount).toBe(1);
      expect(await queue.receive(Q, { max: 10 })).toEqual([]);
      expect(await queue.stats(Q)).toMatchObject({ depth: 0, inFlight: 1 });

      const [second] = await collect(queue, Q, (g) => g.length > 0);
      expect(second).toMatchObject({ id, body: 'redeliver me', receiveCount: 2 });
      expect(second!.receiptHandle).not.toBe(first!.receiptHandle);
    });

    it('deletes a message for good', async () => {
      await queue.send(Q, [{ body: 'done' }]);
      const [m] = await collect(queue, Q, (g) => g.length > 0);
      await queue.delete(Q, m!.receiptHandle);
      expect(await queue.stats(Q)).toMatchObject({ depth: 0, inFlight: 0 });
      // Past the 1 s visibility timeout it does not come back.
      expect(await queue.receive(Q, { max: 10, waitSeconds: 2 })).toEqual([]);
    });

    it('ignores a delete with a stale receipt handle from an earlier receive', async () => {
      const [id] = await queue.send(Q, [{ body: 'stale' }]);
      const [first] = await collect(queue, Q, (g) => g.length > 0);
      const [second] = await collect(queue, Q, (g) => g.length > 0);
      expect(second!.id).toBe(id);

      await queue.delete(Q, first!.receiptHandle);
      expect((await queue.stats(Q)).inFlight).toBe(1);
      await queue.delete(Q, second!.receiptHandle);
      expect(await queue.stats(Q)).toMatchObject({ depth: 0, inFlight: 0 });
    });

    it('makes a message visible at once with changeVisibility(0)', async () => {
      const [id] = await queue.send(Q, [{ body: 'retry now' }]);
      const [m] = await collect(queue, Q, (g) => g.length > 0, { visibilityTimeoutSeconds: 60 });
      await queue.changeVisibility(Q, m!.receiptHandle, 0);
      const [again] = await collect(queue, Q, (g) => g.length > 0, { polls: 2 });
      expect(again).toMatchObject({ id, receiveCount: 2 });
    });

    it('extends the visibility of an in-flight message with changeVisibility', async () => {
      await queue.send(Q, [{ body: 'slow work' }]);
      const [m] = await collect(queue, Q, (g) => g.length > 0);
      await queue.changeVisibility(Q, m!.receiptHandle, 60);
      // Well past the queue's 1 s timeout, still hidden.
      expect(await queue.receive(Q, { max: 10, waitSeconds: 2 })).toEqual([]);
      expect((await queue.stats(Q)).inFlight).toBe(1);
    });

    it('rejects changeVisibility for a message already deleted', async () => {
      await queue.send(Q, [{ body: 'gone' }]);
      const [m] = await collect(queue, Q, (g) => g.length > 0);
      await queue.delete(Q, m!.receiptHandle);
      await expect(queue.changeVisibility(Q, m!.receiptHandle, 10)).rejects.toThrow();
    });

    it('moves a message to the dead-letter queue after maxReceiveCount receives without delete', async () => {
      const [id] = await queue.send(Q, [{ body: 'poison' }]);
      for (const expected of [1, 2]) {
        const [m] = await collect(queue, Q, (g) => g.length > 0);
        expect(m).toMatchObject({ id, receiveCount: expected });
        await queue.changeVisibility(Q, m!.receiptHandle, 0);
      }
      // The receive that would exceed maxReceiveCount (2) moves it instead of delivering it.
      expect(await queue.receive(Q, { max: 10, waitSeconds: 1 })).toEqual([]);
      expect(await queue.stats(Q)).toMatchObject({ depth: 0, inFlight: 0, deadLetterDepth: 1 });
      const [dead] = await collect(queue, DLQ, (g) => g.length > 0);
      expect(dead).toMatchObject({ id, body: 'poison' });
    });

    it('hides a message sent with delaySeconds until the delay ends', async () => {
      const [id] = await queue.send(Q, [{ body: 'later', delaySeconds: 1 }]);
      expect(await queue.receive(Q, { max: 10 })).toEqual([]);
      expect(await queue.stats(Q)).toMatchObject({ depth: 1, inFlight: 0 });
      const [m] = await collect(queue, Q, (g) => g.length > 0);
      expect(m).toMatchObject({ id, body: 'later', receiveCount: 1 });
    });

    it('reports depth, in-flight and dead-letter counts', async () => {
      expect(await queue.stats(Q)).toEqual({ depth: 0, inFlight: 0, oldestAgeSeconds: 0, deadLetterDepth: 0 });
      await queue.send(Q, [{ body: 'a' }, { body: 'b' }, { body: 'c' }]);
      expect(await queue.stats(Q)).toMatchObject({ depth: 3, inFlight: 0, deadLetterDepth: 0 });
      const got = await collect(queue, Q, (g) => g.length >= 2, { max: 2, visibilityTimeoutSeconds: 60 });
      expect(got).toHaveLength(2);
      expect(await queue.stats(Q)).toMatchObject({ depth: 1, inFlight: 2 });
      await queue.delete(Q, got[0]!.receiptHandle);
      const stats = await queue.stats(Q);
      expect(stats).toMatchObject({ depth: 1, inFlight: 1 });
      expect(stats.oldestAgeSeconds).toBeGreaterThanOrEqual(0);
    });

    it('rejects every operation on an undeclared queue with UnknownQueueError', async () => {
      await expect(queue.send('nope', [{ body: 'x' }])).rejects.toBeInstanceOf(UnknownQueueError);
      await expect(queue.receive('nope', { max: 1 })).rejects.toBeInstanceOf(UnknownQueueError);
      await expect(queue.stats('nope')).rejects.toBeInstanceOf(UnknownQueueError);
      await queue.send(Q, [{ body: 'real' }]);
      const [m] = await collect(queue, Q, (g) => g.length > 0);
      await expect(queue.delete('nope', m!.receiptHandle)).rejects.toBeInstanceOf(UnknownQueueError);
      await expect(queue.changeVisibility('nope', m!.receiptHandle, 0)).rejects.toBeInstanceOf(UnknownQueueError);
    });

    it('answers a long poll as soon as a message is sent, before the wait ends', async () => {
      const polling = queue.receive(Q, { max: 1, waitSeconds: 20 });
      await sleep(100); // the poll is waiting on an empty queue
      const [id] = await queue.send(Q, [{ body: 'wake up' }]);
      // Bound well inside the 20 s wait: answering at the end of the wait would lose this race.
      const winner = await Promise.race([polling, sleep(10_000).then(() => 'still waiting' as const)]);
      expect(winner).not.toBe('still waiting');
      expect(winner).toMatchObject([{ id, body: 'wake up' }]);
    });

    it('ends an empty long poll with no messages', async () => {
      expect(await queue.receive(Q, { max: 10, waitSeconds: 1 })).toEqual([]);
    });
  });
}
