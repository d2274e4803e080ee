import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, routeKey } from '../../shared/catalog/routes';
import { hasAtLeast, ROLES } from '../../shared/domain/roles';
import { type Harness, startHarness } from '../support/harness';

/**
 * The authorization matrix, generated from the route table: every route × every role, and without a token.
 * A role below the route's least role gets 403 naming the role needed; any other role gets past
 * authorization (whatever the route then says of an id that does not exist or an empty body, never 401, 403
 * or a 5xx). Each route is called as the roles that may not call it first, so a side effect of an allowed call
 * (the kill switch, a paused scheduler) never decides a refusal.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const pathOf = (path: string) => path.replace(/\{(\w+)\}/g, (_m, name: string) => `matrix-${name}`);
const bodyFor = (method: string) => (method === 'POST' || method === 'PATCH' || method === 'PUT' ? {} : undefined);

describe('authorization matrix (every route × every role)', () => {
  it.each(ROUTES.map((r) => [routeKey(r), r] as const))('%s', async (_key, route) => {
    const path = pathOf(route.path);
    const body = bodyFor(route.method);
    const anonymous = await h.call(route.method, path, { body });
    if (route.role === 'none') expect(anonymous.status).toBeLessThan(400);
    else {
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.error.code).toBe('unauthorized');
    }
    for (const role of ROLES) {
      if (route.role === 'none' || hasAtLeast(role, route.role)) continue;
      const res = await h.call(route.method, path, { role, body });
      expect(res.status, `${role} on ${route.method} ${route.path}`).toBe(403);
      expect(res.body.error.message).toContain(`'${route.role}'`);
    }
    for (const role of ROLES) {
      if (route.role !== 'none' && !hasAtLeast(role, route.role)) continue;
      const res = await h.call(route.method, path, { role, body });
      expect([401, 403], `${role} on ${route.method} ${route.path}: ${res.text.slice(0, 200)}`).not.toContain(res.status);
      expect(res.status, `${role} on ${route.method} ${route.path}: ${res.text.slice(0, 200)}`).toBeLessThan(500);
    }
  });
});
