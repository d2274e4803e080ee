/**
 * Bad input for every route, generated from the route's own zod schemas (shared/catalog/route-schemas.ts) with
 * fast-check, sent to the local stack as an admin (so authorization never decides): malformed JSON, bodies and
 * queries the route's schema refuses, unknown path ids and refused headers. Every answer is a 4xx in the error
 * envelope, never a 5xx, and no stored item changes. Bounded: FUZZ_RUNS requests per route and kind of fault
 * (default 8, about 1,100 requests; FUZZ_RUNS=72 sends about 10,000); a fixed seed (FUZZ_SEED), which a
 * failure prints with the request that failed.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createDynamoClient } from '../../shared/adapters/store/dynamodb-client';
import { ROUTE_SCHEMAS, type RouteSchemas } from '../../shared/catalog/route-schemas';
import { ROUTES, type RouteKey, routeKey } from '../../shared/catalog/routes';
import { WORKER_POOLS } from '../../shared/catalog/worker-pools';
import { config } from '../../shared/config';
import { type Harness, startHarness } from '../support/harness';

const RUNS = Number(process.env.FUZZ_RUNS ?? 8);
const SEED = Number(process.env.FUZZ_SEED ?? 20261205);

let h: Harness;
let token: string;
let scan: () => Promise<string>;
let sent = 0;
const serverErrors: string[] = [];

beforeAll(async () => {
  h = await startHarness();
  token = await h.token('admin', { subject: 'fuzzer' });
  // A record to aim at, so a refused body on an existing site is refused by its schema, not by a 404.
  const site = await h.call('POST', '/api/v1/sites', {
    token,
    body: { id: 'site-fuzz', name: 'fuzz', management_networks: ['10.9.0.0/16'] },
  });
  expect(site.status).toBe(201);
  const client = createDynamoClient({ endpoint: process.env.DYNAMODB_ENDPOINT, region: config().region });
  scan = async () => {
    const items: string[] = [];
    let start: Record<string, never> | undefined;
    do {
      const page = await client.send(new ScanCommand({ TableName: config().tableName, ExclusiveStartKey: start }));
      // The iDRAC status tally is recounted by housekeeping on its own schedule, whatever the requests do.
      for (const item of page.Items ?? []) if (!item.pk?.S?.startsWith('STATS#')) items.push(JSON.stringify(item));
      start = page.LastEvaluatedKey as typeof start;
    } while (start);
    return items.sort().join('\n');
  };
});
afterAll(async () => {
  await h?.close();
});

type Request = { path: string; query: Record<string, string>; headers: Record<string, string>; body?: string; fault: string };

const POOL_NAMES = new Set(Object.entries(WORKER_POOLS).flatMap(([name, spec]) => [name, spec.workerId]));
const EXISTING: Record<string, string> = { '/api/v1/sites/{id}': 'site-fuzz' };

const junkText = fc.oneof(
  fc.constantFrom('', ' ', '-1', '0', '201', '1.5', 'NaN', 'null', 'true', '[]', '{}', '__proto__', 'constructor', '%', 'x'.repeat(3000)),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.integer().map(String),
);
const junkValue = fc.oneof(junkText, fc.jsonValue({ maxDepth: 2 }));

const propertiesOf = (schema: z.ZodType): string[] => {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, unknown> };
  return Object.keys(json.properties ?? {});
};
const namedJunk = <T>(names: string[], value: fc.Arbitrary<T>) =>
  fc.record(Object.fromEntries([...names, 'unexpected_field'].map((n) => [n, value])), { requiredKeys: [] });

/** What the route accepts when nothing is wrong with a part, so that one part alone is bad. */
const pathFor = (template: string, ids: Record<string, string> = {}) =>
  template.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(ids[name] ?? EXISTING[template] ?? `fuzz-missing-${name}`));

