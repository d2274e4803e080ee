/**
 * Each API middleware alone, in a middy chain of its own (in its own log context, as apiHandler runs it),
 * so a failure names the one concern that broke. test/unit/api-handler.test.ts checks the whole chain.
 */
import middy, { type MiddlewareObj } from '@middy/core';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../shared/domain/errors';
import { accessLog } from '../../shared/http/middleware/access-log';
import { correlationId } from '../../shared/http/middleware/correlation-id';
import { httpErrors } from '../../shared/http/middleware/http-errors';
import { jsonBody } from '../../shared/http/middleware/json-body';
import { routeAuthorization } from '../../shared/http/middleware/route-authorization';
import type { ApiContext, ApiEvent } from '../../shared/http/request';
import { type ApiResult, json } from '../../shared/http/respond';
import { runWithContext } from '../../shared/observability/context';
import { logger } from '../../shared/observability/logger';
import { ConditionFailedError } from '../../shared/ports/store';
import { logLinesOfEachTest } from './log-lines';

vi.hoisted(() => {
  process.env.LOG_LEVEL = 'INFO';
});

/** The JSON body of a response. */
const bodyOf = (res: ApiResult) => JSON.parse(res.body ?? 'null');

type EventOptions = { claims?: Record<string, unknown>; headers?: Record<string, string>; body?: string; base64?: boolean };

const event = (routeKey: string, o: EventOptions = {}): ApiEvent =>
  ({
    routeKey,
    headers: o.headers ?? {},
    body: o.body,
    isBase64Encoded: o.base64 ?? false,
    requestContext: o.claims ? { authorizer: { jwt: { claims: { exp: inAnHour(), ...o.claims }, scopes: [] } } } : {},
  }) as unknown as ApiEvent;

/** As API Gateway passes claims: strings. */
const inAnHour = () => String(Math.floor(Date.now() / 1000) + 3600);

/** The middlewares under test around `route`, the chain run in a log context of its own. */
function chain(
  middlewares: MiddlewareObj<ApiEvent, ApiResult, Error, ApiContext>[],
  route: (e: ApiEvent, c: ApiContext) => Promise<ApiResult> = async () => json(200, {}),
) {
  const handler = middy<ApiEvent, ApiResult, Error, ApiContext>().use(middlewares).handler(route);
  return (e: ApiEvent) => runWithContext({}, () => handler(e, {} as ApiContext));
}

const logs = logLinesOfEachTest();

