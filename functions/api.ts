/**
 * Lambda handler for the HTTP API (API Gateway HTTP API, payload format 2.0), served from the
 * contract (`lib/http/contract.ts`): each route's path parameters, query and body are parsed with
 * the route's own schemas, and every operation id has its handler (the compiler checks none is
 * missing). Routes by method and path, so it serves the same whether API Gateway names each
 * route or forwards `$default`.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { LIMITS } from '../lib/config.js';
import { ValidationError } from '../lib/errors.js';
import { ROUTES, type OperationId, type Route } from '../lib/http/contract.js';
import { toJobView } from '../lib/http/job-view.js';
import { openApiDocument } from '../lib/http/openapi.js';
import { parsePostRequest } from '../lib/http/post-request.js';
import type { PostResult, StopAnswer } from '../lib/job-service.js';
import type { NewJob } from '../lib/new-job.js';
import type { JobType } from '../lib/registry.js';
import { parseWith } from '../lib/schema.js';
import { toScheduleView } from '../lib/schedules/schedule-view.js';
import { toOperationView } from '../lib/http/operation-view.js';
import { errorBody, errorResponse, json, methodNotAllowed, payloadTooLarge, routeNotFound, unsupportedMediaType, type HttpResponse } from './http.js';
import { lazyRuntime, type Runtime } from './runtime.js';

/** Largest body accepted: the payload limit plus room for the other fields. */
export const MAX_BODY_BYTES = LIMITS.payloadBytes + 16 * 1024;

export type ApiEvent = Pick<APIGatewayProxyEventV2, 'rawPath' | 'headers' | 'body' | 'isBase64Encoded' | 'queryStringParameters'> & {
  requestContext: { http: { method: string } };
};
export type ApiHandler = (event: ApiEvent) => Promise<HttpResponse>;

/** A request as a route handler gets it: path parameters by name, the raw event for its query and body. */
interface Request {
  params: Record<string, string>;
  event: ApiEvent;
}
type RouteHandler = (runtime: Runtime, request: Request) => Promise<HttpResponse>;

/** What serves each operation of the contract. */
const SERVE: Record<OperationId, RouteHandler> = {
  getHealth: async () => json(200, { ok: true }),
  getOpenApi: async () => json(200, openApiDocument()),
  postJob: async (rt, { event }) => {
    const { job, created } = await rt.jobs.post(parsePostRequest(readJsonBody(event)));
    return created ? json(201, toJobView(job), { location: `/jobs/${encodeURIComponent(job.id)}` }) : json(200, toJobView(job));
  },
  postJobs,
  listJobs: async (rt, { event }) => {
    const query = parse(route('listJobs').query, event.queryStringParameters ?? {}, '(query)', 'invalid list query');
    const page = await rt.jobs.list({ ...query, from: time(query.from), to: time(query.to) });
    return json(200, { jobs: page.jobs.map(toJobView), nextCursor: page.nextCursor });
  },
  getJob: async (rt, { params }) => json(200, toJobView(await rt.jobs.get(params.id as string))),
  trashJob: async (rt, { params }) => stopAnswer(await rt.jobs.cancel(params.id as string)),
  suspendJob: async (rt, { params }) => stopAnswer(await rt.jobs.suspend(params.id as string)),
  resumeJob: async (rt, { params }) => json(200, toJobView(await rt.jobs.resume(params.id as string))),
  retryJob: async (rt, { params }) => json(200, toJobView(await rt.jobs.retry(params.id as string))),
  getStats: async (rt, { event }) => {
    const query = parse(route('getStats').query, event.queryStringParameters ?? {}, '(query)', 'invalid stats query');
    return json(200, await rt.jobs.count(query.board));
  },
  listBoards: async (rt) => json(200, { boards: await rt.jobs.boards() }),
  getBoard: async (rt, { params }) => json(200, await rt.jobs.board(params.board as string)),
  updateBoard: async (rt, { params, event }) => {
    const patch = parse(route('updateBoard').body, readJsonBody(event), '(body)', 'invalid board settings');
    return json(200, await rt.jobs.updateBoard(params.board as string, patch));
  },
  redriveDeadLetters: async (rt) => json(200, await rt.jobs.redriveDeadLetters()),
  // Periodic schedules: the service parses the PUT body (and checks the job type) before writing.
  listSchedules: async (rt) => json(200, { schedules: (await rt.schedules.list()).map((s) => toScheduleView(s, rt.schedules.now())) }),
  getSchedule: async (rt, { params }) => json(200, toScheduleView(await rt.schedules.get(params.name as string), rt.schedules.now())),
  putSchedule: async (rt, { params, event }) => json(200, toScheduleView(await rt.schedules.put(params.name as string, readJsonBody(event)), rt.schedules.now())),
  deleteSchedule: async (rt, { params }) => json(200, toScheduleView(await rt.schedules.delete(params.name as string), rt.schedules.now())),
  // Bulk operations: the POST only writes the operation (202 at once); the sweeper's operation task runs it.
  createOperation: async (rt, { event }) => {
    const operation = await rt.operations.create(readJsonBody(event));
    return json(202, toOperationView(operation), { location: `/operations/${operation.id}` });
  },
  listOperations: async (rt, { event }) => {
    const query = parse(route('listOperations').query, event.queryStringParameters ?? {}, '(query)', 'invalid operations query');
    const page = await rt.operations.list(query);
    return json(200, { operations: page.operations.map(toOperationView), nextCursor: page.nextCursor });
  },
  getOperation: async (rt, { params }) => json(200, toOperationView(await rt.operations.get(params.id as string))),
};

