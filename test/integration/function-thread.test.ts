import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FunctionThread } from '../../infra/local/function-thread';
import type { OutgoingMessage } from '../../shared/ports/queue';
import { type Harness, startHarness } from '../support/harness';

/**
 * The discovery function in a container thread of its own: its store is the stack's DynamoDB, and the
 * queue it sends to is the main thread's, reached through the thread's port (calls and errors both ways).
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  const site = { id: 'site-thread', name: 'thread', management_networks: ['127.44.0.0/30'] };
  expect((await h.call('POST', '/api/v1/sites', { role: 'admin', body: site })).status).toBe(201);
});
afterAll(() => h?.close());

const scheduled = (id: string): SQSEvent => ({
  Records: [
    {
      messageId: id,
      receiptHandle: id,
      body: JSON.stringify({ task: 'discover_all' }),
      attributes: { ApproximateReceiveCount: '1' },
    } as never,
  ],
});

describe('function container thread', () => {
  it('reaches the main thread adapters through its port, and their errors come back', async () => {
    const sent: { queue: string; messages: OutgoingMessage[] }[] = [];
    let refuse = true;
    const queue = {
      async send(name: string, messages: OutgoingMessage[]) {
        if (refuse) throw Object.assign(new Error(`queue ${name} is not declared`), { name: 'UnknownQueueError' });
        sent.push({ queue: name, messages });
        return messages.map((_, i) => `m-${i}`);
      },
    };
    const thread = new FunctionThread('worker-discovery', { queue, secrets: {}, workflows: {}, workerPools: {} });
    try {
      // The scheduled sweep plans a run (store, in the thread) and sends its addresses (queue, in the main thread).
      // The queue's refusal reaches the handler, which fails its only record: Powertools then fails the batch,
      // and that error crosses back by name.
      await expect(thread.invoke('worker-discovery', scheduled('msg-1'))).rejects.toMatchObject({ name: 'FullBatchFailureError' });
      expect(sent).toEqual([]);

      refuse = false;
      const ok = (await thread.invoke('worker-discovery', scheduled('msg-2'))) as SQSBatchResponse;
      expect(ok.batchItemFailures).toEqual([]);
      expect(sent).toHaveLength(1);
      expect(sent[0]!.queue).toBe('discovery');
      // Neither address has an endpoint yet: one knock slice holds both.
      expect(sent[0]!.messages.map((m) => JSON.parse(m.body).addresses)).toEqual([['127.44.0.1', '127.44.0.2']]);

      // The run the thread wrote is the stack's: the API sees it.
      const runs = await h.call('GET', '/api/v1/dell/discovery-runs', { role: 'viewer' });
      expect(runs.body.items.map((r: { site_ids: string[]; total: number }) => [r.site_ids, r.total])).toContainEqual([['site-thread'], 2]);

      await expect(thread.invoke('worker-vcenter-sync', scheduled('msg-3'))).rejects.toThrow(/hosts worker-discovery/);
    } finally {
      await thread.close();
    }
    await expect(thread.invoke('worker-discovery', scheduled('msg-4'))).rejects.toThrow(/stopped/);
  });
});
