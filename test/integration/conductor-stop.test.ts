/**
 * Stopping work: cancel and suspend reach a running attempt through its lease renewal, fire its
 * AbortSignal with the reason, and end the job trashed or suspended without counting a failure;
 * a stop requested of a job whose owner died is carried out once the lease runs out, and the job
 * never runs again. Real DynamoDB Local and the SQS emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidStateError } from '../../lib/errors.js';
import { defineJobType, type JobType } from '../../lib/registry.js';
import { demoJobTypes } from '../../functions/job-types/demo.js';
import { BoardHarness } from '../support/board-harness.js';
import { postBody } from '../support/jobs.js';
import { waitFor } from '../support/wait.js';
import { RunStoppedError } from '../../lib/run/errors.js';

/** Why each job's signal fired, and how often each job ran. */
const aborts = new Map<string, unknown>();
const runs = new Map<string, number>();
const counted = (id: string) => runs.set(id, (runs.get(id) ?? 0) + 1);

/** Runs until aborted (or `ms`), heartbeating the way a long job should. */
const waitJob = defineJobType<{ ms?: number }>({
  name: 'test.wait',
  version: 1,
  run: async ({ job, signal, heartbeat, payload }) => {
    counted(job.id);
    const until = Date.now() + (payload.ms ?? 60_000);
    while (Date.now() < until) {
      if (signal.aborted) {
        aborts.set(job.id, signal.reason);
        throw signal.reason;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      await heartbeat();
    }
    return { waited: true };
  },
});

/** Suspends itself on its first run, completes on the next. */
const selfSuspending = defineJobType({
  name: 'test.selfSuspend',
  version: 1,
  run: async ({ job, suspend }) => {
    counted(job.id);
    if (runs.get(job.id) === 1) suspend('waiting for a human');
    return { resumed: true };
  },
});

const h = new BoardHarness({ jobTypes: [...demoJobTypes, waitJob, selfSuspending] as JobType<never>[], conductor: { leaseMs: 1_000 } });
beforeAll(async () => {
  await h.start();
  h.startPolling();
});
afterAll(() => h.stop());

const claimed = (id: string) => async () => ((await h.store.get(id)).state === 'claimed' ? true : undefined);
const inState = (id: string, state: string) => async () => {
  const job = await h.store.get(id);
  return job.state === state ? job : undefined;
};

describe('cancel', () => {
  it('DELETE on a running job asks it to stop (202, stopRequested), its signal fires with reason cancelled, and it ends trashed', async () => {
    const { job } = await h.post({ type: 'test.wait' });
    await waitFor(claimed(job.id));
    const requestedAt = Date.now();
    const answer = await h.jobs.cancel(job.id);
    expect(answer.stopping).toBe(true);
    expect(answer.job).toMatchObject({ state: 'claimed', stopRequested: 'cancel' });

    const trashed = await waitFor(inState(job.id, 'trashed'), { what: 'the cancelled job to be trashed' });
    expect(Date.now() - requestedAt).toBeLessThan(10_000);
    expect(aborts.get(job.id)).toBeInstanceOf(RunStoppedError);
    expect((aborts.get(job.id) as RunStoppedError).reason).toBe('cancelled');
    expect(trashed.stopRequested).toBeUndefined();
    expect(trashed.errors).toEqual([]);
    expect(trashed.history?.map((a) => a.outcome)).toEqual(['cancelled']);
    // It never runs again.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(runs.get(job.id)).toBe(1);
  });

  it('DELETE on a posted job trashes it at once; on a final one it is refused', async () => {
    const { job } = await postBody(h.store, { type: 'test.wait' }); // written, never posted: stays posted
    expect(await h.jobs.cancel(job.id)).toMatchObject({ stopping: false, job: { state: 'trashed' } });
    await expect(h.jobs.cancel(job.id)).rejects.toBeInstanceOf(InvalidStateError);
  });

  it('a cancel requested of a job whose owner died is carried out when the lease runs out; the job never runs', async () => {
    const { job } = await postBody(h.store, { type: 'test.wait' });
    await h.store.claim(job.id, { owner: 'dead-conductor', leaseMs: 1_500 });
    expect(await h.jobs.cancel(job.id)).toMatchObject({ stopping: true, job: { stopRequested: 'cancel' } });
    // The dead owner's posting comes back (here: sent again), finds the lease live, then expired.
    await h.postings.send([{ id: job.id }]);
    const trashed = await waitFor(inState(job.id, 'trashed'), { what: 'the dead owner’s job to be trashed', timeoutMs: 20_000 });
    expect(trashed.history?.map((a) => [a.owner, a.outcome])).toEqual([['dead-conductor', 'lost']]);
    expect(runs.get(job.id)).toBeUndefined();
  });
});

describe('suspend and resume', () => {
  it('suspends a posted job at once; resume posts it again and it completes', async () => {
    const { job } = await postBody(h.store, { type: 'demo.echo', payload: { n: 1 } });
    expect(await h.jobs.suspend(job.id)).toMatchObject({ stopping: false, job: { state: 'suspended' } });
    await expect(h.jobs.suspend(job.id)).rejects.toBeInstanceOf(InvalidStateError);
    const resumed = await h.jobs.resume(job.id);
    expect(resumed.state).toBe('posted');
    await expect(h.jobs.resume(job.id)).rejects.toBeInstanceOf(InvalidStateError);
    expect(await waitFor(h.finished(job.id))).toMatchObject({ state: 'completed', result: { n: 1 } });
  });

  it('suspends a running job without spending its attempt; resumed, it runs to completion', async () => {
    const { job } = await h.post({ type: 'test.wait', payload: { ms: 4_000 }, maxAttempts: 1 });
    await waitFor(claimed(job.id));
    expect(await h.jobs.suspend(job.id)).toMatchObject({ stopping: true, job: { stopRequested: 'suspend' } });
    const suspended = await waitFor(inState(job.id, 'suspended'));
    expect((aborts.get(job.id) as RunStoppedError).reason).toBe('suspended');
    expect(suspended).toMatchObject({ attempts: 0, errors: [] });
    expect(suspended.history?.map((a) => a.outcome)).toEqual(['suspended']);

    await h.jobs.resume(job.id);
    const done = await waitFor(h.finished(job.id), { timeoutMs: 20_000 });
    // maxAttempts 1: only a given-back attempt lets it run again.
    expect(done).toMatchObject({ state: 'completed', attempts: 1, result: { waited: true } });
    expect(done.history?.map((a) => a.outcome)).toEqual(['suspended', 'completed']);
  });

  it('job code suspends its own job with ctx.suspend(); resume runs it again', async () => {
    const { job } = await h.post({ type: 'test.selfSuspend' });
    const suspended = await waitFor(inState(job.id, 'suspended'));
    expect(suspended.history?.[0]).toMatchObject({ outcome: 'suspended', error: { name: 'SuspendError', message: 'waiting for a human' } });
    await h.jobs.resume(job.id);
    expect(await waitFor(h.finished(job.id))).toMatchObject({ state: 'completed', result: { resumed: true } });
    expect(runs.get(job.id)).toBe(2);
  });
});