describe('correlationId', () => {
  it('takes a sane caller id: on the context, on every log line and echoed on the response', async () => {
    const run = chain([correlationId()], async (_e, c) => {
      logger.info('inside the route');
      return json(200, { seen: c.correlationId });
    });
    const res = await run(event('GET /api/v1/sites', { headers: { 'x-correlation-id': 'ticket-4711' } }));
    expect(res.headers['x-correlation-id']).toBe('ticket-4711');
    expect(bodyOf(res)).toEqual({ seen: 'ticket-4711' });
    expect(logs.lines.find((l) => l.message === 'inside the route')).toMatchObject({ correlation_id: 'ticket-4711' });
  });

  it('makes a new one when none is given or the given one is not sane', async () => {
    const run = chain([correlationId()]);
    for (const given of [undefined, 'has spaces', 'x'.repeat(129), 'semi;colon']) {
      const res = await run(event('GET /api/v1/sites', { headers: given ? { 'x-correlation-id': given } : {} }));
      expect(res.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('echoes it on an error response too, made by a middleware inside it', async () => {
    const run = chain([correlationId(), httpErrors()], async () => {
      throw new NotFoundError('site', 'site-nope');
    });
    const res = await run(event('GET /api/v1/sites/{id}', { headers: { 'x-correlation-id': 'c-1' } }));
    expect(res.statusCode).toBe(404);
    expect(res.headers['x-correlation-id']).toBe('c-1');
    expect(bodyOf(res).error.correlation_id).toBe('c-1');
  });
});

describe('routeAuthorization', () => {
  const principalOf = chain([routeAuthorization()], async (_e, c) => json(200, { principal: c.principal ?? null }));
  const principal = async (e: ApiEvent) => bodyOf(await principalOf(e)).principal;

  it('refuses a route that is not in the table (404)', async () => {
    await expect(principalOf(event('GET /api/v1/nothing'))).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses a route that needs a role when there are no claims at all (deployed without the authorizer)', async () => {
    await expect(principalOf(event('GET /api/v1/sites'))).rejects.toThrow(new UnauthorizedError('A bearer token is required'));
  });

  it('refuses a token without an EIO role, naming the claim and the role needed', async () => {
    const err = await principalOf(event('GET /api/v1/sites', { claims: { sub: 'bob' } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForbiddenError);
    expect((err as Error).message).toBe("The token carries no EIO role (claim 'eio_role'); 'viewer' is needed");
  });

  it('refuses a weaker role, naming the least role of the route', async () => {
    const operator = { sub: 'olga', eio_role: 'operator' };
    const err = await principalOf(event('DELETE /api/v1/sites/{id}', { claims: operator })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForbiddenError);
    expect((err as Error).message).toBe("Role 'operator' may not delete a site; 'admin' or higher is needed");
  });

  it('puts the caller on the context and its subject on the log lines as actor', async () => {
    const run = chain([routeAuthorization()], async (_e, c) => {
      logger.info('inside the route');
      return json(200, { principal: c.principal });
    });
    const res = await run(event('POST /api/v1/sites', { claims: { sub: 'olga', eio_role: 'admin' } }));
    expect(bodyOf(res).principal).toEqual({ subject: 'olga', role: 'admin' });
    expect(logs.lines.find((l) => l.message === 'inside the route')).toMatchObject({ actor: 'olga' });
  });

  it('refuses a token that names no subject, has no expiry, or lives longer than the configured maximum', async () => {
    const refusal = (claims: Record<string, unknown>) =>
      principalOf(event('GET /api/v1/sites', { claims: { eio_role: 'viewer', ...claims } })).catch((e: unknown) => e);
    for (const sub of [undefined, '', '   ']) {
      const err = await refusal({ sub });
      expect(err).toBeInstanceOf(UnauthorizedError);
      expect((err as Error).message).toBe('The token names no subject (sub): EIO records who did each action');
    }
    expect(await refusal({ sub: 'bob', exp: undefined })).toEqual(new UnauthorizedError('The token has no expiry (exp)'));
    const now = Math.floor(Date.now() / 1000);
    const year = await refusal({ sub: 'bob', iat: String(now), exp: String(now + 365 * 24 * 3600) });
    expect((year as Error).message).toBe('The token is valid for 8760.0 h; EIO accepts tokens valid for at most 24 h');
    // Without iat, what is left of it counts.
    expect(await refusal({ sub: 'bob', exp: String(now + 25 * 3600) })).toBeInstanceOf(UnauthorizedError);
    expect(await principal(event('GET /api/v1/sites', { claims: { sub: ' bob ', eio_role: 'viewer', iat: String(now - 3600) } }))).toEqual({
      subject: 'bob',
      role: 'viewer',
    });
  });

  it('lets anyone call a route that needs no token, with a principal only when a token with a role came along', async () => {
    expect(await principal(event('GET /api/v1/health'))).toBeNull();
    expect(await principal(event('GET /api/v1/health', { claims: { sub: 'vera', eio_role: 'viewer' } }))).toEqual({
      subject: 'vera',
      role: 'viewer',
    });
    expect(await principal(event('GET /api/v1/health', { claims: { eio_role: 'viewer' } }))).toBeNull();
  });
});

describe('jsonBody', () => {
  const decoded = chain([jsonBody()], async (_e, c) => json(200, { body: c.jsonBody ?? null }));
  const body = async (e: ApiEvent) => bodyOf(await decoded(e)).body;

  it('decodes JSON, plain or base64, whatever a curl -d declares; no body is undefined', async () => {
    expect(await body(event('POST /api/v1/sites'))).toBeNull();
    expect(await body(event('POST /api/v1/sites', { body: '' }))).toBeNull();
    expect(await body(event('POST /api/v1/sites', { body: '{"name":"a"}' }))).toEqual({ name: 'a' });
    const b64 = Buffer.from('{"name":"b"}').toString('base64');
    expect(await body(event('POST /api/v1/sites', { body: b64, base64: true }))).toEqual({ name: 'b' });
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    expect(await body(event('POST /api/v1/sites', { body: '{"name":"c"}', headers: form }))).toEqual({ name: 'c' });
  });

  it('refuses malformed JSON with a 400 that says so', async () => {
    const err = await decoded(event('POST /api/v1/sites', { body: '{"name":', headers: { 'content-type': 'application/json' } })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).message).toMatch(/^Request body is not valid JSON/);
    expect((err as ValidationError).details).toEqual([{ path: 'body', message: expect.stringMatching(/^malformed JSON/) }]);
  });

  it('never repeats a malformed body: it may carry a password', async () => {
    for (const body of ['{"secret": Pa55word!}', '{"password": "Pa55word!"', '{"password": "Pa55word!" "x": 1}']) {
      const err = await decoded(event('POST /api/v1/sites', { body, headers: { 'content-type': 'application/json' } })).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ValidationError);
      expect(JSON.stringify({ message: (err as Error).message, details: (err as ValidationError).details })).not.toMatch(/Pa55/);
    }
  });

  it('refuses a body of another media type (415) and one above MAX_BODY_BYTES (413)', async () => {
    await expect(
      decoded(event('POST /api/v1/sites', { body: '%PDF-1.7', headers: { 'content-type': 'application/pdf' } })),
    ).rejects.toThrow(new UnsupportedMediaTypeError("Content-Type 'application/pdf' is not supported; send application/json"));
    // A Dell catalog import takes the XML itself.
    expect(await body(event('POST /api/v1/sites', { body: '<Manifest/>', headers: { 'content-type': 'application/xml' } }))).toBe(
      '<Manifest/>',
    );
    const big = JSON.stringify({ description: 'x'.repeat(300 * 1024) });
    await expect(decoded(event('POST /api/v1/sites', { body: big }))).rejects.toBeInstanceOf(PayloadTooLargeError);
  });
});

describe('httpErrors', () => {
  const failing = (error: unknown) =>
    chain([correlationId(), httpErrors()], async () => {
      throw error;
    })(event('POST /api/v1/sites', { headers: { 'x-correlation-id': 'c-9' } }));

  it('shows a 4xx its message and details, in the one error shape', async () => {
    const res = await failing(new ValidationError('Invalid body', [{ path: 'body.name', message: 'Required' }]));
    expect(res.statusCode).toBe(400);
    expect(bodyOf(res)).toEqual({
      error: {
        code: 'validation_error',
        message: 'Invalid body',
        details: [{ path: 'body.name', message: 'Required' }],
        correlation_id: 'c-9',
      },
    });
  });

  it('maps store and zod errors to their 4xx', async () => {
    expect((await failing(new ConditionFailedError({ pk: 'SITE#site-a', sk: 'SITE' }))).statusCode).toBe(409);
    expect((await failing(z.object({ a: z.string() }).safeParse({}).error)).statusCode).toBe(400);
  });

  it('never leaks an unknown error: a 500 with only the correlation id, the cause in the log', async () => {
    const res = await failing(new Error('connect ECONNREFUSED 10.0.0.7:8000 (table eio-prod)'));
    expect(res.statusCode).toBe(500);
    expect(bodyOf(res)).toEqual({
      error: { code: 'internal_error', message: 'Internal error; quote correlation id c-9 when reporting it', correlation_id: 'c-9' },
    });
    expect(res.body).not.toContain('ECONNREFUSED');
    expect(logs.lines.find((l) => l.message === 'Unhandled error')).toMatchObject({
      level: 'error',
      correlation_id: 'c-9',
      error: { message: 'connect ECONNREFUSED 10.0.0.7:8000 (table eio-prod)' },
    });
  });
});

describe('accessLog', () => {
  it('logs each request once with route, status and duration, error responses included', async () => {
    await chain([correlationId(), accessLog()])(event('GET /api/v1/sites', { headers: { 'x-correlation-id': 'ok-1' } }));
    await chain([correlationId(), accessLog(), httpErrors()], async () => {
      throw new ForbiddenError('no');
    })(event('POST /api/v1/sites', { headers: { 'x-correlation-id': 'no-1' } }));
    const handled = logs.lines.filter((l) => l.message === 'Request handled');
    const line = (correlation_id: string, route: string, status: number) =>
      expect.objectContaining({ level: 'info', correlation_id, route, status, duration_ms: expect.any(Number) });
    expect(handled).toEqual([line('ok-1', 'GET /api/v1/sites', 200), line('no-1', 'POST /api/v1/sites', 403)]);
  });
});
