/**
 * Bulk operations over HTTP against the real `npm start` entry: bad input is a 400 naming the
 * field and writes nothing; POST answers 202 with the running operation at once, and the local
 * stack's operation timer (1 s, not the sweep's minute) carries it to `succeeded`; GET by id,
 * 404 for an unknown id, and the list newest first, paged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperationPage, OperationView } from '../../lib/http/contract.js';
import { StackProcess } from '../support/local-stack.js';
import { waitFor } from '../support/wait.js';

// The sweep runs every minute (the default): an operation that ends in seconds was started by its own timer.
const stack = new StackProcess();
beforeAll(() => stack.start().then(() => undefined));
afterAll(() => stack.stop());

describe('bad operations change nothing', () => {
  const bad: [string, string, unknown][] = [
    ['no action', 'action', { filter: {} }],
    ['an unknown action', 'action', { action: 'delete', filter: {} }],
    ['no filter', 'filter', { action: 'retry' }],
    ['an unknown state', 'filter.state', { action: 'retry', filter: { state: 'lost' } }],
    ['a state retry does not leave', 'filter.state', { action: 'retry', filter: { state: 'posted' } }],
    ['a state resume does not leave', 'filter.state', { action: 'resume', filter: { state: 'failed' } }],
    ['a bad board', 'filter.board', { action: 'trash', filter: { board: 'a b' } }],
    ['an empty type', 'filter.type', { action: 'trash', filter: { type: '' } }],
    ['a time without an offset', 'filter.createdAfter', { action: 'retry', filter: { createdAfter: '2026-01-01 10:00' } }],
    ['createdBefore before createdAfter', 'filter.createdBefore', { action: 'retry', filter: { createdAfter: '2026-01-02T00:00:00Z', createdBefore: '2026-01-01T00:00:00+01:00' } }],
    ['an unknown filter field', 'filter', { action: 'retry', filter: { since: '10:00' } }],
    ['an unknown field', '(body)', { action: 'retry', filter: {}, force: true }],
  ];

  it.each(bad)('%s → 400 naming %s', async (_, field, body) => {
    const response = await stack.request('POST', '/operations', body);
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'ValidationError' });
    expect(response.body.error.details.map((d: { path: string }) => d.path)).toContain(field);
  });

  it('bad list queries are 400s naming the field; a body that is not JSON is 415; and no operation exists afterwards', async () => {
    for (const [query, field] of [['limit=0', 'limit'], ['limit=101', 'limit'], ['cursor=abc', 'cursor'], ['order=desc', '(query)']] as const) {
      const response = await stack.request('GET', `/operations?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.body.error.details.map((d: { path: string }) => d.path), query).toContain(field);
    }
    expect((await stack.request('POST', '/operations', 'action=retry', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await stack.request('GET', '/operations')).body).toEqual({ operations: [], nextCursor: null });
  });

  it('an unknown operation is 404 NotFoundError', async () => {
    for (const id of ['00000000a-0badcafe', 'nope']) {
      const response = await stack.request('GET', `/operations/${id}`);
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('NotFoundError');
    }
  });
});

describe('operations over HTTP', () => {
  it('POST answers 202 with the running operation; it ends succeeded within seconds; GET and the list show it', async () => {
    const posted = await stack.request('POST', '/jobs/batch', { jobs: Array.from({ length: 3 }, () => ({ type: 'demo.fail', payload: { permanent: true }, maxAttempts: 1, board: 'e2e-ops' })) });
    const ids: string[] = posted.body.results.map((r: { job: { id: string } }) => r.job.id);
    await waitFor(async () => (await stack.request('GET', '/jobs?board=e2e-ops&state=failed')).body.jobs.length === 3, { what: '3 failed jobs' });

    const started = Date.now();
    const response = await stack.request('POST', '/operations', { action: 'retry', filter: { board: 'e2e-ops', state: 'failed', createdAfter: '2020-01-01T00:00:00+02:00' } });
    expect(response.status).toBe(202);
    const operation = response.body as OperationView;
    expect(operation).toEqual({
      id: expect.stringMatching(/^[0-9a-z]{9}-[0-9a-f]{8}$/),
      action: 'retry',
      filter: { board: 'e2e-ops', state: 'failed', createdAfter: '2019-12-31T22:00:00.000Z' },
      state: 'running',
      matched: 0,
      done: 0,
      skipped: 0,
      failed: 0,
      error: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      endedAt: null,
    });
    expect(response.headers.get('location')).toBe(`/operations/${operation.id}`);

    const ended = await waitFor(async () => {
      const current = (await stack.request('GET', `/operations/${operation.id}`)).body as OperationView;
      return current.state === 'running' ? undefined : current;
    }, { timeoutMs: 20_000, what: 'the operation to end' });
    expect(ended).toMatchObject({ id: operation.id, state: 'succeeded', matched: 3, done: 3, skipped: 0, failed: 0, error: null });
    expect(Date.parse(ended.endedAt as string)).toBeGreaterThanOrEqual(Date.parse(ended.createdAt));
    // Started by the operations timer, not the sweep a minute later.
    expect(Date.now() - started).toBeLessThan(20_000);
    // The retried jobs ran again (and, being demo.fail, failed again).
    for (const id of ids) {
      const job = await waitFor(async () => {
        const current = (await stack.request('GET', `/jobs/${id}`)).body;
        return current.state === 'failed' && current.history.length === 2 ? current : undefined;
      }, { what: `job ${id} to fail a second time` });
      expect(job.history.map((attempt: { outcome: string }) => attempt.outcome)).toEqual(['failed', 'failed']);
    }

    // Two more, the last matching nothing: the list is newest first, and pages without gaps or repeats.
    const second = (await stack.request('POST', '/operations', { action: 'suspend', filter: { board: 'e2e-nowhere' } })).body as OperationView;
    const third = (await stack.request('POST', '/operations', { action: 'resume', filter: {} })).body as OperationView;
    const all = (await stack.request('GET', '/operations')).body as OperationPage;
    expect(all.operations.map((o) => o.id)).toEqual([third.id, second.id, operation.id]);
    expect(all.nextCursor).toBeNull();
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: OperationPage = (await stack.request('GET', `/operations?limit=1${cursor === null ? '' : `&cursor=${cursor}`}`)).body;
      expect(page.operations).toHaveLength(1);
      paged.push(...page.operations.map((o) => o.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(paged).toEqual([third.id, second.id, operation.id]);
    const nothing = await waitFor(async () => {
      const current = (await stack.request('GET', `/operations/${second.id}`)).body as OperationView;
      return current.state === 'running' ? undefined : current;
    }, { what: 'the empty operation to end' });
    expect(nothing).toMatchObject({ state: 'succeeded', matched: 0, done: 0, skipped: 0, failed: 0 });
  });
});
