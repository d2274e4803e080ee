import { createServer, type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import type { FunctionName } from '../../shared/catalog/functions';
import { correlationIdFrom } from '../../shared/http/middleware/correlation-id';
import { logger } from '../../shared/observability/logger';
import { matchRoute, toApiGatewayEvent } from './api-gateway-event';
import type { VerifyResult } from './jwt';

/** API Gateway's own payload limit; the handlers enforce EIO's smaller limit with a clear 413. */
const GATEWAY_MAX_BODY = 10 * 1024 * 1024;

export type LocalApiOptions = {
  invoke: (fn: FunctionName, event: unknown) => Promise<unknown>;
  verify: (authorization: string | undefined) => Promise<VerifyResult>;
  /** A client gets this long to send its request line and headers (default 10 s)… */
  headersTimeoutMs?: number;
  /** …and this long for the whole request, body included (default 30 s); then its connection is cut. */
  requestTimeoutMs?: number;
};

/**
 * The local stand-in for API Gateway: matches the route table, verifies the JWT like the JWT authorizer,
 * builds the same payload-2.0 event and calls the same handler the Lambda runs.
 */
export function createLocalApiServer(opts: LocalApiOptions): Server {
  // Slow clients (a header a minute, a trickled body) must not hold connections and memory for long.
  const requestTimeout = opts.requestTimeoutMs ?? 30_000;
  const headersTimeout = Math.min(opts.headersTimeoutMs ?? 10_000, requestTimeout);
  // Node looks at the timeouts only this often (30 s by default).
  const connectionsCheckingInterval = Math.max(50, Math.min(1_000, headersTimeout / 2));
  const server = createServer({ requestTimeout, headersTimeout, connectionsCheckingInterval }, (req, res) => {
    handle(req, res, opts).catch((err: unknown) => {
      // A client that went away mid-request (it aborted, its connection reset) is no failure of EIO's.
      if ((err as NodeJS.ErrnoException).code === 'ECONNRESET' || req.destroyed) {
        logger.info('Client closed the connection before its answer', { method: req.method, path: req.url?.split('?')[0] });
        res.destroy();
        return;
      }
      logger.error('Local API server failed', { error: err as Error });
      if (!res.headersSent) sendError(res, 500, 'internal_error', 'Internal error', correlationOf(req));
      else res.destroy();
    });
  });
  server.on('clientError', answerClientError);
  return server;
}

/**
 * A request Node's parser refused never reaches `handle`: answer it in the error shape too (Node would send
 * a bare 431 or 400). A client that went away gets nothing, and is no error of EIO's.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, code, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'request_too_large', 'The request line and headers (the URL included) exceed the 16 KiB the server reads']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request_timeout', 'The request took too long to arrive; the connection is closed']
        : [400, 'bad_request', 'The request is not valid HTTP'];
  const correlationId = correlationIdFrom(undefined);
  const body = JSON.stringify({ error: { code, message, correlation_id: correlationId } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\n` +
      `x-correlation-id: ${correlationId}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

const correlationOf = (req: IncomingMessage): string => {
  const given = req.headers['x-correlation-id'];
  return correlationIdFrom(typeof given === 'string' ? given : undefined);
};

function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  correlationId: string,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-correlation-id': correlationId, ...headers });
  res.end(JSON.stringify({ error: { code, message, correlation_id: correlationId } }));
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > GATEWAY_MAX_BODY) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function handle(req: IncomingMessage, res: ServerResponse, opts: LocalApiOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = (req.method ?? 'GET').toUpperCase();
  const match = matchRoute(method, url.pathname);
  if (match.kind === 'none') {
    req.resume();
    return sendError(res, 404, 'not_found', `No route for ${method} ${url.pathname}`, correlationOf(req));
  }
  if (match.kind === 'bad_encoding') {
    req.resume();
    return sendError(res, 400, 'validation_error', `path.${match.parameter} is not valid percent-encoded UTF-8`, correlationOf(req));
  }
  if (match.kind === 'method_not_allowed') {
    req.resume();
    return sendError(
      res,
      405,
      'method_not_allowed',
      `${method} is not allowed on ${url.pathname}; use ${match.allowed.join(', ')}`,
      correlationOf(req),
      {
        allow: match.allowed.join(', '),
      },
    );
  }
  let claims: Record<string, unknown> | undefined;
  const authorization = req.headers.authorization;
  if (match.route.role !== 'none' || authorization) {
    const verdict = await opts.verify(authorization);
    if (verdict.ok) claims = verdict.claims as Record<string, unknown>;
    else if (match.route.role !== 'none') {
      req.resume();
      return sendError(res, 401, 'unauthorized', verdict.reason, correlationOf(req), { 'www-authenticate': 'Bearer' });
    }
  }
  const body = await readBody(req);
  if (!body) return sendError(res, 413, 'payload_too_large', `Request body exceeds ${GATEWAY_MAX_BODY} bytes`, correlationOf(req));
  const event = toApiGatewayEvent(req, url, body, match, claims);
  const result = (await opts.invoke(match.route.function, event)) as APIGatewayProxyResultV2;
  writeResult(res, result);
}

/** Same rules as API Gateway for payload 2.0 responses, including the bare-object shortcut. */
function writeResult(res: ServerResponse, result: APIGatewayProxyResultV2): void {
  if (typeof result === 'object' && result !== null && 'statusCode' in result) {
    const body = result.body ? Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8') : undefined;
    res.writeHead(result.statusCode ?? 200, { ...(result.headers as Record<string, string>) });
    res.end(body);
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(typeof result === 'string' ? result : JSON.stringify(result));
}
