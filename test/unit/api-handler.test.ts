/**
 * The whole API chain in-process, around route functions of the test's own: what reaches a route function,
 * in which order the conventions refuse a request, and that concurrent requests keep their own log context.
 * test/unit/api-route-types.test-d.ts checks the route typing; the integration tests drive it over HTTP.
 */
import type { Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { apiHandler, type RouteFunctions } from '../../shared/http/api-handler';
import type { ApiEvent, ApiRequest } from '../../shared/http/request';
import { type ApiResult, json, noContent } from '../../shared/http/respond';
import { logger } from '../../shared/observability/logger';
import { gate } from './gate';
import { logLinesOfEachTest } from './log-lines';

vi.hoisted(() => {
  process.env.LOG_LEVEL = 'INFO';
});

/** The JSON body of a response. */
const bodyOf = (res: ApiResult) => JSON.parse(res.body ?? 'null');

const event = (routeKey: string, o: { role?: string; headers?: Record<string, string>; body?: string; id?: string } = {}): ApiEvent =>
  ({
    routeKey,
    headers: o.headers ?? {},
    body: o.body,
    isBase64Encoded: false,
    pathParameters: o.id ? { id: o.id } : undefined,
    queryStringParameters: { limit: '5' },
    requestContext: o.role
      ? {
          authorizer: {
            jwt: { claims: { sub: `test-${o.role}`, eio_role: o.role, exp: Math.floor(Date.now() / 1000) + 3600 }, scopes: [] },
          },
        }
      : {},
  }) as unknown as ApiEvent;

const context = (awsRequestId: string) => ({ awsRequestId, functionName: 'eio-api-sites' }) as Context;

/** Route functions that answer with what they were given, after `gate` lets them. */
function sites(gate: () => Promise<void> = async () => undefined) {
  const seen: ApiRequest[] = [];
  const echo = async (req: ApiRequest) => {
    seen.push(req);
    await gate();
    logger.info('Route function ran');
    return json(200, { correlation_id: req.correlationId });
  };
  const routes: RouteFunctions<'api-sites'> = {
    'POST /api/v1/sites': echo,
    'GET /api/v1/sites': echo,
    'GET /api/v1/sites/{id}': echo,
    'PATCH /api/v1/sites/{id}': echo,
    'DELETE /api/v1/sites/{id}': async (req) => {
      seen.push(req);
      return noContent();
    },
  };
  return { handler: apiHandler('api-sites', async () => undefined, routes), seen };
}

const logs = logLinesOfEachTest();

describe('apiHandler', () => {
  it('hands the route function the request with its principal, decoded body, path, query and correlation id', async () => {
    const { handler, seen } = sites();
    const res = await handler(
      event('PATCH /api/v1/sites/{id}', { role: 'operator', id: 'site-1', body: '{"name":"n"}', headers: { 'x-correlation-id': 'c-7' } }),
      context('req-1'),
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-correlation-id']).toBe('c-7');
    expect(seen).toEqual([
      {
        routeKey: 'PATCH /api/v1/sites/{id}',
        path: { id: 'site-1' },
        query: { limit: '5' },
        headers: { 'x-correlation-id': 'c-7' },
        body: { name: 'n' },
        principal: { subject: 'test-operator', role: 'operator' },
        correlationId: 'c-7',
      },
    ]);
    const lines = logs.lines.filter((l) => l.correlation_id === 'c-7');
    expect(lines.map((l) => l.message)).toEqual(['Route function ran', 'Request handled']);
    for (const line of lines) expect(line).toMatchObject({ function_request_id: 'req-1', actor: 'test-operator' });
  });

  it('never calls a route function that needs a role without a principal', async () => {
    const { handler, seen } = sites();
    const res = await handler(event('DELETE /api/v1/sites/{id}', { id: 'site-1' }), context('req-2'));
    expect(res.statusCode).toBe(401);
    expect(bodyOf(res).error).toMatchObject({ code: 'unauthorized', correlation_id: res.headers['x-correlation-id'] });
    expect(seen).toEqual([]);
  });

  it('refuses in order: unknown route, then role, then body; each with the one error shape', async () => {
    const { handler, seen } = sites();
    const malformed = '{"name":';
    const status = async (e: ApiEvent) => (await handler(e, context('r'))).statusCode;
    expect(await status(event('GET /api/v1/nothing', { role: 'admin', body: malformed }))).toBe(404);
    expect(await status(event('POST /api/v1/sites', { role: 'viewer', body: malformed }))).toBe(403);
    expect(await status(event('POST /api/v1/sites', { role: 'operator', body: malformed }))).toBe(400);
    expect(seen).toEqual([]);
  });

  it('answers 404 for a route of the table that another function serves', async () => {
    const { handler } = sites();
    const res = await handler(event('GET /api/v1/health/workers', { role: 'viewer' }), context('r'));
    expect(res.statusCode).toBe(404);
    expect(bodyOf(res).error.message).toBe("route of api-sites 'GET /api/v1/health/workers' does not exist");
  });

  it('keeps concurrent requests apart: each log line and response carries its own correlation id', async () => {
    const both = gate(2);
    const { handler } = sites(() => both.pass());
    const a = handler(event('GET /api/v1/sites', { role: 'viewer', headers: { 'x-correlation-id': 'a' } }), context('req-a'));
    const b = handler(event('GET /api/v1/sites', { role: 'viewer', headers: { 'x-correlation-id': 'b' } }), context('req-b'));
    // Both are inside their route function before either logs a line.
    await both.openWhenAllInside();
    const [ra, rb] = await Promise.all([a, b]);
    expect([ra.headers['x-correlation-id'], rb.headers['x-correlation-id']]).toEqual(['a', 'b']);
    expect([bodyOf(ra).correlation_id, bodyOf(rb).correlation_id]).toEqual(['a', 'b']);
    const ran = logs.lines.filter((l) => l.message === 'Route function ran').map((l) => l.correlation_id);
    expect(ran.sort()).toEqual(['a', 'b']);
  });

  it('answers without a Lambda context (a test or a tool calling the handler directly)', async () => {
    const { handler } = sites();
    const res = await handler(event('GET /api/v1/sites', { role: 'viewer' }), undefined as unknown as Context);
    expect(res.statusCode).toBe(200);
  });
});
