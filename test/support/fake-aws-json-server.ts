import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The HTTP plumbing shared by the fake AWS services that speak an AWS JSON protocol (1.0 or 1.1): a server on
 * 127.0.0.1 with a free port, `POST /` with `x-amz-target: <prefix><Operation>` and a JSON object body, answered
 * with JSON or with an AWS-shaped error (HTTP 4xx/5xx and a `__type` naming the modelled error shape). Each
 * service's file keeps what is its own: operations, error shapes and codes, content type, extra headers.
 */

export type Json = Record<string, unknown>;

export type AwsJsonOperation = (input: Json) => Promise<Json>;

/** An error the fake answers as the service would: `__type` names `shape`, with this HTTP status. */
export class AwsJsonFault extends Error {
  constructor(
    readonly shape: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export type AwsJsonServerOptions = {
  /** What precedes the operation name in `x-amz-target`, e.g. 'AmazonSQS.'. */
  targetPrefix: string;
  /** Content type of every answer, e.g. 'application/x-amz-json-1.0'. */
  contentType: string;
  /** Refuse a request not sent with `contentType` (any request that is not a POST is refused). */
  requireContentType: boolean;
  operations: Record<string, AwsJsonOperation>;
  /** The service's error for a request it does not serve; `message` says why. */
  unsupported(message: string, target: string): AwsJsonFault;
  /** The service's error for anything other than an AwsJsonFault thrown while serving a request. */
  toFault(err: unknown): AwsJsonFault;
  /** `__type` is this prefix and the shape, e.g. 'com.amazonaws.sqs#QueueDoesNotExist'; '' sends the bare shape. */
  errorTypePrefix: string;
  /** Name of the message field in error bodies. */
  errorMessageField: 'message' | 'Message';
  /** Extra headers on an error answer, e.g. SQS's `x-amzn-query-error`. */
  errorHeaders?(fault: AwsJsonFault): Record<string, string>;
};

export type AwsJsonServer = {
  /** `http://127.0.0.1:<port>`, for the SDK client's `endpoint`. */
  endpoint: string;
  /** Operations served, in arrival order. */
  calls: string[];
  /** Stops the server, cutting open connections (so a pending long poll does not hold it up). */
  close(): Promise<void>;
};

export async function startAwsJsonServer(options: AwsJsonServerOptions): Promise<AwsJsonServer> {
  const { contentType } = options;
  const calls: string[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const text = await readBody(req);
      const target = String(req.headers['x-amz-target'] ?? '');
      const op = target.startsWith(options.targetPrefix) ? target.slice(options.targetPrefix.length) : '';
      const sentType = String(req.headers['content-type'] ?? '');
      if (req.method !== 'POST' || (options.requireContentType && !sentType.startsWith(contentType))) {
        throw options.unsupported(`Expected POST with ${contentType}`, target);
      }
      const impl = options.operations[op];
      if (!impl) throw options.unsupported(`Operation '${target}' is not supported by the fake`, target);
      const input = parseJsonObject(text);
      calls.push(op);
      reply(res, contentType, 200, await impl(input));
    } catch (err) {
      const fault = err instanceof AwsJsonFault ? err : options.toFault(err);
      const body = { __type: `${options.errorTypePrefix}${fault.shape}`, [options.errorMessageField]: fault.message };
      reply(res, contentType, fault.status, body, options.errorHeaders?.(fault));
    }
  };

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    async close() {
      const closed = new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
      server.closeAllConnections();
      await closed;
    },
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The SDK always sends a JSON object (`{}` at least); AWS refuses anything else with a SerializationException. */
function parseJsonObject(text: string): Json {
  try {
    const parsed: unknown = text ? JSON.parse(text) : {};
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error();
    return parsed as Json;
  } catch {
    throw new AwsJsonFault('SerializationException', 'Request body is not a JSON object');
  }
}

function reply(res: ServerResponse, contentType: string, status: number, body: Json, headers: Record<string, string> = {}): void {
  const data = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(data),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  res.end(data);
}