/** The faults a route can be sent: each yields requests its schemas (or the store) must refuse. */
function faultsOf(method: string, template: string, s: RouteSchemas): fc.Arbitrary<Request>[] {
  const base = { path: pathFor(template), query: {}, headers: {} };
  const faults: fc.Arbitrary<Request>[] = [];
  const sendsBody = method !== 'GET';
  if (sendsBody)
    faults.push(
      fc
        .oneof(fc.constantFrom('{', '{"a":', '[1,', "{'a': 1}", '{"secret": Pa55word!}'), fc.string({ minLength: 1, maxLength: 60 }))
        .filter((raw) => {
          try {
            JSON.parse(raw);
            return false;
          } catch {
            return raw.trim() !== '';
          }
        })
        .map((raw) => ({ ...base, body: raw, fault: 'malformed JSON' })),
    );
  if (sendsBody && s.body !== undefined) {
    const schema = s.body === 'csv' || s.body === 'xml' ? undefined : s.body;
    const names = schema ? propertiesOf(schema) : [];
    faults.push(
      fc
        .oneof(fc.jsonValue({ maxDepth: 3 }), namedJunk(names, junkValue))
        // A JSON null is no body at all, as an absent one.
        .filter((v) => !schema?.safeParse(v === null ? undefined : v).success)
        .filter((v) => typeof s.body !== 'string' || v !== null)
        .map((v) => ({ ...base, body: JSON.stringify(v), fault: 'body its schema refuses' })),
    );
  }
  if (s.query !== undefined) {
    const schemas = (Array.isArray(s.query) ? s.query : [s.query]) as z.ZodObject[];
    const names = schemas.flatMap(propertiesOf);
    faults.push(
      namedJunk(names, junkText)
        .map((q) => Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)) as Record<string, string>)
        .filter((q) => schemas.some((schema) => !schema.safeParse(q).success))
        .map((query) => ({ ...base, query, fault: 'query its schema refuses' })),
    );
  }
  if (s.path !== undefined) {
    const names = propertiesOf(s.path);
    const id = fc
      .oneof(fc.string({ minLength: 1, maxLength: 40 }), fc.string({ minLength: 250, maxLength: 400 }), junkText)
      .filter((v) => v !== '' && v !== '.' && v !== '..' && !POOL_NAMES.has(v) && v !== 'site-fuzz');
    faults.push(
      fc.record(Object.fromEntries(names.map((n) => [n, id]))).map((ids) => ({
        ...base,
        path: pathFor(template, ids as Record<string, string>),
        ...(sendsBody ? { body: '{}' } : {}),
        fault: 'unknown or malformed path id',
      })),
    );
  }
  if (s.headers !== undefined) {
    const headers = s.headers;
    const names = propertiesOf(headers);
    faults.push(
      namedJunk(names, fc.oneof(fc.constantFrom(' ', 'a b', 'x'.repeat(300)), fc.string({ minLength: 256, maxLength: 300 })))
        .map(
          (v) =>
            Object.fromEntries(Object.entries(v).filter(([k, x]) => k !== 'unexpected_field' && x !== undefined)) as Record<string, string>,
        )
        .filter((v) => Object.values(v).every((x) => /^[\x20-\x7e]*$/.test(x)) && !headers.safeParse(v).success)
        .map((hs) => ({ ...base, headers: hs, body: '{}', fault: 'header its schema refuses' })),
    );
  }
  return faults;
}

async function send(method: string, r: Request) {
  const qs = new URLSearchParams(r.query).toString();
  const res = await fetch(`${h.stack.baseUrl}${r.path}${qs ? `?${qs}` : ''}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(r.body !== undefined ? { 'content-type': 'application/json' } : {}), ...r.headers },
    body: r.body,
  });
  sent++;
  const text = await res.text();
  return { status: res.status, text };
}

const fuzzable = ROUTES.map((r) => [routeKey(r), r] as const).filter(
  ([key, r]) => faultsOf(r.method, r.path, ROUTE_SCHEMAS[key as RouteKey]).length > 0,
);

describe(`bad input on every route (fast-check seed ${SEED}, ${RUNS} runs per fault)`, () => {
  it.each(fuzzable)('%s: 4xx in the error envelope, nothing stored changes', async (key, route) => {
    const before = await scan();
    const faults = faultsOf(route.method, route.path, ROUTE_SCHEMAS[key as RouteKey]);
    await fc.assert(
      fc.asyncProperty(fc.oneof(...faults), async (r) => {
        const res = await send(route.method, r);
        if (res.status >= 500) serverErrors.push(`${key} ${res.status} (${r.fault})`);
        const sentAs = `${route.method} ${r.path} ${JSON.stringify(r.query)} ${r.body ?? ''} (${r.fault})`;
        const where = `${sentAs} → ${res.status} ${res.text.slice(0, 300)}`;
        expect(res.status, where).toBeGreaterThanOrEqual(400);
        expect(res.status, where).toBeLessThan(500);
        expect(JSON.parse(res.text), where).toMatchObject({
          error: { code: expect.any(String), message: expect.any(String), correlation_id: expect.any(String) },
        });
      }),
      { seed: SEED, numRuns: RUNS * faults.length, endOnFailure: true },
    );
    expect(await scan(), `a refused request changed the store (seed ${SEED})`).toBe(before);
  });

  it('sent bad input to every route that takes any, with no 5xx', () => {
    expect(fuzzable.length).toBeGreaterThan(ROUTES.length - 8);
    expect(serverErrors).toEqual([]);
    console.info(`api-fuzz: ${sent} requests over ${fuzzable.length} routes, ${serverErrors.length} answered 5xx (seed ${SEED})`);
  });
});
