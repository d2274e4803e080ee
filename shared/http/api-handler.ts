import { randomUUID } from 'node:crypto';
import middy from '@middy/core';
import { findRoute } from '../catalog/routes';
import { config } from '../config';
import {
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../domain/errors';
import { hasAtLeast, roleFromClaim } from '../domain/roles';
import { addToContext, runWithContext } from '../observability/context';
import { logger } from '../observability/logger';
import { toErrorResponse } from './errors';
import type { ApiEvent, ApiRequest, Principal } from './request';
import type { ApiResult } from './respond';

export type RouteFunction = (req: ApiRequest) => Promise<ApiResult>;

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Accept the caller's x-correlation-id when it is sane, otherwise make one. */
export function correlationIdOf(event: ApiEvent): string {
  const given = event.headers?.['x-correlation-id'];
  return given && CORRELATION_ID.test(given) ? given : randomUUID();
}

function claimsOf(event: ApiEvent): Record<string, unknown> | undefined {
  return event.requestContext?.authorizer?.jwt?.claims;
}

function authorize(event: ApiEvent): Principal | undefined {
  const route = findRoute(event.routeKey);
  if (!route) throw new NotFoundError('route', event.routeKey);
  const claims = claimsOf(event);
  const subject = String(claims?.sub ?? 'unknown');
  const role = roleFromClaim(claims?.[config().auth.roleClaim]);
  if (route.role === 'none') return role ? { subject, role } : undefined;
  // API Gateway's JWT authorizer (or the local server) has already verified the token; no claims means the
  // route was deployed without the authorizer, which must never pass silently.
  if (!claims) throw new UnauthorizedError('A bearer token is required');
  if (!role)
    throw new ForbiddenError(`The token carries no EIO role (claim '${config().auth.roleClaim}'); '${route.role}' is needed`);
  if (!hasAtLeast(role, route.role))
    throw new ForbiddenError(`Role '${role}' may not ${route.summary.toLowerCase()}; '${route.role}' or higher is needed`);
  return { subject, role };
}

function decodeBody(event: ApiEvent): unknown {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  const limit = config().maxBodyBytes;
  if (Buffer.byteLength(raw) > limit) throw new PayloadTooLargeError(`Request body exceeds ${limit} bytes`);
  const type = event.headers?.['content-type'] ?? '';
  // curl -d without -H sends application/x-www-form-urlencoded; the runbook does exactly that, so a body
  // that is JSON is accepted whatever the declared type, and anything else is refused clearly.
  try {
    return JSON.parse(raw);
  } catch (e) {
    if (type && !/json|x-www-form-urlencoded|text\/plain/i.test(type))
      throw new UnsupportedMediaTypeError(`Content-Type '${type}' is not supported; send application/json`);
    throw new ValidationError(`Request body is not valid JSON: ${(e as Error).message}`, [
      { path: 'body', message: 'malformed JSON' },
    ]);
  }
}

/**
 * Wraps the route functions of one Lambda into a middy handler that applies the API conventions:
 * correlation id (accepted or generated, echoed, on every log line), role check against the route table,
 * body size and JSON decoding, and typed-error mapping.
 */
export function apiHandler(routes: Record<string, RouteFunction>) {
  return middy<ApiEvent, ApiResult>()
    .onError((request) => {
      // Only reached if the conventions below themselves fail; still never leak internals.
      request.response = withCorrelation(toErrorResponse(request.error, correlationIdOf(request.event)), correlationIdOf(request.event));
    })
    .handler(async (event) => {
      const correlationId = correlationIdOf(event);
      const started = Date.now();
      return runWithContext({ correlation_id: correlationId }, async () => {
        let response: ApiResult;
        try {
          const principal = authorize(event);
          if (principal) addToContext({ actor: principal.subject });
          const fn = routes[event.routeKey];
          if (!fn) throw new NotFoundError('route', event.routeKey);
          response = await fn({
            routeKey: event.routeKey,
            path: event.pathParameters ?? {},
            query: event.queryStringParameters ?? {},
            headers: event.headers ?? {},
            body: decodeBody(event),
            principal,
            correlationId,
          });
        } catch (err) {
          response = toErrorResponse(err, correlationId);
        }
        logger.info('Request handled', {
          route: event.routeKey,
          status: response.statusCode,
          duration_ms: Date.now() - started,
        });
        return withCorrelation(response, correlationId);
      });
    });
}

const withCorrelation = (response: ApiResult, correlationId: string): ApiResult => ({
  ...response,
  headers: { ...response.headers, 'x-correlation-id': correlationId },
});
