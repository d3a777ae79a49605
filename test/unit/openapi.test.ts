/**
 * The OpenAPI document (`GET /openapi.json`) is a valid OpenAPI 3.1 document, as a standard
 * validator judges it, and it describes every route of the contract with every schema: each path
 * and query parameter, the request body, and each response, each one the very JSON Schema zod makes
 * of the route's own schema once the document's `$ref`s are followed. The handler serves it.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { toJSONSchema, type ZodMiniType } from 'zod/mini';
import { createApiHandler } from '../../functions/api.js';
import type { Runtime } from '../../functions/runtime.js';
import { ROUTES, type RouteContract } from '../../lib/http/contract.js';
import { buildOpenApiDocument, type JsonSchema, type OpenApiDocument } from '../../lib/http/openapi.js';

const document = buildOpenApiDocument();

/** What zod makes of a schema on its own, as the document should hold it (without the dialect line). */
function standalone(schema: ZodMiniType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...json } = toJSONSchema(schema, { io, target: 'draft-2020-12' }) as JsonSchema;
  return json;
}

/** `value` with every `$ref` into the document's components replaced by what it points at. */
function dereference(value: unknown, doc: OpenApiDocument): unknown {
  if (Array.isArray(value)) return value.map((item) => dereference(item, doc));
  if (typeof value !== 'object' || value === null) return value;
  const { $ref, ...rest } = value as { $ref?: unknown };
  if (typeof $ref === 'string') {
    const target = doc.components.schemas[$ref.replace('#/components/schemas/', '')];
    if (target === undefined) throw new Error(`${$ref} points at no component`);
    return dereference(target, doc);
  }
  return Object.fromEntries(Object.entries(rest).map(([key, item]) => [key, dereference(item, doc)]));
}

/** Asserts that `doc` describes `route` fully: its operation, each parameter, body and response schema. */
function expectDescribes(doc: OpenApiDocument, route: RouteContract): void {
  const where = `${route.method} ${route.path}`;
  const operation = doc.paths[route.path]?.[route.method.toLowerCase()];
  expect(operation, where).toBeDefined();
  expect(operation!.operationId, where).toBe(route.operationId);

  const expectedParameters = (['params', 'query'] as const).flatMap((part) => {
    const schema = route[part];
    if (schema === undefined) return [];
    const json = standalone(schema, 'input') as { properties: Record<string, JsonSchema>; required?: string[] };
    return Object.entries(json.properties).map(([name, property]) => ({
      name,
      in: part === 'params' ? 'path' : 'query',
      required: part === 'params' || (json.required ?? []).includes(name),
      schema: property,
    }));
  });
  expect(operation!.parameters ?? [], `${where} parameters`).toEqual(expectedParameters);

  if (route.body === undefined) expect(operation!.requestBody, `${where} body`).toBeUndefined();
  else expect(dereference(operation!.requestBody?.content['application/json'].schema, doc), `${where} body`).toEqual(standalone(route.body, 'input'));

  expect(Object.keys(operation!.responses).sort(), `${where} statuses`).toEqual(Object.keys(route.responses).sort());
  for (const [status, { description, schema }] of Object.entries(route.responses)) {
    const response = operation!.responses[status];
    expect(response?.description, `${where} ${status}`).toBe(description);
    expect(dereference(response?.content['application/json'].schema, doc), `${where} ${status}`).toEqual(standalone(schema, 'output'));
  }
}

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1 for @seriousme/openapi-schema-validator', async () => {
    const validator = new Validator();
    const result = await validator.validate(document as unknown as Record<string, unknown>);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('describes every route of the contract, with its parameters, body and every response schema', () => {
    for (const route of ROUTES) expectDescribes(document, route);
    // …and nothing else: one operation per route.
    const operations = Object.values(document.paths).flatMap((methods) => Object.values(methods));
    expect(operations.map((o) => o.operationId).sort()).toEqual(ROUTES.map((r) => r.operationId).sort());
  });

  it('writes a schema many routes answer once, as a component they reference', () => {
    const job = document.paths['/jobs/{id}']?.get?.responses['200']?.content['application/json'].schema;
    expect(job).toEqual({ $ref: '#/components/schemas/Job' });
    expect(document.paths['/jobs']?.get?.responses['200']?.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ListJobs200' });
    expect(JSON.stringify(document.components.schemas.ListJobs200)).toContain('"$ref":"#/components/schemas/Job"');
  });

  it('the check above fails on a document that lacks a route or a schema', () => {
    const [first, ...rest] = ROUTES;
    expect(() => expectDescribes(buildOpenApiDocument(rest), first)).toThrow();
    // The same routes, one answer's schema swapped: the check names the difference.
    const withWrongSchema = ROUTES.map((route) => (route.operationId === 'getJob' ? { ...route, responses: { ...route.responses, 200: route.responses[500] } } : route));
    const getJob = ROUTES.find((route) => route.operationId === 'getJob')!;
    expect(() => expectDescribes(buildOpenApiDocument(withWrongSchema), getJob)).toThrow(/GET \/jobs\/\{id\} 200/);
  });

  it('is served at GET /openapi.json by the API handler', async () => {
    const handler = createApiHandler([], () => ({ logger: { info: () => undefined, warn: () => undefined, error: () => undefined } }) as unknown as Runtime);
    const response = await handler({ rawPath: '/openapi.json', headers: {}, body: undefined, isBase64Encoded: false, requestContext: { http: { method: 'GET' } } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(JSON.parse(response.body)).toEqual(document);
  });
});
