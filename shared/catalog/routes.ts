import type { Role } from '../domain/roles';
import type { FunctionName } from './functions';

/**
 * The HTTP API: every route, the function that serves it and the least role allowed to call it.
 * CDK creates one API Gateway route per row (JWT authorizer on all but `auth: 'none'`); the local server
 * matches the same rows; handlers check the role against the same table (one policy, two runtimes).
 */
export type Route = {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API Gateway path syntax: `/api/v1/sites/{id}`. */
  path: string;
  function: FunctionName;
  /** Least role allowed; `none` means no token needed. */
  role: Role | 'none';
  summary: string;
};

export const ROUTES: Route[] = [
  { method: 'GET', path: '/api/v1/health', function: 'api-health', role: 'none', summary: 'Overall health with components' },
  { method: 'GET', path: '/api/v1/health/workers', function: 'api-health', role: 'viewer', summary: 'Worker pools' },

  { method: 'POST', path: '/api/v1/sites', function: 'api-sites', role: 'operator', summary: 'Create a site' },
  { method: 'GET', path: '/api/v1/sites', function: 'api-sites', role: 'viewer', summary: 'List sites' },
  { method: 'GET', path: '/api/v1/sites/{id}', function: 'api-sites', role: 'viewer', summary: 'Get a site' },
  { method: 'PATCH', path: '/api/v1/sites/{id}', function: 'api-sites', role: 'operator', summary: 'Update a site' },
  { method: 'DELETE', path: '/api/v1/sites/{id}', function: 'api-sites', role: 'admin', summary: 'Delete a site' },

  { method: 'POST', path: '/api/v1/service-identities', function: 'api-service-identities', role: 'admin', summary: 'Create a service identity' },
  { method: 'GET', path: '/api/v1/service-identities', function: 'api-service-identities', role: 'viewer', summary: 'List service identities' },
  { method: 'GET', path: '/api/v1/service-identities/{id}', function: 'api-service-identities', role: 'viewer', summary: 'Get a service identity (never its secret)' },
  { method: 'PATCH', path: '/api/v1/service-identities/{id}', function: 'api-service-identities', role: 'admin', summary: 'Update a service identity' },
  { method: 'DELETE', path: '/api/v1/service-identities/{id}', function: 'api-service-identities', role: 'admin', summary: 'Delete a service identity' },
  { method: 'POST', path: '/api/v1/service-identities/{id}/rotate', function: 'api-service-identities', role: 'admin', summary: 'Rotate the credential' },
  { method: 'GET', path: '/api/v1/service-identities/{id}/verify', function: 'api-service-identities', role: 'operator', summary: 'Try the credential against its target' },
  { method: 'GET', path: '/api/v1/service-identities/{id}/activity', function: 'api-service-identities', role: 'viewer', summary: 'Audit trail of uses and changes' },
];

export const routeKey = (r: Pick<Route, 'method' | 'path'>): string => `${r.method} ${r.path}`;

const byKey = new Map(ROUTES.map((r) => [routeKey(r), r]));
export const findRoute = (key: string): Route | undefined => byKey.get(key);
