import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { IdracError, IdracHttpError, type IdracTarget } from '../../../ports/idrac';
import { toIdracError } from '../errors';
import type { EndpointPools } from './endpoint-pools';
import type { Guard, ResilienceRegistry } from './resilience';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  headers?: Record<string, string>;
  /** A stream is sent once: such a request is never retried. */
  body?: string | Uint8Array | AsyncIterable<Uint8Array>;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface SendOptions extends Guard {
  /** A 5xx/429 the caller handles itself (e.g. a refused login), so it is neither retried nor counted. */
  accept?: (response: HttpResponse) => boolean;
  /** Message id and text from an error body, for the error message. */
  describe?: (text: string) => { messageId?: string; detail?: string };
  /** A pool apart from the endpoint's own (EndpointPools.get). */
  lane?: string;
}

/** Responses larger than this are refused: no iDRAC resource comes close, a runaway body would. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * HTTPS to one iDRAC port through its pool and its resilience policies. 5xx and 429 are thrown inside the
 * policies so retries and the breaker see them; everything else is returned for the protocol to read.
 */
export class HttpTransport {
  constructor(
    private readonly pools: EndpointPools,
    private readonly resilience: ResilienceRegistry,
  ) {}

  send(target: IdracTarget, port: number, request: HttpRequest, options: SendOptions): Promise<HttpResponse> {
    return this.resilience.for(target.address).run(options, async () => {
      await target.mayAct?.();
      return this.once(target, port, request, options);
    });
  }

  private async once(target: IdracTarget, port: number, request: HttpRequest, options: SendOptions): Promise<HttpResponse> {
    const { pool } = this.pools.get(target, port, options.lane);
    let response: HttpResponse;
    try {
      const res = await pool.request({
        path: request.path,
        method: request.method as Dispatcher.HttpMethod,
        headers: request.headers,
        body: typeof request.body === 'string' || request.body instanceof Uint8Array ? request.body : bodyStream(request.body),
      });
      const declared = Number(res.headers['content-length'] ?? 0);
      if (declared > MAX_BODY_BYTES) {
        res.body.destroy();
        throw new IdracError(
          'malformed_response',
          `iDRAC ${target.address} sent a ${declared}-byte answer to ${request.path}; refusing it`,
          target.address,
        );
      }
      response = { status: res.statusCode, headers: res.headers, text: await res.body.text() };
    } catch (error) {
      throw toIdracError(error, target.address, { phase: 'request', method: request.method, path: request.path });
    }
    if ((response.status >= 500 || response.status === 429) && !options.accept?.(response)) {
      const described = options.describe?.(response.text) ?? {};
      throw new IdracHttpError(target.address, response.status, request.method, request.path, described.messageId, described.detail);
    }
    return response;
  }
}

function bodyStream(body: AsyncIterable<Uint8Array> | undefined): Readable | undefined {
  return body === undefined ? undefined : Readable.from(body, { objectMode: false });
}
