/**
 * Scopes: no two jobs sharing a scope hold live claims at once, across boards and racing
 * conductors; a blocked job stays posted and spends no attempt; `{key, limit}` admits `limit`
 * holders; a posting that does not carry the job's scopes cannot bypass them; a SIGKILLed
 * holder frees its scope when its lease runs out. Real DynamoDB Local and the SQS emulator.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JobType } from '../../lib/registry.js';
import { demoJobTypes } from '../../functions/job-types/demo.js';
import { BoardHarness } from '../support/board-harness.js';
import { spawnConductor } from '../support/conductor-child.js';
import { postBody } from '../support/jobs.js';
import { maxOverlap, pauseJobType } from '../support/run-intervals.js';
import { waitFor } from '../support/wait.js';


const h = new BoardHarness({ jobTypes: [...demoJobTypes, pauseJobType] as JobType<never>[], conductor: { leaseMs: 1_000 } });
beforeAll(() => h.start());
afterAll(() => h.stop());
afterEach(() => h.stopPolling());

const allCompleted = (ids: readonly string[]) => async () => {
  const jobs = await Promise.all(ids.map((id) => h.store.get(id)));
  return jobs.every((j) => j.state === 'completed') ? jobs : undefined;
};


describe('scopes', () => {
  it('10 jobs sharing a scope, on two boards, under 3 racing conductors never overlap, and all complete in one attempt', async () => {
    const posted = await Promise.all(
      Array.from({ length: 10 }, (_, i) => h.post({ type: 'test.pause', payload: { ms: 200 }, scopes: ['printer'], board: i % 2 === 0 ? 'scope-a' : 'scope-b' })),
    );
    for (let i = 0; i < 3; i++) h.startPolling({ conductor: h.newConductor(), concurrency: 2 });
    const jobs = await waitFor(allCompleted(posted.map((p) => p.job.id)), { what: 'every scoped job to complete', timeoutMs: 60_000 });
    expect(maxOverlap(jobs)).toBe(1);
    expect(jobs.map((j) => j.attempts)).toEqual(Array(10).fill(1));
  });

  it('{key, limit: 2} admits two holders at once, never three', async () => {
    const posted = await Promise.all(Array.from({ length: 8 }, () => h.post({ type: 'test.pause', payload: { ms: 400 }, scopes: [{ key: 'gpu', limit: 2 }] })));
    for (let i = 0; i < 3; i++) h.startPolling({ conductor: h.newConductor(), concurrency: 2 });
    const jobs = await waitFor(allCompleted(posted.map((p) => p.job.id)), { timeoutMs: 60_000 });
    expect(maxOverlap(jobs)).toBe(2);
  });

  it('a claim that does not bring the job’s scopes is refused while another job holds them', async () => {
    const holder = (await postBody(h.store, { type: 'demo.echo', scopes: ['vault'] })).job;
    const other = (await postBody(h.store, { type: 'demo.echo', scopes: ['vault'] })).job;
    await h.store.claim(holder.id, { owner: 'holder', leaseMs: 10_000 }, { semaphores: [{ kind: 'scope', key: 'vault', limit: 1 }] });
    // No semaphores asked for: the store learns the scopes from the refusal and asks again, which the held scope refuses.
    await expect(h.store.claim(other.id, { owner: 'sneaky', leaseMs: 10_000 })).rejects.toMatchObject({ reason: 'scopeBusy' });
    expect(await h.store.get(other.id)).toMatchObject({ state: 'posted', attempts: 0 });
  });

  it('a SIGKILLed holder frees its scope when its lease runs out', async () => {
    const held = (await h.post({ type: 'demo.sleep', payload: { ms: 3_000 }, scopes: ['crash-scope'] })).job;
    const { child, exited } = spawnConductor(h, 2_000);
    await waitFor(async () => ((await h.store.get(held.id)).state === 'claimed' ? true : undefined), { timeoutMs: 30_000 });
    child.kill('SIGKILL');
    await exited;
    const dead = await h.store.get(held.id);
    const next = (await h.post({ type: 'demo.echo', scopes: ['crash-scope'] })).job;
    h.startPolling();
    const done = await waitFor(h.finished(next.id), { timeoutMs: 30_000 });
    expect(done.startedAt).toBeGreaterThan(dead.leaseExpiresAt ?? 0);
  });
});
