/**
 * The role check, against the same route table API Gateway's routes are built from (one policy, two
 * runtimes). API Gateway's JWT authorizer, or the local server, has already verified the token; this finds
 * the route's least role and the caller's role claim, refuses with 401/403 saying why, and otherwise puts
 * the caller on the context (and its subject on the log lines as `actor`).
 */
import type { MiddlewareObj } from '@middy/core';
import { findRoute } from '../../catalog/routes';
import { config } from '../../config';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../../domain/errors';
import { hasAtLeast, roleFromClaim } from '../../domain/roles';
import { addToContext } from '../../observability/context';
import type { ApiContext, ApiEvent, Principal } from '../request';
import type { ApiResult } from '../respond';

function authorize(event: ApiEvent): Principal | undefined {
  const route = findRoute(event.routeKey);
  if (!route) throw new NotFoundError('route', event.routeKey);
  const claims: Record<string, unknown> | undefined = event.requestContext?.authorizer?.jwt?.claims;
  const subject = String(claims?.sub ?? 'unknown');
  const role = roleFromClaim(claims?.[config().auth.roleClaim]);
  if (route.role === 'none') return role ? { subject, role } : undefined;
  // No claims on a route that needs a role means it was deployed without the authorizer: never pass silently.
  if (!claims) throw new UnauthorizedError('A bearer token is required');
  if (!role) throw new ForbiddenError(`The token carries no EIO role (claim '${config().auth.roleClaim}'); '${route.role}' is needed`);
  if (!hasAtLeast(role, route.role))
    throw new ForbiddenError(`Role '${role}' may not ${route.summary.toLowerCase()}; '${route.role}' or higher is needed`);
  return { subject, role };
}

export const routeAuthorization = (): MiddlewareObj<ApiEvent, ApiResult, Error, ApiContext> => ({
  before: (request) => {
    const principal = authorize(request.event);
    if (!principal) return;
    request.context.principal = principal;
    addToContext({ actor: principal.subject });
  },
});
