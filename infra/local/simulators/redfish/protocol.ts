import type { Json } from '../fixtures/load';
import type { RedfishFlavor } from '../identity/profiles';
import type { Protocol, SimRequest } from '../net/http-types';
import type { SimulatedHost } from '../state/host';
import { allowed, authenticate, type Principal } from './auth';
import { applyQuery } from './query';
import { accountRoutes } from './resources/accounts';
import { jobRoutes } from './resources/jobs';
import { managerRoutes } from './resources/managers';
import { serviceRootRoutes } from './resources/service-root';
import { sessionRoutes } from './resources/sessions';
import { systemRoutes } from './resources/systems';
import { updateServiceRoutes } from './resources/update-service';
import { type RedfishResult, redfishError, toReply } from './result';
import { type RouteContext, Router } from './router';

function parseJson(body: Buffer): Record<string, Json> | undefined | null {
  if (body.length === 0) return undefined;
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, Json>) : null;
  } catch {
    return null;
  }
}

function normalize(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.replace(/\/+$/, '') : path;
}

/** An iDRAC-shaped Redfish service over one simulated host. */
export function createRedfishProtocol(host: SimulatedHost, flavor: Exclude<RedfishFlavor, 'none'>): Protocol {
  const router = new Router();
  router.add(
    ...serviceRootRoutes(flavor),
    ...systemRoutes(),
    ...managerRoutes(flavor),
    ...jobRoutes(flavor),
    ...updateServiceRoutes(flavor),
    ...accountRoutes(),
    ...sessionRoutes(),
  );

  async function handle(req: SimRequest, principal?: Principal): Promise<RedfishResult> {
    const path = normalize(req.path);
    const match = router.match(req.method, path);
    if (match === undefined) return redfishError(404, 'SYS403', [path]);
    if (match === 'method-not-allowed') return redfishError(405, 'SYS402');
    const { route, params } = match;
    let who = principal;
    if (!route.public && !who) {
      const result = authenticate(req, host);
      if ('status' in result) return result;
      who = result;
    }
    if (who && route.privilege && !allowed(who.account, route.privilege)) return redfishError(403, 'Base.InsufficientPrivilege');
    let parsed: ReturnType<typeof parseJson> | 'unparsed' = 'unparsed';
    const ctx: RouteContext = {
      req: { ...req, path },
      params,
      host,
      account: who?.account,
      session: who?.session,
      json: () => (parsed === 'unparsed' ? (parsed = parseJson(req.body)) : parsed),
    };
    const result = await route.handler(ctx);
    if (req.method === 'GET' && result.status === 200 && result.body !== undefined && flavor === 'full') {
      // Members are fetched as the same caller, so $expand never shows more than a GET would.
      const resolve = async (memberPath: string) => {
        const inner = await handle({ ...req, path: memberPath, query: new URLSearchParams() }, who);
        return inner.status === 200 ? inner.body : undefined;
      };
      return { ...result, body: await applyQuery(result.body, req.query, resolve) };
    }
    return result;
  }

  return {
    route: async (req) => toReply(await handle(req)),
    serverError: (status) =>
      toReply(status === 503 ? redfishError(503, 'Base.ServiceTemporarilyUnavailable', ['30']) : redfishError(status, 'Base.GeneralError')),
  };
}
