/**
 * Every route of the contract, called through the typed client (`jobboard/client`) against the
 * real local stack. The cases are a table keyed by operation id, so a route added to the contract
 * does not compile until it has a case here. Each case makes real calls and asserts what came
 * back; on top of that, a middleware checks every answer against the contract: its status must be
 * one the route declares, and its body must parse with that status's schema.
 */
import type { Middleware } from 'openapi-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeParse } from 'zod/mini';
import { answerOf, ApiError, createJobboardClient, dataOf, type JobboardClient, type JobView, type OperationView } from '../../cli/client.js';
import { ROUTES, type OperationId, type ResponseContract } from '../../lib/http/contract.js';
import { StackProcess } from '../support/local-stack.js';
import { waitFor } from '../support/wait.js';

const stack = new StackProcess({ startTimeoutMs: 120_000 });
let client: JobboardClient;

/** Statuses each operation answered, and every answer that broke the contract. */
const answered = new Map<string, number[]>();
const breaches: string[] = [];

/** Checks each answer against the route's declared statuses and schemas. */
const contractCheck: Middleware = {
  async onResponse({ request, response, schemaPath }) {
    const route = ROUTES.find((r) => r.path === schemaPath && r.method === request.method);
    if (route === undefined) return void breaches.push(`${request.method} ${schemaPath}: not a route of the contract`);
    answered.set(route.operationId, [...(answered.get(route.operationId) ?? []), response.status]);
    const declared = (route.responses as Record<number, ResponseContract>)[response.status];
    if (declared === undefined) return void breaches.push(`${route.operationId} answered ${response.status}, a status its route does not declare`);
    const parsed = safeParse(declared.schema, await response.clone().json());
    if (!parsed.success) breaches.push(`${route.operationId} ${response.status}: ${parsed.error.message}`);
  },
};

beforeAll(async () => {
  await stack.start();
  client = createJobboardClient({ baseUrl: stack.url });
  client.use(contractCheck);
});
afterAll(() => stack.stop());

const byId = (id: string) => ({ params: { path: { id } } });

/** A `demo.echo` job that stays posted for ten minutes, on `board`. */
const postDelayed = (board: string): Promise<JobView> => dataOf(client.POST('/jobs', { body: { type: 'demo.echo', board, delaySeconds: 600 } }));

