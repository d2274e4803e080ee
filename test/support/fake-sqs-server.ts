import { createHash } from 'node:crypto';
import { LocalQueue, type LocalQueueDeclaration, LocalQueueError } from '../../shared/adapters/queue/local-queue';
import { UnknownQueueError } from '../../shared/ports/queue';
import { AwsJsonFault, type Json, startAwsJsonServer } from './fake-aws-json-server';

/**
 * A tiny SQS endpoint on 127.0.0.1 for tests: the real @aws-sdk/client-sqs (v3.1169, AWS JSON 1.0 with
 * query compatibility: `x-amz-target: AmazonSQS.<Operation>`, `content-type: application/x-amz-json-1.0`,
 * `x-amzn-query-mode: true`) talks to it, backed by a LocalQueue. Only the operations SqsQueue uses exist.
 * Errors come back as SQS sends them: HTTP 4xx, `__type` of the modelled shape and `x-amzn-query-error`.
 */
export type FakeSqsServer = {
  endpoint: string;
  /** Queue name to URL for every declared queue, dead-letter queues included (the shape of QUEUE_URLS). */
  queueUrls: Record<string, string>;
  urlOf(name: string): string;
  local: LocalQueue;
  /** Operations received, in order, e.g. ['SendMessageBatch', 'ReceiveMessage']. */
  calls: string[];
  close(): Promise<void>;
};

const ACCOUNT = '000000000000';
const CONTENT_TYPE = 'application/x-amz-json-1.0';

class SqsFault extends AwsJsonFault {
  constructor(
    shape: string,
    readonly queryCode: string,
    status: number,
    message: string,
  ) {
    super(shape, message, status);
  }
}

