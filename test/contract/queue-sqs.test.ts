import { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqsBatchSendError, SqsQueue } from '../../shared/adapters/queue/sqs-queue';
import { UnknownQueueError } from '../../shared/ports/queue';
import { type FakeSqsServer, startFakeSqsServer } from '../support/fake-sqs-server';
import { CONTRACT_QUEUES, queueContract } from './queue.contract';

// The real SDK client, as a container would create it, pointed at the fake SQS endpoint.
const clientFor = (server: FakeSqsServer) =>
  new SQSClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });

queueContract('SqsQueue over the real SDK client against the fake SQS server', async () => {
  const server = await startFakeSqsServer(CONTRACT_QUEUES);
  const client = clientFor(server);
  return {
    queue: new SqsQueue(client, { queueUrls: server.queueUrls }),
    async close() {
      client.destroy();
      await server.close();
    },
  };
});

describe('SqsQueue specifics', () => {
  let server: FakeSqsServer;
  let client: SQSClient;
  beforeEach(async () => {
    server = await startFakeSqsServer([{ name: 'jobs', visibilityTimeoutSeconds: 30, maxReceiveCount: 3 }]);
    client = clientFor(server);
  });
  afterEach(async () => {
    client.destroy();
    await server.close();
  });

  it('uses SendMessageBatch, ReceiveMessage, DeleteMessage and GetQueueAttributes on the wire', async () => {
    const queue = new SqsQueue(client, { queueUrls: server.queueUrls });
    await queue.send('jobs', [{ body: 'a' }]);
    const [m] = await queue.receive('jobs', { max: 1 });
    await queue.delete('jobs', m!.receiptHandle);
    await queue.stats('jobs');
    expect(server.calls).toEqual([
      'SendMessageBatch',
      'ReceiveMessage',
      'DeleteMessage',
      'GetQueueAttributes',
      'GetQueueAttributes', // the dead-letter queue
    ]);
  });

  it('throws with the codes of the entries SQS rejected, keeping the ids it accepted', async () => {
    const queue = new SqsQueue(client, { queueUrls: server.queueUrls });
    const err = await queue.send('jobs', [{ body: 'fine' }, { body: 'bad delay', delaySeconds: 901 }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SqsBatchSendError);
    const e = err as SqsBatchSendError;
    expect(e.failed).toMatchObject([{ index: 1, code: 'InvalidParameterValue', senderFault: true }]);
    expect(e.message).toContain('InvalidParameterValue');
    expect(e.sentIds[0]).toEqual(expect.any(String));
    expect(e.sentIds[1]).toBeUndefined();
  });

  it('maps a configured URL of a queue that does not exist to UnknownQueueError', async () => {
    const queue = new SqsQueue(client, { queueUrls: { ghost: server.urlOf('ghost') } });
    await expect(queue.send('ghost', [{ body: 'x' }])).rejects.toBeInstanceOf(UnknownQueueError);
    await expect(queue.receive('ghost', { max: 1 })).rejects.toBeInstanceOf(UnknownQueueError);
  });

  it('surfaces SQS errors other than a missing queue as the SDK reports them', async () => {
    const queue = new SqsQueue(client, { queueUrls: server.queueUrls });
    await expect(queue.delete('jobs', 'garbage')).rejects.toMatchObject({ name: 'ReceiptHandleIsInvalid' });
  });

  it('reports no dead-letter depth when no dead-letter URL is configured', async () => {
    const queue = new SqsQueue(client, { queueUrls: { jobs: server.urlOf('jobs') } });
    await queue.send('jobs', [{ body: 'x' }]);
    expect(await queue.stats('jobs')).toEqual({ depth: 1, inFlight: 0, oldestAgeSeconds: 0, deadLetterDepth: 0 });
  });

  it('takes the oldest age from a provider when one is given (CloudWatch in AWS)', async () => {
    const asked: string[] = [];
    const queue = new SqsQueue(client, {
      queueUrls: server.queueUrls,
      oldestAgeSeconds: async (name, url) => {
        asked.push(`${name} ${url}`);
        return 42;
      },
    });
    expect((await queue.stats('jobs')).oldestAgeSeconds).toBe(42);
    expect(asked).toEqual([`jobs ${server.urlOf('jobs')}`]);
  });
});
