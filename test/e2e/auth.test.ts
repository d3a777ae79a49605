/** With JOBBOARD_API_TOKEN set, every route but /health needs the bearer token. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StackProcess } from '../support/local-stack.js';

const stack = new StackProcess({ env: { JOBBOARD_API_TOKEN: 'sesame' } });
beforeAll(() => stack.start().then(() => undefined));
afterAll(() => stack.stop());

const auth = { authorization: 'Bearer sesame' };

describe('bearer token', () => {
  it('a request without it gets 401 and creates nothing', async () => {
    const refused = await stack.request('POST', '/jobs', { type: 'demo.echo', id: 'sneaky' });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('UnauthorizedError');
    expect((await stack.request('POST', '/jobs', { type: 'demo.echo', id: 'sneaky' }, { authorization: 'Bearer wrong' })).status).toBe(401);
    for (const path of ['/stats', '/jobs', '/jobs/sneaky']) expect((await stack.request('GET', path)).status, path).toBe(401);
    expect((await stack.request('GET', '/jobs/sneaky', undefined, auth)).status).toBe(404);
    expect((await stack.request('GET', '/stats', undefined, auth)).body).toEqual({ posted: 0, claimed: 0, waiting: 0, suspended: 0, completed: 0, failed: 0, trashed: 0 });
  });

  it('with it, requests go through; /health needs none', async () => {
    expect((await stack.request('GET', '/health')).status).toBe(200);
    expect((await stack.request('POST', '/jobs', { type: 'demo.echo' }, auth)).status).toBe(201);
  });
});
