/**
 * Scopes, unique keys and dependencies over HTTP against the real `npm start` entry: each bad
 * value is a 400 naming the field and writes nothing; a duplicate key is a 409 `DuplicateError`
 * whose details name the holder; a dependent job shows `waiting` and `waitingOn`, then runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StackProcess } from '../support/local-stack.js';
import { waitFor } from '../support/wait.js';

const stack = new StackProcess();
beforeAll(() => stack.start().then(() => undefined));
afterAll(() => stack.stop());

describe('bad coordination input changes nothing', () => {
  const bad: [string, unknown, string][] = [
    ['11 scopes', { type: 'demo.echo', scopes: Array.from({ length: 11 }, (_, i) => `s${i}`) }, 'scopes'],
    ['an empty scope', { type: 'demo.echo', scopes: [''] }, 'scopes.0'],
    ['a scope of 129 characters', { type: 'demo.echo', scopes: ['s'.repeat(129)] }, 'scopes.0'],
    ['a scope limit of 0', { type: 'demo.echo', scopes: [{ key: 'gpu', limit: 0 }] }, 'scopes.0.limit'],
    ['the same scope twice', { type: 'demo.echo', scopes: ['a', { key: 'a', limit: 2 }] }, 'scopes'],
    ['an empty uniqueKey', { type: 'demo.echo', uniqueKey: '' }, 'uniqueKey'],
    ['a uniqueKey of 257 characters', { type: 'demo.echo', uniqueKey: 'k'.repeat(257) }, 'uniqueKey'],
    ['an unknown parent', { type: 'demo.echo', dependsOn: ['no-such-job'] }, 'dependsOn'],
    ['a self-reference', { type: 'demo.echo', id: 'me', dependsOn: ['me'] }, 'dependsOn'],
    ['101 parents', { type: 'demo.echo', dependsOn: Array.from({ length: 101 }, (_, i) => `p${i}`) }, 'dependsOn'],
    ['an empty dependsOn', { type: 'demo.echo', dependsOn: [] }, 'dependsOn'],
    ['onParentFailure without parents', { type: 'demo.echo', onParentFailure: 'run' }, 'onParentFailure'],
    ['onParentFailure ignore', { type: 'demo.echo', dependsOn: ['x'], onParentFailure: 'ignore' }, 'onParentFailure'],
  ];

  it.each(bad.map(([name, body, field]) => [name, field, body] as const))('%s → 400 naming %s', async (_, field, body) => {
    const response = await stack.request('POST', '/jobs', body);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('ValidationError');
    expect(response.body.error.details.map((d: { path: string }) => d.path)).toContain(field);
  });

  it('afterwards nothing was created', async () => {
    expect((await stack.request('GET', '/stats')).body).toMatchObject({ posted: 0, waiting: 0, completed: 0, failed: 0 });
  });
});

describe('coordination over HTTP', () => {
  it('a second job with an unfinished job’s uniqueKey is a 409 DuplicateError naming it', async () => {
    const first = await stack.request('POST', '/jobs', { type: 'demo.echo', uniqueKey: 'http-key', delaySeconds: 600 });
    expect(first.status).toBe(201);
    expect(first.body.uniqueKey).toBe('http-key');
    const second = await stack.request('POST', '/jobs', { type: 'demo.echo', uniqueKey: 'http-key' });
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({ code: 'DuplicateError', details: [{ path: 'uniqueKey', message: `held by job ${first.body.id}` }] });
  });

  it('a child shows waiting and waitingOn until its parent completes, then runs; scopes show on the job', async () => {
    const parent = await stack.request('POST', '/jobs', { type: 'demo.sleep', payload: { ms: 1_500 }, scopes: ['http-scope', { key: 'gpu', limit: 2 }] });
    expect(parent.body.scopes).toEqual([{ key: 'http-scope', limit: 1 }, { key: 'gpu', limit: 2 }]);
    const child = await stack.request('POST', '/jobs', { type: 'demo.echo', dependsOn: [parent.body.id] });
    expect(child.status).toBe(201);
    expect(child.body).toMatchObject({ state: 'waiting', dependsOn: [parent.body.id], waitingOn: [parent.body.id], onParentFailure: 'fail' });
    const done = await waitFor(async () => {
      const job = (await stack.request('GET', `/jobs/${child.body.id}`)).body;
      return job.state === 'completed' ? job : undefined;
    }, { timeoutMs: 30_000 });
    expect(done.waitingOn).toEqual([]);
    expect((await stack.request('GET', '/jobs?state=waiting')).body.jobs).toEqual([]);
  });
});
