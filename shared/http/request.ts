import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import type { RoleOf, RouteKey } from '../catalog/routes';
import type { Role } from '../domain/roles';

export type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;

/** Who is calling: the token's subject and the strongest EIO role it carries. */
export type Principal = { subject: string; role: Role };

/**
 * What the API middlewares learn about a request and hand on, in the middy way, on the Lambda context:
 * the correlation id, the authorized caller (absent only on routes that need no token) and the decoded body.
 */
export type ApiContext = Context & { correlationId: string; principal?: Principal; jsonBody?: unknown };

/**
 * What the function of route `K` receives: already authenticated, authorized and JSON-decoded. The principal
 * is present on every route that needs a role; only a route open to all (`role: 'none'`) may lack one.
 */
export type ApiRequest<K extends RouteKey = RouteKey> = K extends RouteKey
  ? {
      routeKey: K;
      path: Record<string, string | undefined>;
      query: Record<string, string | undefined>;
      headers: Record<string, string | undefined>;
      /** Decoded JSON body; undefined when the request had none. */
      body: unknown;
      correlationId: string;
    } & (RoleOf<K> extends 'none' ? { principal?: Principal } : { principal: Principal })
  : never;