// LocalQueue speaks SQS error codes already; these are their wire forms (shape, query-compatible code, status).
const FAULTS: Record<string, [string, string, number]> = {
  EmptyBatchRequest: ['EmptyBatchRequest', 'AWS.SimpleQueueService.EmptyBatchRequest', 400],
  TooManyEntriesInBatchRequest: ['TooManyEntriesInBatchRequest', 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest', 400],
  BatchEntryIdsNotDistinct: ['BatchEntryIdsNotDistinct', 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct', 400],
  BatchRequestTooLong: ['BatchRequestTooLong', 'AWS.SimpleQueueService.BatchRequestTooLong', 400],
  InvalidParameterValue: ['InvalidParameterValue', 'InvalidParameterValue', 400],
  ReceiptHandleIsInvalid: ['ReceiptHandleIsInvalid', 'ReceiptHandleIsInvalid', 404],
  MessageNotInflight: ['MessageNotInflight', 'AWS.SimpleQueueService.MessageNotInflight', 400],
};

const fault = (code: string, message: string): SqsFault => {
  const [shape, queryCode, status] = FAULTS[code] ?? [code, code, 400];
  return new SqsFault(shape, queryCode, status, message);
};

const unsupported = (message: string): SqsFault =>
  new SqsFault('UnsupportedOperation', 'AWS.SimpleQueueService.UnsupportedOperation', 400, message);

const md5 = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex');

export async function startFakeSqsServer(queues: LocalQueueDeclaration[]): Promise<FakeSqsServer> {
  const local = new LocalQueue({ queues });
  let base = '';
  const urlOf = (name: string) => `${base}/${ACCOUNT}/${name}`;

  const queueName = (input: Json): string => {
    const url = input.QueueUrl;
    if (typeof url !== 'string') throw fault('InvalidParameterValue', 'QueueUrl is required');
    const name = new URL(url).pathname.split('/').pop() ?? '';
    if (!local.queueNames().includes(name)) {
      throw new SqsFault('QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 400, 'The specified queue does not exist.');
    }
    return name;
  };

  const operations: Record<string, (input: Json) => Promise<Json>> = {
    async SendMessageBatch(input) {
      const queue = queueName(input);
      const entries = (input.Entries as Json[] | undefined) ?? [];
      if (entries.length === 0) throw fault('EmptyBatchRequest', 'There should be at least one entry.');
      if (entries.length > 10) {
        throw fault('TooManyEntriesInBatchRequest', `At most 10 entries per request; got ${entries.length}.`);
      }
      if (new Set(entries.map((e) => e.Id)).size !== entries.length) {
        throw fault('BatchEntryIdsNotDistinct', 'Two or more batch entries in the request have the same Id.');
      }
      const Successful: Json[] = [];
      const Failed: Json[] = [];
      // Entry by entry, so one bad entry fails alone, as in SQS.
      for (const e of entries) {
        const attributes: Record<string, string> = {};
        for (const [k, v] of Object.entries((e.MessageAttributes as Record<string, Json>) ?? {})) {
          attributes[k] = String(v.StringValue ?? '');
        }
        const body = String(e.MessageBody ?? '');
        try {
          const [id] = await local.send(queue, [{ body, attributes, delaySeconds: e.DelaySeconds as number | undefined }]);
          Successful.push({ Id: e.Id, MessageId: id, MD5OfMessageBody: md5(body) });
        } catch (err) {
          if (!(err instanceof LocalQueueError)) throw err;
          Failed.push({ Id: e.Id, Code: err.code, Message: err.message, SenderFault: true });
        }
      }
      return { Successful, Failed };
    },

    async ReceiveMessage(input) {
      const queue = queueName(input);
      const wanted = new Set([
        ...((input.MessageSystemAttributeNames as string[] | undefined) ?? []),
        ...((input.AttributeNames as string[] | undefined) ?? []),
      ]);
      const wantAttrs = ((input.MessageAttributeNames as string[] | undefined) ?? []).length > 0;
      const messages = await local.receive(queue, {
        max: (input.MaxNumberOfMessages as number | undefined) ?? 1,
        visibilityTimeoutSeconds: input.VisibilityTimeout as number | undefined,
        waitSeconds: input.WaitTimeSeconds as number | undefined,
      });
      const system = (m: (typeof messages)[number]): Record<string, string> => {
        const all: Record<string, string> = {
          ApproximateReceiveCount: String(m.receiveCount),
          SentTimestamp: String(m.sentAt),
        };
        if (wanted.has('All')) return all;
        return Object.fromEntries(Object.entries(all).filter(([k]) => wanted.has(k)));
      };
      return {
        Messages: messages.map((m) => ({
          MessageId: m.id,
          ReceiptHandle: m.receiptHandle,
          MD5OfBody: md5(m.body),
          Body: m.body,
          Attributes: system(m),
          ...(wantAttrs && Object.keys(m.attributes).length > 0
            ? {
                MessageAttributes: Object.fromEntries(
                  Object.entries(m.attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
                ),
              }
            : {}),
        })),
      };
    },

    async DeleteMessage(input) {
      await local.delete(queueName(input), String(input.ReceiptHandle ?? ''));
      return {};
    },

    async ChangeMessageVisibility(input) {
      await local.changeVisibility(queueName(input), String(input.ReceiptHandle ?? ''), Number(input.VisibilityTimeout));
      return {};
    },

    async GetQueueAttributes(input) {
      const c = local.counts(queueName(input));
      const all: Record<string, string> = {
        ApproximateNumberOfMessages: String(c.visible),
        ApproximateNumberOfMessagesDelayed: String(c.delayed),
        ApproximateNumberOfMessagesNotVisible: String(c.inFlight),
      };
      const names = (input.AttributeNames as string[] | undefined) ?? [];
      return {
        Attributes: names.includes('All') ? all : Object.fromEntries(Object.entries(all).filter(([k]) => names.includes(k))),
      };
    },
  };

  const server = await startAwsJsonServer({
    targetPrefix: 'AmazonSQS.',
    contentType: CONTENT_TYPE,
    requireContentType: true,
    operations,
    unsupported,
    toFault: (err) =>
      err instanceof LocalQueueError
        ? fault(err.code, err.message)
        : err instanceof UnknownQueueError
          ? new SqsFault('QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 400, err.message)
          : new SqsFault('InternalError', 'InternalError', 500, (err as Error).message),
    errorTypePrefix: 'com.amazonaws.sqs#',
    errorMessageField: 'message',
    errorHeaders: (f) => ({
      'x-amzn-query-error': `${f instanceof SqsFault ? f.queryCode : f.shape};${f.status >= 500 ? 'Receiver' : 'Sender'}`,
    }),
  });
  base = server.endpoint;

  return {
    endpoint: base,
    queueUrls: Object.fromEntries(local.queueNames().map((n) => [n, urlOf(n)])),
    urlOf,
    local,
    calls: server.calls,
    async close() {
      // Closing the queue first ends pending long polls, so their requests complete before the server stops.
      await local.close();
      await new Promise((resolve) => setImmediate(resolve));
      await server.close();
    },
  };
}
