/**
 * Queue over Amazon SQS. The client is created once per container by the caller and passed in; queue names
 * resolve to URLs through `config().queueUrls` (a queue's dead-letter queue under `<name>-dlq`).
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  type QueueAttributeName,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { type OutgoingMessage, type Queue, type QueueStats, type ReceivedMessage, UnknownQueueError } from '../../ports/queue';

export type SqsQueueOptions = {
  /** Queue name to URL, dead-letter queues under `<name>-dlq`. */
  queueUrls: Record<string, string>;
  /**
   * Age of the oldest message. SQS has no API attribute for it: the only source is the CloudWatch metric
   * ApproximateAgeOfOldestMessage (1-minute granularity). Peeking is not an option either: receiving a
   * message to read its SentTimestamp bumps its receive count and pushes it towards the dead-letter queue.
   * Without a provider (CloudWatch client not a dependency yet) stats report 0.
   */
  oldestAgeSeconds?: (queue: string, queueUrl: string) => Promise<number>;
};

export class SqsBatchSendError extends Error {
  constructor(
    readonly queue: string,
    /** One entry per rejected message, by its index in the batch. */
    readonly failed: { index: number; code: string; message?: string; senderFault: boolean }[],
    /** Ids of the messages SQS accepted, by index (undefined where rejected): the batch is not atomic. */
    readonly sentIds: (string | undefined)[],
  ) {
    super(
      `SQS rejected ${failed.length} of ${sentIds.length} messages sent to '${queue}': ` +
        failed.map((f) => `#${f.index} ${f.code}${f.message ? ` (${f.message})` : ''}`).join(', '),
    );
    this.name = 'SqsBatchSendError';
  }
}

const DEPTH_ATTRIBUTES: QueueAttributeName[] = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesDelayed',
  'ApproximateNumberOfMessagesNotVisible',
];

export class SqsQueue implements Queue {
  constructor(
    private readonly client: SQSClient,
    private readonly options: SqsQueueOptions,
  ) {}

  async send(queue: string, messages: OutgoingMessage[]): Promise<string[]> {
    const url = this.url(queue);
    // SQS rejects an empty batch; sending nothing is not an error for callers.
    if (messages.length === 0) return [];
    const out = await this.call(queue, () =>
      this.client.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: messages.map((m, i) => ({
            Id: String(i),
            MessageBody: m.body,
            DelaySeconds: m.delaySeconds,
            MessageAttributes: m.attributes
              ? Object.fromEntries(Object.entries(m.attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]))
              : undefined,
          })),
        }),
      ),
    );
    const ids: (string | undefined)[] = messages.map(() => undefined);
    for (const s of out.Successful ?? []) ids[Number(s.Id)] = s.MessageId;
    const failed = (out.Failed ?? []).map((f) => ({
      index: Number(f.Id),
      code: f.Code ?? 'Unknown',
      message: f.Message,
      senderFault: f.SenderFault ?? false,
    }));
    if (failed.length > 0 || ids.some((id) => id === undefined)) throw new SqsBatchSendError(queue, failed, ids);
    return ids as string[];
  }

  async receive(queue: string, opts: { max: number; visibilityTimeoutSeconds?: number; waitSeconds?: number }): Promise<ReceivedMessage[]> {
    const url = this.url(queue);
    const out = await this.call(queue, () =>
      this.client.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: opts.max,
          VisibilityTimeout: opts.visibilityTimeoutSeconds,
          WaitTimeSeconds: opts.waitSeconds,
          MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
          MessageAttributeNames: ['All'],
        }),
      ),
    );
    return (out.Messages ?? []).map(toReceived);
  }

  async delete(queue: string, receiptHandle: string): Promise<void> {
    const url = this.url(queue);
    await this.call(queue, () => this.client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: receiptHandle })));
  }

  async changeVisibility(queue: string, receiptHandle: string, visibilityTimeoutSeconds: number): Promise<void> {
    const url = this.url(queue);
    await this.call(queue, () =>
      this.client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: visibilityTimeoutSeconds,
        }),
      ),
    );
  }

  async stats(queue: string): Promise<QueueStats> {
    const url = this.url(queue);
    const dlqName = `${queue}-dlq`;
    const dlqUrl = this.options.queueUrls[dlqName];
    const [main, dlq, oldest] = await Promise.all([
      this.attributes(queue, url),
      // A queue without a configured dead-letter queue has nothing dead-lettered to report.
      dlqUrl ? this.attributes(dlqName, dlqUrl) : undefined,
      this.options.oldestAgeSeconds?.(queue, url) ?? 0,
    ]);
    return {
      depth: num(main.ApproximateNumberOfMessages) + num(main.ApproximateNumberOfMessagesDelayed),
      inFlight: num(main.ApproximateNumberOfMessagesNotVisible),
      oldestAgeSeconds: oldest,
      // Everything parked in the DLQ, including messages an operator is inspecting (received, not visible).
      deadLetterDepth: dlq
        ? num(dlq.ApproximateNumberOfMessages) +
          num(dlq.ApproximateNumberOfMessagesDelayed) +
          num(dlq.ApproximateNumberOfMessagesNotVisible)
        : 0,
    };
  }

  private async attributes(queue: string, url: string): Promise<Record<string, string>> {
    const out = await this.call(queue, () =>
      this.client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: DEPTH_ATTRIBUTES })),
    );
    return out.Attributes ?? {};
  }

  private url(queue: string): string {
    const url = this.options.queueUrls[queue];
    if (!url) throw new UnknownQueueError(queue);
    return url;
  }

  /** Maps SQS's "no such queue" (a URL in config that does not exist) to the port's error. */
  private async call<T>(queue: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const name = (err as { name?: string }).name;
      if (name === 'QueueDoesNotExist' || name === 'AWS.SimpleQueueService.NonExistentQueue') {
        throw new UnknownQueueError(queue);
      }
      throw err;
    }
  }
}

function toReceived(m: Message): ReceivedMessage {
  const attributes: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.MessageAttributes ?? {})) {
    // The port carries strings only; Binary attributes are not produced by EIO.
    if (v.StringValue !== undefined) attributes[k] = v.StringValue;
  }
  return {
    id: m.MessageId ?? '',
    body: m.Body ?? '',
    receiptHandle: m.ReceiptHandle ?? '',
    receiveCount: num(m.Attributes?.ApproximateReceiveCount),
    sentAt: num(m.Attributes?.SentTimestamp),
    attributes,
  };
}

const num = (v: string | undefined): number => (v === undefined ? 0 : Number(v));
