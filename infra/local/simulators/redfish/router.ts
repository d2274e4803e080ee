import type { Json } from '../fixtures/load';
import type { SimRequest } from '../net/http-types';
import type { Account } from '../state/accounts';
import type { SimulatedHost } from '../state/host';
import type { Session } from '../state/sessions';
import type { RedfishResult } from './result';

export type Privilege = 'Login' | 'ConfigureComponents' | 'ConfigureManager' | 'ConfigureUsers';

export interface RouteContext {
  req: SimRequest;
  params: Record<string, string>;
  host: SimulatedHost;
  account?: Account;
  session?: Session;
  /** Parsed JSON body; undefined when the body is empty, `null` when it is not JSON. */
  json(): Record<string, Json> | undefined | null;
}

export interface RouteDef {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  pattern: string;
  handler: (ctx: RouteContext) => RedfishResult | Promise<RedfishResult>;
  /** Unauthenticated routes: the service root and login. */
  public?: boolean;
  privilege?: Privilege;
}

export type Match = { route: RouteDef; params: Record<string, string> } | 'method-not-allowed' | undefined;

/** Path patterns with `:name` segments; segments are matched after percent-decoding. */
export class Router {
  private readonly routes: Array<RouteDef & { segments: string[] }> = [];

  add(...defs: RouteDef[]): void {
    for (const def of defs) this.routes.push({ ...def, segments: def.pattern.split('/') });
  }

  match(method: string, path: string): Match {
    const segments = path.split('/').map(decodeSegment);
    let pathMatched = false;
    for (const route of this.routes) {
      const params = matchSegments(route.segments, segments);
      if (!params) continue;
      if (route.method === method || (method === 'HEAD' && route.method === 'GET')) return { route, params };
      pathMatched = true;
    }
    return pathMatched ? 'method-not-allowed' : undefined;
  }
}

function matchSegments(pattern: string[], actual: string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] ?? '';
    const a = actual[i] ?? '';
    if (p.startsWith(':')) {
      if (a === '') return undefined;
      params[p.slice(1)] = a;
    } else if (p !== a) {
      return undefined;
    }
  }
  return params;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
