import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { ROUTES, routeKey } from '../../shared/catalog/routes';
import { openApiDocument } from '../../shared/http/openapi';

/** The generated OpenAPI document: a valid 3.1 document holding every route of the table with its least role. */
type Operation = {
  operationId: string;
  security: unknown[];
  'x-eio-least-role': string;
  parameters?: { name: string; in: string }[];
  requestBody?: { required: boolean; content: Record<string, { schema: { required?: string[]; additionalProperties?: unknown } }> };
};

describe('GET /api/v1/openapi.json document', () => {
  const doc = openApiDocument() as unknown as { openapi: string; paths: Record<string, Record<string, Operation>> };

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(structuredClone(doc));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe('3.1.0');
  });

  it.each(ROUTES.map((r) => [routeKey(r), r] as const))('holds %s with its least role and path parameters', (_key, route) => {
    const op = doc.paths[route.path]?.[route.method.toLowerCase()];
    expect(op, `${route.method} ${route.path} is missing`).toBeDefined();
    expect(op!['x-eio-least-role']).toBe(route.role);
    expect(op!.security).toEqual(route.role === 'none' ? [] : [{ bearer: [] }]);
    const declared = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const params = (op!.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
    expect(params).toEqual(declared);
  });

  it('has nothing the route table lacks, and unique operation ids', () => {
    const ops = Object.entries(doc.paths).flatMap(([path, byMethod]) => Object.keys(byMethod).map((m) => `${m.toUpperCase()} ${path}`));
    expect(ops.sort()).toEqual(ROUTES.map(routeKey).sort());
    const ids = Object.values(doc.paths).flatMap((byMethod) => Object.values(byMethod).map((op) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('describes a body from its zod schema: required fields, limits, unknown fields refused', () => {
    const body = doc.paths['/api/v1/sites']!.post!.requestBody!;
    expect(body.required).toBe(true);
    const schema = body.content['application/json']!.schema;
    expect(schema.required).toContain('name');
    expect(schema.additionalProperties).toBe(false);
    const cancel = doc.paths['/api/v1/jobs/{id}/cancel']!.post!.requestBody!;
    expect(cancel.required).toBe(false);
  });

  it('describes an answer from its zod schema where the catalog gives one', () => {
    type Answer = { content: Record<string, { schema: { properties: Record<string, unknown>; required: string[] } }> };
    const ok = (doc.paths['/api/v1/system/kill-switch']!.get as unknown as { responses: Record<string, Answer> }).responses['200']!;
    const schema = ok.content['application/json']!.schema;
    expect(schema.properties.on).toEqual({ type: 'boolean' });
    expect(schema.required).toEqual(expect.arrayContaining(['id', 'on', 'history', 'version']));
  });
});
