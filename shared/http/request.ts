import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import type { Role } from '../domain/roles';

export type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;

/** Who is calling: the token's subject and the strongest EIO role it carries. */
export type Principal = { subject: string; role: Role };

/** What a route function receives: already authenticated, authorized and JSON-decoded. */
export type ApiRequest = {
  routeKey: string;
  path: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
  headers: Record<string, string | undefined>;
  /** Decoded JSON body; undefined when the request had none. */
  body: unknown;
  /** Undefined only on routes that need no token. */
  principal?: Principal;
  correlationId: string;
};
