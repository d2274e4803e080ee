/**
 * Type-level tests of the route typing, checked by tsc (`npm test` runs `tsc --noEmit` first): every line
 * marked @ts-expect-error must be an error, or tsc fails. Nothing here runs.
 */
import { apiHandler, type RouteFunction, type RouteFunctions } from '../../shared/http/api-handler';
import { json } from '../../shared/http/respond';

const ok = async () => json(200, {});
const writable = async () => undefined;

export function routeTypeChecks(sites: RouteFunctions<'api-sites'>) {
  apiHandler('api-sites', writable, sites);

  // @ts-expect-error a typo in a route key: not a route of the table
  apiHandler('api-sites', writable, { ...sites, 'GET /api/v1/sitez': ok });

  // @ts-expect-error a route of the table that another function serves
  apiHandler('api-sites', writable, { ...sites, 'GET /api/v1/health': ok });

  const { 'DELETE /api/v1/sites/{id}': _deleteSite, ...withoutDelete } = sites;
  // @ts-expect-error a route the table gives this function is left out
  apiHandler('api-sites', writable, withoutDelete);

  // After authorization, a route that needs a role always has its caller.
  const create: RouteFunction<'POST /api/v1/sites'> = async (req) => json(201, { created_by: req.principal.subject });

  // A route open to all may have none.
  const health: RouteFunction<'GET /api/v1/health'> = async (req) =>
    // @ts-expect-error the principal may be absent where no token is needed
    json(200, { caller: req.principal.subject });

  return [create, health];
}
