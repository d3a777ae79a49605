/**
 * The wave-2 routes over HTTP against the real `npm start` entry: boards (`GET /boards`,
 * `GET/PUT /boards/{board}`, `?board=` on lists and stats), priority, suspend and resume. Every
 * bad value gets a 400 naming the field (404/409 for unknown or final jobs) and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StackProcess } from '../support/local-stack.js';
import { waitFor } from '../support/wait.js';

const stack = new StackProcess();
beforeAll(() => stack.start().then(() => undefined));
afterAll(() => stack.stop());

describe('bad input on the wave-2 fields and routes changes nothing', () => {
  const bad: [string, string, string, unknown, number, string, string][] = [
    ['board with a slash', 'POST', '/jobs', { type: 'demo.echo', board: 'a/b' }, 400, 'ValidationError', 'board'],
    ['board of 65 characters', 'POST', '/jobs', { type: 'demo.echo', board: 'b'.repeat(65) }, 400, 'ValidationError', 'board'],
    ['empty board', 'POST', '/jobs', { type: 'demo.echo', board: '' }, 400, 'ValidationError', 'board'],
    ['priority urgent', 'POST', '/jobs', { type: 'demo.echo', priority: 'urgent' }, 400, 'ValidationError', 'priority'],
    ['list by a bad board', 'GET', '/jobs?board=a%20b', undefined, 400, 'ValidationError', 'board'],
    ['list by a bad priority', 'GET', '/jobs?priority=top', undefined, 400, 'ValidationError', 'priority'],
    ['stats of a bad board', 'GET', '/stats?board=a*b', undefined, 400, 'ValidationError', 'board'],
    ['maxRunning 0', 'PUT', '/boards/nothing-new', { maxRunning: 0 }, 400, 'ValidationError', 'maxRunning'],
    ['maxRunning 1.5', 'PUT', '/boards/nothing-new', { maxRunning: 1.5 }, 400, 'ValidationError', 'maxRunning'],
    ['maxRunning 10001', 'PUT', '/boards/nothing-new', { maxRunning: 10_001 }, 400, 'ValidationError', 'maxRunning'],
    ['paused "yes"', 'PUT', '/boards/nothing-new', { paused: 'yes' }, 400, 'ValidationError', 'paused'],
    ['unknown board setting', 'PUT', '/boards/nothing-new', { colour: 'red' }, 400, 'ValidationError', '(body)'],
    ['bad board name in the path', 'PUT', '/boards/a.b*c', { paused: true }, 400, 'ValidationError', 'board'],
    ['suspend of an unknown job', 'POST', '/jobs/no-such-job/suspend', undefined, 404, 'NotFoundError', ''],
    ['resume of an unknown job', 'POST', '/jobs/no-such-job/resume', undefined, 404, 'NotFoundError', ''],
    ['an unknown board', 'GET', '/boards/never-seen', undefined, 404, 'NotFoundError', ''],
  ];

  it.each(bad)('%s → %s %s', async (_, method, path, body, status, code, field) => {
    const response = await stack.request(method, path, body);
    expect(response.status).toBe(status);
    expect(response.body.error).toMatchObject({ code });
    if (field !== '') expect(response.body.error.details.map((d: { path: string }) => d.path)).toContain(field);
  });

  it('afterwards no job and no board was created', async () => {
    expect((await stack.request('GET', '/stats')).body).toMatchObject({ posted: 0, completed: 0 });
    const { body } = await stack.request('GET', '/boards');
    expect(body.boards.map((b: { name: string }) => b.name)).toEqual(['default']);
  });
});

describe('boards over HTTP', () => {
  it('PUT /boards/{board} sets and clears settings; GET /boards and ?board= show each board and its counts', async () => {
    const set = await stack.request('PUT', '/boards/http-mail', { paused: true, maxRunning: 3 });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ name: 'http-mail', paused: true, maxRunning: 3, counts: { posted: 0 } });
    const posted = await stack.request('POST', '/jobs', { type: 'demo.echo', board: 'http-mail', priority: 'low' });
    expect(posted.body).toMatchObject({ board: 'http-mail', priority: 'low', state: 'posted' });

    expect((await stack.request('GET', '/jobs?board=http-mail')).body.jobs.map((j: { id: string }) => j.id)).toEqual([posted.body.id]);
    // Counts follow the change stream within moments.
    await waitFor(async () => (await stack.request('GET', '/stats?board=http-mail')).body.posted === 1, { what: 'the post counted' });
    expect((await stack.request('GET', '/stats?board=http-mail')).body).toMatchObject({ posted: 1, completed: 0 });
    const boards = (await stack.request('GET', '/boards')).body.boards;
    expect(boards.find((b: { name: string }) => b.name === 'http-mail')).toMatchObject({ paused: true, maxRunning: 3, counts: { posted: 1 } });

    // Lifting the limit and the pause lets the job run.
    expect((await stack.request('PUT', '/boards/http-mail', { paused: false, maxRunning: null })).body).toMatchObject({ paused: false, maxRunning: null });
    const done = await waitFor(async () => {
      const job = (await stack.request('GET', `/jobs/${posted.body.id}`)).body;
      return job.state === 'completed' ? job : undefined;
    }, { timeoutMs: 40_000 });
    expect(done.board).toBe('http-mail');
  });
});

describe('suspend and resume over HTTP', () => {
  it('suspend of a posted job answers 200; a second suspend 409; resume 200; resume again 409; suspend of a final job 409', async () => {
    const { body: job } = await stack.request('POST', '/jobs', { type: 'demo.echo', delaySeconds: 600 });
    const suspended = await stack.request('POST', `/jobs/${job.id}/suspend`);
    expect(suspended.status).toBe(200);
    expect(suspended.body).toMatchObject({ state: 'suspended', stopRequested: null });
    expect((await stack.request('POST', `/jobs/${job.id}/suspend`)).status).toBe(409);
    const resumed = await stack.request('POST', `/jobs/${job.id}/resume`);
    expect(resumed.status).toBe(200);
    expect(resumed.body).toMatchObject({ state: 'posted' });
    // Its delay still holds: resumed, it is due when it was due before.
    expect(resumed.body.runAt).toBe(job.runAt);
    expect((await stack.request('POST', `/jobs/${job.id}/resume`)).status).toBe(409);
    expect((await stack.request('DELETE', `/jobs/${job.id}`)).status).toBe(200);
    const final = await stack.request('POST', `/jobs/${job.id}/suspend`);
    expect(final.status).toBe(409);
    expect(final.body.error.code).toBe('InvalidStateError');
  });

  it('suspend of a running job answers 202 with stopRequested; it ends suspended without spending the attempt', async () => {
    const { body: job } = await stack.request('POST', '/jobs', { type: 'demo.sleep', payload: { ms: 20_000 } });
    await waitFor(async () => (await stack.request('GET', `/jobs/${job.id}`)).body.state === 'claimed');
    const asked = await stack.request('POST', `/jobs/${job.id}/suspend`);
    expect(asked.status).toBe(202);
    expect(asked.body.stopRequested).toBe('suspend');
    const suspended = await waitFor(async () => {
      const current = (await stack.request('GET', `/jobs/${job.id}`)).body;
      return current.state === 'suspended' ? current : undefined;
    }, { timeoutMs: 20_000 });
    expect(suspended).toMatchObject({ attempts: 0, stopRequested: null, errors: [] });
    expect(suspended.history.map((a: { outcome: string }) => a.outcome)).toEqual(['suspended']);
  });
});
