/**
 * The HTTP contract (DESIGN.md, HTTP API): every route with its operation id and the schemas of
 * its path parameters, query, body and each response. The API handler validates with these
 * schemas, the CDK stack declares these routes, the CLI takes its types from them, and an OpenAPI
 * document can be generated from them: one source, no hand-kept copies.
 *
 * Schemas use `zod/mini` (see `../schema.ts` for why); import builders by property.
 */
import * as z from 'zod/mini';
import { LIMITS } from '../config.js';
import { JOB_STATES } from '../states.js';
import { jobViewSchema } from './job-view.js';
import { postRequestSchema } from './post-request.js';
import { scheduleParamsSchema, scheduleRequestSchema } from '../schedules/schedule-request.js';
import { scheduleListSchema, scheduleViewSchema } from '../schedules/schedule-view.js';
import { operationListQuerySchema, operationRequestSchema } from '../maintenance/operation-request.js';
import { operationPageSchema, operationViewSchema } from './operation-view.js';

const isoTime = z.iso.datetime({ offset: true });

/** The `error` member of every error answer. */
export const errorSchema = z.object({ code: z.string(), message: z.string(), details: z.array(z.object({ path: z.string(), message: z.string() })) });
export const errorBodySchema = z.object({ error: errorSchema });

export const idParamsSchema = z.strictObject({ id: z.string().check(z.minLength(1), z.maxLength(256)) });

export const boardParamsSchema = z.strictObject({ board: boardName });

export const listQuerySchema = z.strictObject({
  state: z.optional(z.enum(JOB_STATES)),
  type: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  board: z.optional(boardName),
  priority: z.optional(z.enum(PRIORITIES)),
  limit: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(LIMITS.listLimitMax))),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2_000))),
  /** `asc` (default): oldest first; `desc`: newest first. */
  order: z.optional(z.enum(['asc', 'desc'])),
  /** Inclusive bounds on creation time (open jobs) or end time (finished jobs). */
  from: z.optional(isoTime),
  to: z.optional(isoTime),
});

