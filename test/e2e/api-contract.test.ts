/**
 * Every route and documented status code of the HTTP API, over HTTP against the real `npm start`
 * entry. After all the bad inputs, /stats shows nothing was created.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StackProcess } from '../support/local-stack.js';
import { waitFor } from '../support/wait.js';

const stack = new StackProcess();
beforeAll(() => stack.start().then(() => undefined));
afterAll(() => stack.stop());

const EMPTY = { posted: 0, claimed: 0, waiting: 0, suspended: 0, completed: 0, failed: 0, trashed: 0 };

describe('bad input changes nothing', () => {
  const bad: [string, string, unknown, Record<string, string>, number, string][] = [
    ['invalid JSON', 'POST', '{"type": "demo.echo",', {}, 400, 'ValidationError'],
    ['missing type', 'POST', { payload: {} }, {}, 400, 'ValidationError'],
    ['unknown type', 'POST', { type: 'no.such.type' }, {}, 400, 'ValidationError'],
    ['payload not an object', 'POST', { type: 'demo.echo', payload: [1] }, {}, 400, 'ValidationError'],
    ['payload a string', 'POST', { type: 'demo.echo', payload: 'x' }, {}, 400, 'ValidationError'],
    ['unknown field', 'POST', { type: 'demo.echo', priority: 1 }, {}, 400, 'ValidationError'],
    ['maxAttempts 0', 'POST', { type: 'demo.echo', maxAttempts: 0 }, {}, 400, 'ValidationError'],
    ['maxAttempts 101', 'POST', { type: 'demo.echo', maxAttempts: 101 }, {}, 400, 'ValidationError'],
    ['timeoutSeconds 901', 'POST', { type: 'demo.echo', timeoutSeconds: 901 }, {}, 400, 'ValidationError'],
    ['delaySeconds -1', 'POST', { type: 'demo.echo', delaySeconds: -1 }, {}, 400, 'ValidationError'],
    ['delaySeconds over a year', 'POST', { type: 'demo.echo', delaySeconds: 31_536_001 }, {}, 400, 'ValidationError'],
    ['bad id', 'POST', { type: 'demo.echo', id: 'a/b c' }, {}, 400, 'ValidationError'],
    ['payload rejected by its type', 'POST', { type: 'demo.sleep', payload: { ms: 'long' } }, {}, 400, 'ValidationError'],
    ['300 KiB body', 'POST', { type: 'demo.echo', payload: { blob: 'x'.repeat(300 * 1024) } }, {}, 413, 'PayloadTooLargeError'],
    ['non-JSON content type', 'POST', 'type=demo.echo', { 'content-type': 'application/x-www-form-urlencoded' }, 415, 'UnsupportedMediaTypeError'],
  ];

  it.each(bad)('%s → %s', async (_, method, body, headers, status, code) => {
    const response =
      typeof body === 'string' && headers['content-type'] === undefined
        ? await fetch(`${stack.url}/jobs`, { method, headers: { 'content-type': 'application/json' }, body }).then(async (r) => ({ status: r.status, body: await r.json() }))
        : await stack.request(method, '/jobs', body, headers);
    expect(response.status).toBe(status);
    expect(response.body.error).toMatchObject({ code });
    expect(typeof response.body.error.message).toBe('string');
    expect(Array.isArray(response.body.error.details)).toBe(true);
  });

  it('lists the problems in details, naming the field and saying what is wrong', async () => {
    const response = await stack.request('POST', '/jobs', { type: 'demo.echo', maxAttempts: 0, colour: 'red' });
    expect(response.body.error.details).toEqual(
      expect.arrayContaining([
        { path: 'maxAttempts', message: 'Too small: expected number to be >=1' },
        { path: '(body)', message: 'Unrecognized key: "colour"' },
      ]),
    );
    expect(response.body.error.details).toHaveLength(2);
  });

  it('unknown ids, routes, methods, states, limits and cursors are refused', async () => {
    expect((await stack.request('GET', '/jobs/no-such-job')).status).toBe(404);
    expect((await stack.request('GET', '/jobs/no-such-job')).body.error.code).toBe('NotFoundError');
    expect((await stack.request('DELETE', '/jobs/no-such-job')).status).toBe(404);
    expect((await stack.request('POST', '/jobs/no-such-job/retry')).status).toBe(404);
    expect((await stack.request('GET', '/nowhere')).status).toBe(404);
    expect((await stack.request('GET', '/jobs/%E0%A4%A')).status).toBe(404); // a malformed escape names no job
    expect((await stack.request('PUT', '/jobs')).status).toBe(405);
    for (const query of ['state=sleeping', 'limit=0', 'limit=101', 'limit=ten', 'cursor=garbage', 'colour=red', 'order=sideways', 'from=yesterday', 'from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z']) {
      const response = await stack.request('GET', `/jobs?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.body.error.code).toBe('ValidationError');
    }
  });

  it('after every bad input, /stats shows nothing was created', async () => {
    expect((await stack.request('GET', '/stats')).body).toEqual(EMPTY);
    expect((await stack.request('GET', '/jobs')).body).toEqual({ jobs: [], nextCursor: null });
  });
});

describe('routes', () => {
  it('GET /health is ok', async () => {
    expect(await stack.request('GET', '/health')).toMatchObject({ status: 200, body: { ok: true } });
  });

  it('POST /jobs answers 201 with the job and its Location; GET /jobs/{id} shows it finish', async () => {
    const created = await stack.request('POST', '/jobs', { type: 'demo.echo', payload: { n: 1 }, id: 'contract-1' });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/jobs/contract-1');
    expect(created.body).toMatchObject({ id: 'contract-1', type: 'demo.echo', typeVersion: 1, state: 'posted', payload: { n: 1 }, attempts: 0, maxAttempts: 5, timeoutSeconds: 60, result: null, owner: null, errors: [], history: [], progress: null });
    expect(Object.keys(created.body).sort()).toEqual(
      ['id', 'type', 'typeVersion', 'state', 'board', 'priority', 'stopRequested', 'scopes', 'uniqueKey', 'dependsOn', 'waitingOn', 'onParentFailure', 'payload', 'result', 'attempts', 'maxAttempts', 'owner', 'leaseExpiresAt', 'errors', 'history', 'progress', 'createdAt', 'startedAt', 'endedAt', 'runAt', 'dispatchBy', 'timeoutSeconds'].sort(),
    );
    const done = await waitFor(async () => {
      const job = (await stack.request('GET', '/jobs/contract-1')).body;
      return job.state === 'completed' ? job : undefined;
    });
    expect(done).toMatchObject({ result: { n: 1 }, attempts: 1 });
    expect(Date.parse(done.endedAt)).toBeGreaterThanOrEqual(Date.parse(done.createdAt));
  });

  it('POST /jobs with runAt and dispatchBy shows them as ISO times', async () => {
    const runAt = new Date(Date.now() + 3_600_000).toISOString();
    const response = await stack.request('POST', '/jobs', { type: 'demo.echo', runAt, dispatchBy: new Date(Date.now() + 7_200_000).toISOString() });
    expect(response.status).toBe(201);
    expect(response.body.runAt).toBe(runAt);
    expect(response.body.state).toBe('posted');
  });

  it('POST /dead-letters/redrive answers how many it moved', async () => {
    expect(await stack.request('POST', '/dead-letters/redrive')).toMatchObject({ status: 200, body: { moved: 0 } });
  });
});
