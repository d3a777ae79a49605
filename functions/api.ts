/**
 * Lambda handler for the HTTP API (API Gateway HTTP API, payload format 2.0). Routes by method
 * and path, so it serves the same whether API Gateway names each route or forwards `$default`.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod/mini';
import { LIMITS } from '../lib/config.js';
import { ValidationError } from '../lib/errors.js';
import { toJobView } from '../lib/model.js';
import type { JobType } from '../lib/registry.js';
import { HTTP_ROUTES, type HttpRouteKey } from '../lib/http-routes.js';
import { parseWith } from '../lib/schema.js';
import { JOB_STATES } from '../lib/states.js';
import { errorBody, errorResponse, json, methodNotAllowed, payloadTooLarge, routeNotFound, unsupportedMediaType, type HttpResponse } from './http.js';
import { demoJobTypes } from './job-types/demo.js';
import { lazyRuntime, type Runtime } from './runtime.js';

/** Largest body accepted: the payload limit plus room for the other fields. */
export const MAX_BODY_BYTES = LIMITS.payloadBytes + 16 * 1024;

export type ApiEvent = Pick<APIGatewayProxyEventV2, 'rawPath' | 'headers' | 'body' | 'isBase64Encoded' | 'queryStringParameters'> & {
  requestContext: { http: { method: string } };
};
export type ApiHandler = (event: ApiEvent) => Promise<HttpResponse>;

const listQuerySchema = z.strictObject({
  state: z.optional(z.enum(JOB_STATES)),
  type: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  limit: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(LIMITS.listLimitMax))),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2_000))),
});

type RouteHandler = (runtime: Runtime, event: ApiEvent, id: string) => Promise<HttpResponse>;

/** What serves each route of the contract; the compiler checks that none is missing. */
const SERVE: Record<HttpRouteKey, RouteHandler> = {
  'GET /health': async () => json(200, { ok: true }),
  'POST /jobs': postJob,
  'POST /jobs/batch': postJobs,
  'GET /jobs': listJobs,
  'GET /jobs/{id}': async (rt, _, id) => json(200, toJobView(await rt.board.get(id))),
  'DELETE /jobs/{id}': async (rt, _, id) => json(200, toJobView(await rt.board.trash(id))),
  'POST /jobs/{id}/retry': async (rt, _, id) => json(200, toJobView(await rt.board.retry(id))),
  'GET /stats': async (rt) => json(200, await rt.board.count()),
  'POST /dead-letters/redrive': async (rt) => json(200, await rt.board.redriveDeadLetters()),
};

/** Each route with a matcher: `/jobs/{id}/retry` → /^\/jobs\/([^/]+)\/retry$/. */
const ROUTES = HTTP_ROUTES.map((route) => ({
  method: route.method as string,
  pattern: new RegExp(`^${route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '([^/]+)')}$`),
  run: SERVE[`${route.method} ${route.path}` as HttpRouteKey],
}));

export function createApiHandler(jobTypes: readonly JobType<never>[], runtime: () => Runtime = lazyRuntime(jobTypes)): ApiHandler {
  return async (event) => {
    const method = event.requestContext.http.method.toUpperCase();
    const path = event.rawPath.replace(/\/+$/, '') || '/';
    try {
      const matching = ROUTES.filter((route) => route.pattern.test(path));
      const route = matching.find((r) => r.method === method);
      if (route === undefined) throw matching.length > 0 ? methodNotAllowed(method, path) : routeNotFound(method, path);
      return await route.run(runtime(), event, decodePathPart(route.pattern.exec(path)?.[1] ?? '', method, path));
    } catch (error) {
      return errorResponse(error, runtime().logger);
    }
  };
}

/** A path segment, unescaped; a malformed escape names no job, so it is a 404 rather than a 500. */
function decodePathPart(part: string, method: string, path: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw routeNotFound(method, path);
  }
}

async function postJob(runtime: Runtime, event: ApiEvent): Promise<HttpResponse> {
  const body = readJsonBody(event);
  const { job, created } = await runtime.board.post(body);
  return created ? json(201, toJobView(job), { location: `/jobs/${encodeURIComponent(job.id)}` }) : json(200, toJobView(job));
}

/** Largest batch of `POST /jobs/batch`. */
export const MAX_BATCH_JOBS = 100;
const batchSchema = z.strictObject({ jobs: z.array(z.unknown()).check(z.minLength(1), z.maxLength(MAX_BATCH_JOBS)) });

/** Posts up to 100 jobs; each answers with its own status, as `POST /jobs` would. */
async function postJobs(runtime: Runtime, event: ApiEvent): Promise<HttpResponse> {
  const parsed = parseWith(batchSchema, readJsonBody(event), '(body)');
  if (!parsed.success) throw new ValidationError(`the body must be {"jobs": [1 to ${MAX_BATCH_JOBS} job requests]}`, parsed.issues);
  const results = await runtime.board.postMany(parsed.data.jobs);
  return json(200, {
    results: results.map((r) => ('job' in r ? { status: r.created ? 201 : 200, job: toJobView(r.job) } : errorBody(r.error))),
  });
}

async function listJobs(runtime: Runtime, event: ApiEvent): Promise<HttpResponse> {
  const parsed = parseWith(listQuerySchema, event.queryStringParameters ?? {}, '(query)');
  if (!parsed.success) throw new ValidationError('invalid list query', parsed.issues);
  const page = await runtime.board.list(parsed.data);
  return json(200, { jobs: page.jobs.map(toJobView), nextCursor: page.nextCursor });
}

/** The request body as JSON: 415 unless it says JSON, 413 when too large, 400 when it does not parse. */
function readJsonBody(event: ApiEvent): unknown {
  const contentType = Object.entries(event.headers ?? {}).find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '';
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(contentType.trim())) throw unsupportedMediaType();
  const raw = event.body === undefined || event.body === null ? '' : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES) throw payloadTooLarge(MAX_BODY_BYTES);
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new ValidationError('the body is not valid JSON', [{ path: '(body)', message: 'invalid JSON' }]);
  }
}

export const handler = createApiHandler(demoJobTypes);