/** The rejection of a call that must fail, as the client's typed error. */
async function apiErrorOf(call: Promise<unknown>): Promise<ApiError> {
  const error = await call.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

/** Polls an operation until it ends. */
const operationEnded = (id: string): Promise<OperationView> =>
  waitFor(
    async () => {
      const operation = await dataOf(client.GET('/operations/{id}', byId(id)));
      return operation.state === 'running' ? undefined : operation;
    },
    { timeoutMs: 30_000, intervalMs: 200, what: `operation ${id} to end` },
  );

/** One case per operation of the contract; the compiler demands a case for each new route. */
const CASES: Record<OperationId, () => Promise<void>> = {
  getHealth: async () => {
    expect(await answerOf(client.GET('/health'))).toEqual({ status: 200, data: { ok: true } });
  },
  getOpenApi: async () => {
    const document = await dataOf(client.GET('/openapi.json'));
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths).sort()).toEqual([...new Set(ROUTES.map((r) => r.path))].sort());
  },
  postJob: async () => {
    const body = { type: 'demo.echo', id: 'routes-post', payload: { n: 1 } };
    const created = await answerOf(client.POST('/jobs', { body }));
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({ id: 'routes-post', type: 'demo.echo', payload: { n: 1 } });
    expect((await answerOf(client.POST('/jobs', { body }))).status).toBe(200);
    expect((await apiErrorOf(dataOf(client.POST('/jobs', { body: { ...body, payload: { n: 2 } } })))).code).toBe('ConflictError');
  },
  postJobs: async () => {
    const { results } = await dataOf(client.POST('/jobs/batch', { body: { jobs: [{ type: 'demo.echo', payload: { batch: true } }, { type: 'no.such.type' }] } }));
    expect(results).toHaveLength(2);
    expect(results[0]).toMatchObject({ status: 201, job: { type: 'demo.echo', payload: { batch: true } } });
    expect(results[1]).toMatchObject({ status: 400, error: { code: 'ValidationError' } });
  },
  listJobs: async () => {
    const posted = [await postDelayed('routes-list'), await postDelayed('routes-list')];
    const first = await dataOf(client.GET('/jobs', { params: { query: { board: 'routes-list', limit: 1 } } }));
    expect(first.jobs.map((j) => j.id)).toEqual([posted[0]!.id]);
    expect(typeof first.nextCursor).toBe('string');
    const second = await dataOf(client.GET('/jobs', { params: { query: { board: 'routes-list', limit: 1, cursor: first.nextCursor ?? undefined } } }));
    expect(second.jobs.map((j) => j.id)).toEqual([posted[1]!.id]);
    expect((await apiErrorOf(dataOf(client.GET('/jobs', { params: { query: { limit: 0 } } })))).status).toBe(400);
  },
  getJob: async () => {
    const job = await postDelayed('routes-get');
    expect(await dataOf(client.GET('/jobs/{id}', byId(job.id)))).toMatchObject({ id: job.id, board: 'routes-get', state: 'posted' });
    const missing = await apiErrorOf(dataOf(client.GET('/jobs/{id}', byId('routes-no-such-job'))));
    expect([missing.status, missing.code]).toEqual([404, 'NotFoundError']);
  },
  trashJob: async () => {
    const job = await postDelayed('routes-trash');
    expect(await answerOf(client.DELETE('/jobs/{id}', byId(job.id)))).toMatchObject({ status: 200, data: { id: job.id, state: 'trashed' } });
    expect((await apiErrorOf(dataOf(client.DELETE('/jobs/{id}', byId(job.id))))).status).toBe(409);
  },
  suspendJob: async () => {
    const job = await postDelayed('routes-suspend');
    expect(await answerOf(client.POST('/jobs/{id}/suspend', byId(job.id)))).toMatchObject({ status: 200, data: { state: 'suspended' } });
  },
  resumeJob: async () => {
    const job = await postDelayed('routes-resume');
    await dataOf(client.POST('/jobs/{id}/suspend', byId(job.id)));
    expect(await answerOf(client.POST('/jobs/{id}/resume', byId(job.id)))).toMatchObject({ status: 200, data: { id: job.id, state: 'posted' } });
  },
  retryJob: async () => {
    const job = await dataOf(client.POST('/jobs', { body: { type: 'demo.fail', maxAttempts: 1, payload: { message: 'routes' } } }));
    await waitFor(async () => (await dataOf(client.GET('/jobs/{id}', byId(job.id)))).state === 'failed', { timeoutMs: 30_000, intervalMs: 100, what: 'the demo.fail job to fail' });
    expect(await answerOf(client.POST('/jobs/{id}/retry', byId(job.id)))).toMatchObject({ status: 200, data: { state: 'posted', attempts: 0 } });
  },
  getStats: async () => {
    await postDelayed('routes-stats');
    // Counts come from the change stream: they converge within seconds.
    const stats = await waitFor(
      async () => {
        const counts = await dataOf(client.GET('/stats', { params: { query: { board: 'routes-stats' } } }));
        return counts.posted === 1 ? counts : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200, what: 'routes-stats to count its job' },
    );
    expect(stats).toMatchObject({ posted: 1, claimed: 0, completed: 0 });
  },
  listBoards: async () => {
    await postDelayed('routes-boards');
    const { boards } = await dataOf(client.GET('/boards'));
    expect(boards.map((b) => b.name)).toContain('routes-boards');
  },
  getBoard: async () => {
    await postDelayed('routes-board');
    expect(await dataOf(client.GET('/boards/{board}', { params: { path: { board: 'routes-board' } } }))).toMatchObject({ name: 'routes-board', paused: false, maxRunning: null });
  },
  updateBoard: async () => {
    const path = { params: { path: { board: 'routes-update' } } };
    expect(await dataOf(client.PUT('/boards/{board}', { ...path, body: { paused: true, maxRunning: 3 } }))).toMatchObject({ name: 'routes-update', paused: true, maxRunning: 3 });
    expect((await apiErrorOf(dataOf(client.PUT('/boards/{board}', { ...path, body: { maxRunning: 0 } })))).code).toBe('ValidationError');
  },
  redriveDeadLetters: async () => {
    const { moved } = await dataOf(client.POST('/dead-letters/redrive'));
    expect(Number.isInteger(moved) && moved >= 0).toBe(true);
  },
  listSchedules: async () => {
    await dataOf(client.PUT('/schedules/{name}', { params: { path: { name: 'routes-list' } }, body: { type: 'demo.echo', every: 3600, paused: true } }));
    const { schedules } = await dataOf(client.GET('/schedules'));
    expect(schedules.map((s) => s.name)).toContain('routes-list');
  },
  getSchedule: async () => {
    const path = { params: { path: { name: 'routes-get' } } };
    await dataOf(client.PUT('/schedules/{name}', { ...path, body: { type: 'demo.echo', cron: '0 3 * * *', paused: true } }));
    expect(await dataOf(client.GET('/schedules/{name}', path))).toMatchObject({ name: 'routes-get', type: 'demo.echo', cron: '0 3 * * *', paused: true });
    expect((await apiErrorOf(dataOf(client.GET('/schedules/{name}', { params: { path: { name: 'routes-none' } } })))).status).toBe(404);
  },
  putSchedule: async () => {
    const schedule = await dataOf(client.PUT('/schedules/{name}', { params: { path: { name: 'routes-put' } }, body: { type: 'demo.echo', every: 60, payload: { from: 'routes' } } }));
    expect(schedule).toMatchObject({ name: 'routes-put', every: 60, payload: { from: 'routes' }, paused: false });
    expect(Date.parse(schedule.nextRunAt ?? '')).toBeGreaterThan(Date.now() - 1_000);
  },
  deleteSchedule: async () => {
    const path = { params: { path: { name: 'routes-delete' } } };
    await dataOf(client.PUT('/schedules/{name}', { ...path, body: { type: 'demo.echo', every: 3600, paused: true } }));
    expect(await dataOf(client.DELETE('/schedules/{name}', path))).toMatchObject({ name: 'routes-delete' });
    expect((await apiErrorOf(dataOf(client.DELETE('/schedules/{name}', path)))).status).toBe(404);
  },
  createOperation: async () => {
    const jobs = [await postDelayed('routes-operation'), await postDelayed('routes-operation')];
    for (const job of jobs) await dataOf(client.POST('/jobs/{id}/suspend', byId(job.id)));
    const started = await answerOf(client.POST('/operations', { body: { action: 'resume', filter: { board: 'routes-operation' } } }));
    expect(started).toMatchObject({ status: 202, data: { action: 'resume', filter: { board: 'routes-operation' }, state: 'running' } });
    expect(await operationEnded(started.data.id)).toMatchObject({ state: 'succeeded', matched: 2, done: 2, skipped: 0, failed: 0 });
    for (const job of jobs) expect((await dataOf(client.GET('/jobs/{id}', byId(job.id)))).state).toBe('posted');
    expect((await apiErrorOf(dataOf(client.POST('/operations', { body: { action: 'retry', filter: { state: 'posted' } } })))).code).toBe('ValidationError');
  },
  getOperation: async () => {
    const { id } = await dataOf(client.POST('/operations', { body: { action: 'retry', filter: { board: 'routes-nothing' } } }));
    expect(await dataOf(client.GET('/operations/{id}', byId(id)))).toMatchObject({ id, action: 'retry' });
    expect(await operationEnded(id)).toMatchObject({ state: 'succeeded', matched: 0, done: 0 });
    expect((await apiErrorOf(dataOf(client.GET('/operations/{id}', byId('routes-no-such-operation'))))).status).toBe(404);
  },
  listOperations: async () => {
    const { id } = await dataOf(client.POST('/operations', { body: { action: 'trash', filter: { board: 'routes-nothing' } } }));
    const page = await dataOf(client.GET('/operations', { params: { query: { limit: 100 } } }));
    // Newest first: the one just created leads.
    expect(page.operations[0]?.id).toBe(id);
  },
};

describe('every route through the typed client, against the local stack', () => {
  it.each(Object.entries(CASES))('%s', async (operationId, run) => {
    await run();
    expect(breaches).toEqual([]);
    expect(answered.get(operationId)?.some((status) => status < 300), `${operationId} was called and succeeded`).toBe(true);
  });

  it('covered every route of the contract', () => {
    expect([...answered.keys()].sort()).toEqual(ROUTES.map((r) => r.operationId).sort());
  });
});
