/**
 * The OpenAPI 3.1 document of the HTTP API (`GET /openapi.json`), generated from the contract's
 * route table: nothing in it is written by hand but the names of a few shared schemas. zod v4
 * converts the schemas to JSON Schema draft 2020-12, the dialect OpenAPI 3.1 uses; the converter
 * lives in zod's core, so it works on the `zod/mini` schemas of the contract.
 *
 * Request bodies are converted as zod *inputs* (what a caller may send: defaults optional) and
 * answers as *outputs* (what the API sends back). Bodies and answers go to `components.schemas`,
 * so a schema used by many routes (the job view) is written once and referenced. Path and query
 * parameters are written out one by one, as OpenAPI wants them.
 */
import { registry, toJSONSchema, type ZodMiniType } from 'zod/mini';
import { boardSchema, errorBodySchema, ROUTES, statsSchema, type RouteContract } from './contract.js';
import { jobViewSchema } from './job-view.js';
import { operationViewSchema } from './operation-view.js';
import { scheduleViewSchema } from '../schedules/schedule-view.js';

/** A JSON Schema object as the converter writes it. */
export type JsonSchema = Record<string, unknown>;

/** The parts of an OpenAPI 3.1 document this generator writes. */
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, JsonSchema> };
  security: Record<string, string[]>[];
}

export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  schema: JsonSchema;
}

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  tags: string[];
  parameters?: OpenApiParameter[];
  requestBody?: { required: true; content: { 'application/json': { schema: JsonSchema } } };
  responses: Record<string, { description: string; content: { 'application/json': { schema: JsonSchema } } }>;
}

/**
 * The version of the API the document describes (OpenAPI's `info.version`): the contract's, not
 * the package's. Raise it when a route changes in a way an existing client would notice.
 */
export const API_VERSION = '2.0.0';

/** Where components live; `$ref`s point here. */
const COMPONENTS = '#/components/schemas/';

/** Readable names for the answers many routes share; any other schema is named after its first route. */
const SHARED_NAMES = new Map<ZodMiniType, string>([
  [jobViewSchema, 'Job'],
  [errorBodySchema, 'Error'],
  [boardSchema, 'Board'],
  [statsSchema, 'Stats'],
  [scheduleViewSchema, 'Schedule'],
  [operationViewSchema, 'Operation'],
]);

const pascal = (operationId: string): string => operationId[0]?.toUpperCase() + operationId.slice(1);

/** Converts a registry's schemas to components: `$schema` and `$id` dropped, cross-references as `$ref`s into components. */
function components(schemas: ReadonlyMap<ZodMiniType, string>, io: 'input' | 'output'): Record<string, JsonSchema> {
  const named = registry<{ id: string }>();
  for (const [schema, id] of schemas) named.add(schema, { id });
  const converted = toJSONSchema(named, { io, target: 'draft-2020-12', uri: (id) => COMPONENTS + id }).schemas;
  return Object.fromEntries(Object.entries(converted).map(([id, { $schema: _schema, $id: _id, ...schema }]) => [id, schema as JsonSchema]));
}

/** Each parameter of an object schema (a route's path or query), in declaration order. */
function parameters(schema: ZodMiniType, where: 'path' | 'query'): OpenApiParameter[] {
  const converted = toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' }) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(converted.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    // A path parameter is always required (OpenAPI says so); a query one when its schema says so.
    required: where === 'path' || (converted.required ?? []).includes(name),
    schema: property,
  }));
}

const jsonContent = (id: string) => ({ 'application/json': { schema: { $ref: COMPONENTS + id } } });

/** The OpenAPI document of `routes` (the contract's, unless told otherwise). */
export function buildOpenApiDocument(routes: readonly RouteContract[] = ROUTES): OpenApiDocument {
  // First pass: name every body (input) and answer (output) schema; a schema met again keeps its first name.
  const bodies = new Map<ZodMiniType, string>();
  const answers = new Map<ZodMiniType, string>();
  for (const route of routes) {
    if (route.body !== undefined && !bodies.has(route.body)) bodies.set(route.body, `${pascal(route.operationId)}Body`);
    for (const [status, { schema }] of Object.entries(route.responses)) {
      if (!answers.has(schema)) answers.set(schema, SHARED_NAMES.get(schema) ?? `${pascal(route.operationId)}${status}`);
    }
  }

  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    const operation: OpenApiOperation = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.path.split('/')[1] ?? ''],
      responses: Object.fromEntries(
        Object.entries(route.responses).map(([status, { description, schema }]) => [status, { description, content: jsonContent(answers.get(schema) as string) }]),
      ),
    };
    const params = [...(route.params ? parameters(route.params, 'path') : []), ...(route.query ? parameters(route.query, 'query') : [])];
    if (params.length > 0) operation.parameters = params;
    if (route.body !== undefined) operation.requestBody = { required: true, content: jsonContent(bodies.get(route.body) as string) };
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation;
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Jobboard',
      version: API_VERSION,
      description: 'Post jobs, follow them, stop and retry them, and run bulk operations. Errors answer {"error": {code, message, details}}.',
    },
    paths,
    components: {
      schemas: { ...components(bodies, 'input'), ...components(answers, 'output') },
      securitySchemes: {
        // On AWS every route needs IAM (SigV4) authorization; locally, a bearer token when the stack has one (not for /health).
        sigv4: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'AWS Signature Version 4 for the service execute-api (API Gateway IAM authorization).' },
        bearerToken: { type: 'http', scheme: 'bearer', description: 'The local stack with JOBBOARD_API_TOKEN set.' },
      },
    },
    security: [{ sigv4: [] }, { bearerToken: [] }],
  };
}

let built: OpenApiDocument | undefined;

/** The contract's document, built once per process (the routes do not change while it runs). */
export function openApiDocument(): OpenApiDocument {
  built ??= buildOpenApiDocument();
  return built;
}