/** Largest batch of `POST /jobs/batch`. */
export const MAX_BATCH_JOBS = 100;
export const batchRequestSchema = z.strictObject({ jobs: z.array(z.unknown()).check(z.minLength(1), z.maxLength(MAX_BATCH_JOBS)) });
export const batchResultSchema = z.object({
  results: z.array(z.union([z.object({ status: z.int(), job: jobViewSchema }), z.object({ status: z.int(), error: errorSchema })])),
});
export const jobPageSchema = z.object({ jobs: z.array(jobViewSchema), nextCursor: z.nullable(z.string()) });
export const statsSchema = z.object(Object.fromEntries(JOB_STATES.map((state) => [state, z.int()])) as Record<(typeof JOB_STATES)[number], z.ZodMiniInt>);
export const statsQuerySchema = z.strictObject({ board: z.optional(boardName) });
export const boardSchema = z.object({ name: z.string(), paused: z.boolean(), maxRunning: z.nullable(z.int()), counts: statsSchema });
export const boardListSchema = z.object({ boards: z.array(boardSchema) });
export const boardPatchSchema = z.strictObject({
  paused: z.optional(z.boolean()),
  maxRunning: z.optional(z.nullable(z.int().check(z.minimum(1), z.maximum(LIMITS.maxRunningMax)))),
});
export const redriveResultSchema = z.object({ moved: z.int() });
export const healthSchema = z.object({ ok: z.boolean() });
/** The OpenAPI document (`lib/http/openapi.ts` builds it): its frame is checked, its paths and components are JSON Schema's business. */
export const openApiDocumentSchema = z.looseObject({ openapi: z.string(), info: z.looseObject({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.unknown()) });

type Schema = z.ZodMiniType;
export interface ResponseContract {
  description: string;
  schema: Schema;
}
export interface RouteContract {
  operationId: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway's path syntax: `/jobs/{id}`. */
  path: string;
  summary: string;
  params?: Schema;
  query?: Schema;
  body?: Schema;
  responses: Record<number, ResponseContract>;
}

// The helpers keep each schema's own type (no `: ResponseContract` annotation), so the typed client sees what each route answers.
const error = (description: string) => ({ description, schema: errorBodySchema }) satisfies ResponseContract;
/** Every route may answer these. */
const COMMON = { 401: error('missing or wrong credentials'), 500: error('unexpected failure'), 503: error('storage unavailable; retry') };
const BAD = { 400: error('invalid input; `details` names each field') };
const JSON_BODY = { 413: error('body too large'), 415: error('body is not JSON') };
const job = (description: string) => ({ description, schema: jobViewSchema }) satisfies ResponseContract;

export const ROUTES = [
  { operationId: 'getHealth', method: 'GET', path: '/health', summary: 'Liveness', responses: { 200: { description: 'up', schema: healthSchema }, ...COMMON } },
  { operationId: 'getOpenApi', method: 'GET', path: '/openapi.json', summary: 'This API as an OpenAPI 3.1 document, generated from these routes', responses: { 200: { description: 'the document', schema: openApiDocumentSchema }, ...COMMON } },
  {
    operationId: 'postJob',
    method: 'POST',
    path: '/jobs',
    summary: 'Post a job',
    body: postRequestSchema,
    responses: { 201: job('created'), 200: job('the same id posted with the same body before'), ...BAD, 409: error('the id is taken by another body'), ...JSON_BODY, ...COMMON },
  },
  {
    operationId: 'postJobs',
    method: 'POST',
    path: '/jobs/batch',
    summary: 'Post up to 100 jobs; each answers as POST /jobs would',
    body: batchRequestSchema,
    responses: { 200: { description: 'one result per job, in order', schema: batchResultSchema }, ...BAD, ...JSON_BODY, ...COMMON },
  },
  {
    operationId: 'listJobs',
    method: 'GET',
    path: '/jobs',
    summary: 'List jobs, oldest (or newest) first, one page at a time',
    query: listQuerySchema,
    responses: { 200: { description: 'a page; nextCursor null on the last', schema: jobPageSchema }, ...BAD, ...COMMON },
  },
  { operationId: 'getJob', method: 'GET', path: '/jobs/{id}', summary: 'One job', params: idParamsSchema, responses: { 200: job('the job'), 404: error('no such job'), ...COMMON } },
  {
    operationId: 'trashJob',
    method: 'DELETE',
    path: '/jobs/{id}',
    summary: 'Trash a job that is not running, or cancel its running attempt',
    params: idParamsSchema,
    responses: {
      200: job('trashed'),
      202: job('running: its attempt is asked to stop (stopRequested "cancel"), then the job ends trashed'),
      404: error('no such job'),
      409: error('already final'),
      ...COMMON,
    },
  },
  {
    operationId: 'suspendJob',
    method: 'POST',
    path: '/jobs/{id}/suspend',
    summary: 'Set a job aside until resumed; a running attempt is stopped first',
    params: idParamsSchema,
    responses: {
      200: job('suspended'),
      202: job('running: its attempt is asked to stop (stopRequested "suspend"), then the job is suspended'),
      404: error('no such job'),
      409: error('final, or suspended already'),
      ...COMMON,
    },
  },
  {
    operationId: 'resumeJob',
    method: 'POST',
    path: '/jobs/{id}/resume',
    summary: 'Put a suspended job back to posted',
    params: idParamsSchema,
    responses: { 200: job('posted again'), 404: error('no such job'), 409: error('not suspended'), ...COMMON },
  },
  {
    operationId: 'retryJob',
    method: 'POST',
    path: '/jobs/{id}/retry',
    summary: 'Put a failed or trashed job back to posted with a fresh attempt budget',
    params: idParamsSchema,
    responses: { 200: job('posted again'), 404: error('no such job'), 409: error('not failed or trashed'), ...COMMON },
  },
  {
    operationId: 'getStats',
    method: 'GET',
    path: '/stats',
    summary: 'How many jobs are in each state, on one board or all',
    query: statsQuerySchema,
    responses: { 200: { description: 'counts', schema: statsSchema }, ...BAD, ...COMMON },
  },
  {
    operationId: 'listBoards',
    method: 'GET',
    path: '/boards',
    summary: 'Every board that has had a job or a setting, with its settings and counts',
    responses: { 200: { description: 'the boards', schema: boardListSchema }, ...COMMON },
  },
  {
    operationId: 'getBoard',
    method: 'GET',
    path: '/boards/{board}',
    summary: 'One board, with its settings and counts',
    params: boardParamsSchema,
    responses: { 200: { description: 'the board', schema: boardSchema }, ...BAD, 404: error('no such board'), ...COMMON },
  },
  {
    operationId: 'updateBoard',
    method: 'PUT',
    path: '/boards/{board}',
    summary: 'Pause or resume a board, or limit how many of its jobs run at once',
    params: boardParamsSchema,
    body: boardPatchSchema,
    responses: { 200: { description: 'the board as it now stands', schema: boardSchema }, ...BAD, ...JSON_BODY, ...COMMON },
  },
  {
    operationId: 'redriveDeadLetters',
    method: 'POST',
    path: '/dead-letters/redrive',
    summary: 'Move dead-lettered postings back to the postings queue',
    responses: { 200: { description: 'how many moved', schema: redriveResultSchema }, ...COMMON },
  },
  // Periodic schedules (DESIGN.md, Wave 2 > Periodic jobs).
  {
    operationId: 'listSchedules',
    method: 'GET',
    path: '/schedules',
    summary: 'Every periodic schedule, by name',
    responses: { 200: { description: 'the schedules', schema: scheduleListSchema }, ...COMMON },
  },
  {
    operationId: 'getSchedule',
    method: 'GET',
    path: '/schedules/{name}',
    summary: 'One periodic schedule, with when it next posts',
    params: scheduleParamsSchema,
    responses: { 200: { description: 'the schedule', schema: scheduleViewSchema }, ...BAD, 404: error('no such schedule'), ...COMMON },
  },
  {
    operationId: 'putSchedule',
    method: 'PUT',
    path: '/schedules/{name}',
    summary: 'Create a periodic schedule, or replace its settings (a field left out takes its default)',
    params: scheduleParamsSchema,
    body: scheduleRequestSchema,
    responses: { 200: { description: 'the schedule as it now stands, with nextRunAt', schema: scheduleViewSchema }, ...BAD, ...JSON_BODY, ...COMMON },
  },
  {
    operationId: 'deleteSchedule',
    method: 'DELETE',
    path: '/schedules/{name}',
    summary: 'Remove a periodic schedule (jobs it posted stay)',
    params: scheduleParamsSchema,
    responses: { 200: { description: 'the schedule as it was', schema: scheduleViewSchema }, ...BAD, 404: error('no such schedule'), ...COMMON },
  },
  // Bulk operations (DESIGN.md, Wave 2 > Bulk operations): run server side by the sweeper's operation task.
  {
    operationId: 'createOperation',
    method: 'POST',
    path: '/operations',
    summary: 'Start a bulk operation: retry, trash, suspend or resume every job a filter matches',
    body: operationRequestSchema,
    responses: { 202: { description: 'accepted: running; poll GET /operations/{id} for its counts', schema: operationViewSchema }, ...BAD, ...JSON_BODY, ...COMMON },
  },
  {
    operationId: 'listOperations',
    method: 'GET',
    path: '/operations',
    summary: 'Bulk operations, newest first, one page at a time',
    query: operationListQuerySchema,
    responses: { 200: { description: 'a page; nextCursor null on the last', schema: operationPageSchema }, ...BAD, ...COMMON },
  },
  {
    operationId: 'getOperation',
    method: 'GET',
    path: '/operations/{id}',
    summary: 'One bulk operation, with its counts so far',
    params: idParamsSchema,
    responses: { 200: { description: 'the operation', schema: operationViewSchema }, 404: error('no such operation'), ...COMMON },
  },
] as const satisfies readonly RouteContract[];

export type Route = (typeof ROUTES)[number];
export type OperationId = Route['operationId'];
/** `GET /jobs/{id}`, and so on. */
export type HttpRouteKey = Route extends infer R ? (R extends Route ? `${R['method']} ${R['path']}` : never) : never;

/** Method and path of every route: what the CDK stack declares. */
export const HTTP_ROUTES: readonly { method: Route['method']; path: Route['path'] }[] = ROUTES.map(({ method, path }) => ({ method, path }));

/** The shapes the API speaks, for clients (the CLI) and tests. */
export type PostJobBody = z.input<typeof postRequestSchema>;
export type ListQuery = z.input<typeof listQuerySchema>;
export type JobPage = z.output<typeof jobPageSchema>;
export type BatchResult = z.output<typeof batchResultSchema>;
export type Stats = z.output<typeof statsSchema>;
export type BoardView = z.output<typeof boardSchema>;
export type BoardList = z.output<typeof boardListSchema>;
export type BoardPatchBody = z.input<typeof boardPatchSchema>;
export type RedriveResult = z.output<typeof redriveResultSchema>;
export type Health = z.output<typeof healthSchema>;
export type ApiErrorBody = z.output<typeof errorSchema>;
export type { JobView } from './job-view.js';
export type ScheduleBody = z.input<typeof scheduleRequestSchema>;
export type { ScheduleView } from '../schedules/schedule-view.js';
export type ScheduleList = z.output<typeof scheduleListSchema>;
export type { OperationBody } from '../maintenance/operation-request.js';
export type OperationListQuery = z.input<typeof operationListQuerySchema>;
export type { OperationView } from './operation-view.js';
import { PRIORITIES } from '../model.js';
import { boardName } from '../boards/board.js';
export type OperationPage = z.output<typeof operationPageSchema>;
