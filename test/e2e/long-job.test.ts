/**
 * What the API accepts, the stack honours: a job asking for 120 s runs past the minute the
 * conductor's invocation used to be cut at, on the local stack's defaults, and completes in its one
 * attempt. (The conductor's invocation timeout is Lambda's longest, 900 s; its leases stay a
 * minute, renewed as the run goes on.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StackProcess } from '../support/local-stack.js';
import { waitFor } from '../support/wait.js';

const stack = new StackProcess();
beforeAll(() => stack.start().then(() => undefined));
afterAll(() => stack.stop());

describe('a job longer than a minute', () => {
  it('runs to its end in one attempt under the default conductor timeout', async () => {
    const posted = await stack.request('POST', '/jobs', { type: 'demo.sleep', payload: { ms: 65_000 }, timeoutSeconds: 120 });
    expect(posted.status).toBe(201);
    const done = await waitFor(async () => {
      const job = (await stack.request('GET', `/jobs/${posted.body.id}`)).body;
      return job.state === 'completed' || job.state === 'failed' ? job : undefined;
    }, { timeoutMs: 110_000, intervalMs: 1_000, what: 'the 65 s job to end' });
    expect(done.state).toBe('completed');
    expect(done.attempts).toBe(1);
    expect(done.result.sleptMs).toBeGreaterThanOrEqual(65_000);
  }, 130_000);
});
