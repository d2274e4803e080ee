/**
 * The OpenAPI 3.1 document of this API, generated from the route table (method, path, least role, summary)
 * and each route's zod schemas (catalog/route-schemas.ts) with `z.toJSONSchema`: never written by hand, so it
 * cannot drift from what the handlers accept. Each operation carries its least role as `x-eio-least-role`.
 * JSON Schema of the request's input side (defaults make a field optional; a transform documents what it takes).
 */
import { z } from 'zod';
import { ROUTE_SCHEMAS, type RouteSchemas } from '../catalog/route-schemas';
import { ROUTES, type RouteKey, routeKey } from '../catalog/routes';

type JsonSchema = Record<string, unknown>;
type Parameter = { name: string; in: 'path' | 'query' | 'header'; required: boolean; schema: JsonSchema; description?: string };

const jsonSchema = (schema: z.ZodType): JsonSchema => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    target: 'draft-2020-12',
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
};

function parametersOf(schema: z.ZodObject, where: Parameter['in']): Parameter[] {
  const s = jsonSchema(schema) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(s.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === 'path' || (s.required ?? []).includes(name),
      schema: rest,
      ...(typeof description === 'string' ? { description } : {}),
    };
  });
}

function requestBodyOf(body: NonNullable<RouteSchemas['body']>) {
  if (body === 'csv') return { required: true, content: { 'text/csv': { schema: { type: 'string' } } } };
  if (body === 'xml') return { required: true, content: { 'application/xml': { schema: { type: 'string' } } } };
  return { required: !body.safeParse(undefined).success, content: { 'application/json': { schema: jsonSchema(body) } } };
}

/** An answer's own schema (output side; other fields may follow, as the kill switch adds what it stopped). */
const answerSchema = (shape: 'object' | z.ZodType): JsonSchema => {
  if (shape === 'object') return { type: 'object' };
  const { additionalProperties: _open, ...rest } = z.toJSONSchema(shape, { io: 'output', target: 'draft-2020-12', unrepresentable: 'any' });
  const { $schema: _drop, ...schema } = rest as JsonSchema;
  return schema;
};

const ERROR = { $ref: '#/components/schemas/Error' };
const errorAnswer = (description: string) => ({ description, content: { 'application/json': { schema: ERROR } } });

function successOf(s: RouteSchemas) {
  const status = s.status ?? 200;
  const shape = s.response ?? (status === 204 ? 'none' : 'object');
  const content =
    shape === 'none'
      ? undefined
      : shape === 'csv'
        ? { 'text/csv': { schema: { type: 'string' } } }
        : { 'application/json': { schema: shape === 'page' ? { $ref: '#/components/schemas/Page' } : answerSchema(shape) } };
  return { [String(status)]: { description: 'Success', ...(content ? { content } : {}) } };
}

const operationId = (method: string, path: string) =>
  method.toLowerCase() +
  path
    .replace(/^\/api\/v1/, '')
    .split(/[/.-]/)
    .filter(Boolean)
    .map((seg) => {
      const name = /^\{(\w+)\}$/.exec(seg)?.[1];
      const word = name ? `By_${name}` : seg;
      return word
        .split('_')
        .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
        .join('');
    })
    .join('');

function operation(route: (typeof ROUTES)[number]) {
  const s: RouteSchemas = ROUTE_SCHEMAS[routeKey(route) as RouteKey];
  const queries = s.query === undefined ? [] : Array.isArray(s.query) ? s.query : [s.query as z.ZodObject];
  const parameters = [
    ...(s.path ? parametersOf(s.path, 'path') : []),
    ...queries.flatMap((q) => parametersOf(q, 'query')),
    ...(s.headers ? parametersOf(s.headers, 'header') : []),
  ];
  const secured = route.role !== 'none';
  return {
    operationId: operationId(route.method, route.path),
    summary: route.summary,
    description: secured ? `Least role: ${route.role}.` : 'No token needed.',
    tags: [route.function.replace(/^api-/, '')],
    'x-eio-least-role': route.role,
    ...(secured ? { security: [{ bearer: [] }] } : { security: [] }),
    ...(parameters.length ? { parameters } : {}),
    ...(s.body ? { requestBody: requestBodyOf(s.body) } : {}),
    responses: {
      ...successOf(s),
      '400': errorAnswer('Invalid input; `details` lists field paths such as `body.management_networks[1]`'),
      ...(secured ? { '401': errorAnswer('No valid token'), '403': errorAnswer(`The token's role is below ${route.role}`) } : {}),
      default: errorAnswer('Error: 404, 409, 413, 415, 423, 503 and others, in the same envelope'),
    },
  };
}

export type OpenApiDocument = { openapi: string; paths: Record<string, Record<string, ReturnType<typeof operation>>> } & JsonSchema;

function build(): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const route of ROUTES) (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route);
  return {
    openapi: '3.1.0',
    info: {
      title: 'EIO v2',
      version: '2.0.0',
      description: 'Enterprise Infrastructure Orchestrator: generated from the route table and its zod schemas (docs/api.md).',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message', 'correlation_id'],
              properties: {
                code: { type: 'string' },
                message: { type: 'string' },
                details: {
                  type: 'array',
                  items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } },
                },
                correlation_id: { type: 'string' },
              },
            },
          },
        },
        Page: {
          type: 'object',
          required: ['items', 'next_token'],
          properties: { items: { type: 'array', items: { type: 'object' } }, next_token: { type: ['string', 'null'] } },
        },
      },
    },
  };
}

let built: OpenApiDocument | undefined;
/** Built once per container: the routes and schemas are fixed at load. */
export const openApiDocument = (): OpenApiDocument => {
  built ??= build();
  return built;
};
