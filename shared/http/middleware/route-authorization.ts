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

/**
 * What the authorizer does not check: every action is someone's (a subject, never a shared "unknown"), and
 * a token expires within the configured lifetime, so a leaked one stops working. API Gateway passes claims
 * as strings; the local server as JSON values.
 */
function checkToken(claims: Record<string, unknown>): string {
  const subject = typeof claims.sub === 'string' ? claims.sub.trim() : '';
  if (!subject) throw new UnauthorizedError('The token names no subject (sub): EIO records who did each action');
  const exp = Number(claims.exp);
  if (claims.exp === undefined || !Number.isFinite(exp)) throw new UnauthorizedError('The token has no expiry (exp)');
  const max = config().auth.maxTokenHours;
  // Its whole lifetime when it says when it was issued (in the past), else what is left of it.
  const now = Date.now() / 1000;
  const iat = Number(claims.iat);
  const hours = (exp - (Number.isFinite(iat) ? Math.min(iat, now) : now)) / 3600;
  if (hours > max)
    throw new UnauthorizedError(`The token is valid for ${hours.toFixed(1)} h; EIO accepts tokens valid for at most ${max} h`);
  return subject;
}

function authorize(event: ApiEvent): Principal | undefined {
  const route = findRoute(event.routeKey);
  if (!route) throw new NotFoundError('route', event.routeKey);
  const claims: Record<string, unknown> | undefined = event.requestContext?.authorizer?.jwt?.claims;
  if (route.role === 'none') {
    // A public route answers anyone: a token only names the caller when it would pass everywhere else.
    const role = claims && roleFromClaim(claims[config().auth.roleClaim]);
    try {
      return role ? { subject: checkToken(claims), role } : undefined;
    } catch {
      return undefined;
    }
  }
  // No claims on a route that needs a role means it was deployed without the authorizer: never pass silently.
  if (!claims) throw new UnauthorizedError('A bearer token is required');
  const subject = checkToken(claims);
  const role = roleFromClaim(claims[config().auth.roleClaim]);
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