/** Each route with a matcher: `/jobs/{id}/retry` → /^\/jobs\/([^/]+)\/retry$/ and its parameter names. */
const MATCHERS = ROUTES.map((r) => ({
  route: r as Route,
  names: [...r.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string),
  pattern: new RegExp(`^${r.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '([^/]+)')}$`),
}));

export function createApiHandler(jobTypes: readonly JobType<never>[], runtime: () => Runtime = lazyRuntime(jobTypes)): ApiHandler {
  return async (event) => {
    const method = event.requestContext.http.method.toUpperCase();
    const path = event.rawPath.replace(/\/+$/, '') || '/';
    try {
      const matching = MATCHERS.filter((m) => m.pattern.test(path));
      const matched = matching.find((m) => m.route.method === method);
      if (matched === undefined) throw matching.length > 0 ? methodNotAllowed(method, path) : routeNotFound(method, path);
      const values = (matched.pattern.exec(path) ?? []).slice(1).map((part) => decodePathPart(part, method, path));
      const params = Object.fromEntries(matched.names.map((name, n) => [name, values[n] as string]));
      if ('params' in matched.route) parse(matched.route.params, params, '(path)', 'invalid path');
      return await SERVE[matched.route.operationId](runtime(), { params, event });
    } catch (error) {
      return errorResponse(error, runtime().logger);
    }
  };
}

/** 200 when the job changed at once; 202 when its running attempt was asked to stop and the change is still to come. */
function stopAnswer({ job, stopping }: StopAnswer): HttpResponse {
  return json(stopping ? 202 : 200, toJobView(job));
}

/** Posts up to 100 jobs; each is parsed on its own and answers with its own status, as `POST /jobs` would. */
async function postJobs(runtime: Runtime, { event }: Request): Promise<HttpResponse> {
  const { jobs } = parse(route('postJobs').body, readJsonBody(event), '(body)', `the body must be {"jobs": [1 to 100 job requests]}`);
  const parsed = jobs.map((body): { request: NewJob } | { error: ValidationError } => {
    try {
      return { request: parsePostRequest(body) };
    } catch (error) {
      if (error instanceof ValidationError) return { error };
      throw error;
    }
  });
  const valid = parsed.flatMap((p) => ('request' in p ? [p.request] : []));
  const written = await runtime.jobs.postMany(valid);
  let next = 0;
  const results: PostResult[] = parsed.map((p) => ('error' in p ? p : (written[next++] as PostResult)));
  return json(200, {
    results: results.map((r) => ('job' in r ? { status: r.created ? 201 : 200, job: toJobView(r.job) } : errorBody(r.error))),
  });
}

/** The route with this operation id (the contract is the one table of routes). */
function route<K extends OperationId>(operationId: K): Extract<Route, { operationId: K }> {
  return ROUTES.find((r) => r.operationId === operationId) as Extract<Route, { operationId: K }>;
}

function parse<S extends Parameters<typeof parseWith>[0]>(schema: S, value: unknown, root: string, message: string): ReturnType<typeof parseWith<S>> extends infer P ? (P extends { success: true; data: infer D } ? D : never) : never {
  const parsed = parseWith(schema, value, root);
  if (!parsed.success) throw new ValidationError(message, parsed.issues);
  return parsed.data as never;
}

const time = (iso: string | undefined): number | undefined => (iso === undefined ? undefined : Date.parse(iso));

/** A path segment, unescaped; a malformed escape names no job, so it is a 404 rather than a 500. */
function decodePathPart(part: string, method: string, path: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw routeNotFound(method, path);
  }
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
