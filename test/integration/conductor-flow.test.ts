/** Jobs flow through SQS to conductors: success, retries with backoff, poison jobs and the DLQ. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BoardHarness } from '../support/board-harness.js';
import { waitFor } from '../support/wait.js';

const h = new BoardHarness();
beforeAll(async () => {
  await h.start();
  h.startPolling();
});
afterAll(() => h.stop());

const finished = (id: string) => h.finished(id);

describe('conductor flow', () => {
  it('demo.echo completes with the payload as its result, in one attempt', async () => {
    const { job } = await h.post({ type: 'demo.echo', payload: { hello: 'world' } });
    const done = await waitFor(finished(job.id), { what: 'echo to finish' });
    expect(done).toMatchObject({ state: 'completed', attempts: 1, result: { hello: 'world' } });
    expect(h.events('job_claimed', job.id)).toHaveLength(1);
    const [consumed] = await waitFor(() => (h.events('job_consumed', job.id).length > 0 ? h.events('job_consumed', job.id) : undefined));
    expect(consumed).toMatchObject({ type: 'demo.echo', attempt: 1 });
  });

  it('demo.flaky {failTimes: 2} completes on attempt 3 with two errors, attempts spaced by backoff', async () => {
    const { job } = await h.post({ type: 'demo.flaky', payload: { failTimes: 2 }, maxAttempts: 5 });
    const done = await waitFor(finished(job.id), { what: 'flaky to finish' });
    expect(done).toMatchObject({ state: 'completed', attempts: 3, result: { attempt: 3 } });
    expect(done.errors.map((e) => e.attempt)).toEqual([1, 2]);
    const claims = h.events('job_claimed', job.id).map((l) => Date.parse(String(l.time)));
    expect(claims).toHaveLength(3);
    // Backoff before attempt 2 is at least 0.5 × 1 s, before attempt 3 at least 0.5 × 2 s.
    expect((claims[1] as number) - (claims[0] as number)).toBeGreaterThanOrEqual(500);
    expect((claims[2] as number) - (claims[1] as number)).toBeGreaterThanOrEqual(1_000);
    expect(h.events('job_abandoned', job.id).map((l) => l.attempt)).toEqual([1, 2]); // both logged before attempt 3 was claimed
  });

  it('demo.fail with maxAttempts 3 fails after exactly 3 attempts, goes to the DLQ, and a redrive does not run it again', async () => {
    const { job } = await h.post({ type: 'demo.fail', payload: { message: 'poison' }, maxAttempts: 3 });
    const done = await waitFor(finished(job.id), { what: 'fail to finish' });
    expect(done).toMatchObject({ state: 'failed', attempts: 3 });
    expect(done.errors.map((e) => e.message)).toEqual(['poison', 'poison', 'poison']);
    // The job turns failed just before its posting is forwarded to the DLQ; then the copy is recorded on the job.
    await waitFor(() => h.events('posting_deadlettered', job.id).length === 1, { what: 'posting in the DLQ' });
    const settled = await waitFor(async () => {
      const current = await h.store.get(job.id);
      return current.deadLetterReason === undefined ? current : undefined;
    }, { what: 'the DLQ copy to be recorded' });

    const { moved } = await h.jobs.redriveDeadLetters();
    expect(moved).toBeGreaterThanOrEqual(1);
    await waitFor(() => h.events('posting_dropped', job.id).length > 0, { what: 'redriven posting to be dropped' });
    expect(await h.store.get(job.id)).toMatchObject({ state: 'failed', attempts: 3, version: settled.version });
    expect(h.events('job_claimed', job.id)).toHaveLength(3);
  });

  it('demo.fail with permanent: true fails on attempt 1', async () => {
    const { job } = await h.post({ type: 'demo.fail', payload: { permanent: true }, maxAttempts: 5 });
    const done = await waitFor(finished(job.id), { what: 'permanent fail' });
    expect(done).toMatchObject({ state: 'failed', attempts: 1 });
    expect(done.errors[0]?.name).toBe('PermanentError');
    const [failure] = await waitFor(() => (h.events('job_failed', job.id).length > 0 ? h.events('job_failed', job.id) : undefined));
    expect(failure).toMatchObject({ reason: 'permanent error' });
  });

  it('a posting for a missing or finished job is dropped without error', async () => {
    const { job } = await h.post({ type: 'demo.echo' });
    await waitFor(finished(job.id));
    const before = h.events('posting_dropped').length;
    await h.postings.send([{ id: job.id }, { id: 'never-existed' }]);
    await waitFor(() => h.events('posting_dropped').length >= before + 2, { what: 'both postings dropped' });
    expect(h.events('record_failed')).toHaveLength(0);
    expect(await h.store.get(job.id)).toMatchObject({ state: 'completed', attempts: 1 });
    await waitFor(async () => {
      const depth = await h.queueDepth();
      return depth.visible + depth.inFlight === 0;
    }, { what: 'queue to drain' });
  });
});
