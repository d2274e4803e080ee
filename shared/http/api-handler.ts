/**
 * An API function: the route functions of one catalog function behind the API conventions, as one middy
 * chain of single-concern middlewares (docs/api.md, "How a request is handled"). In order:
 *   observedChain   X-Ray segment, Lambda context on log lines, metrics flushed (every function has these)
 *   correlationId   accepted or generated, on every log line, echoed on every response
 *   accessLog       "Request handled" with route, status and duration_ms
 *   httpErrors      typed errors → `{"error": {code, message, details?, correlation_id}}`; 5xx leak nothing
 *   routeAuthorization  the route table's least role → 401/403, or the principal on the context
 *   readOnlyMode    a write while read-only emergency mode is on → 503 with the reason
 *   pathParameters  ids no longer than a store key allows → 400 naming the parameter
 *   jsonBody        size limit and JSON decoding → 413/415/400
 * Middy runs `after` and `onError` hooks in reverse order, so the error mapping makes the response before
 * the access log and the correlation id echo see it.
 */
import type { FunctionName } from '../catalog/functions';
import type { RouteKey, RouteKeyOf } from '../catalog/routes';
import { NotFoundError } from '../domain/errors';
import { inOwnLogContext, type LambdaHandler, observedChain } from '../observability/lambda-handler';
import { accessLog } from './middleware/access-log';
import { correlationId } from './middleware/correlation-id';
import { httpErrors } from './middleware/http-errors';
import { jsonBody } from './middleware/json-body';
import { pathParameters } from './middleware/path-parameters';
import { readOnlyMode, type WritesRefused } from './middleware/read-only';
import { routeAuthorization } from './middleware/route-authorization';
import type { ApiContext, ApiEvent, ApiRequest } from './request';
import type { ApiResult } from './respond';

export type RouteFunction<K extends RouteKey = RouteKey> = (req: ApiRequest<K>) => Promise<ApiResult>;

/** Exactly the routes the table gives function `F`: a key not in the table, or one left out, fails type-checking. */
export type RouteFunctions<F extends FunctionName> = { [K in RouteKeyOf<F>]: RouteFunction<K> };

/** `writesRefused`: why writes are refused right now (read-only mode), read before every write. */
export function apiHandler<F extends FunctionName>(
  fn: F,
  writesRefused: WritesRefused,
  routes: RouteFunctions<F>,
): LambdaHandler<ApiEvent, ApiResult> {
  // routeAuthorization is what makes each request fit its route's type (a principal wherever a role is needed).
  const serve = new Map<string, (req: ApiRequest) => Promise<ApiResult>>(Object.entries(routes));
  const chain = observedChain<ApiEvent, ApiResult, ApiContext>()
    .use(correlationId())
    .use(accessLog())
    .use(httpErrors())
    .use(routeAuthorization())
    .use(readOnlyMode(writesRefused))
    .use(pathParameters())
    .use(jsonBody())
    .handler(async (event, context) => {
      const route = serve.get(event.routeKey);
      if (!route) throw new NotFoundError(`route of ${fn}`, event.routeKey);
      return route({
        routeKey: event.routeKey as RouteKey,
        path: event.pathParameters ?? {},
        query: event.queryStringParameters ?? {},
        headers: event.headers ?? {},
        body: context.jsonBody,
        principal: context.principal,
        correlationId: context.correlationId,
      } as ApiRequest);
    });
  return inOwnLogContext(chain);
}
