/** Duplicate deliveries run a job once; postings that can never be processed go to the DLQ with a reason. */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postBody } from '../support/jobs.js';
import { defineJobType, type JobType } from '../../lib/registry.js';
import { demoJobTypes } from '../../functions/job-types/demo.js';
import { BoardHarness } from '../support/board-harness.js';
import { waitFor } from '../support/wait.js';

const runs = new Map<string, number>();
const counted = defineJobType({
  name: 'test.counted',
  version: 1,
  run: async ({ job }) => {
    runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
    await sleep(300);
    return { runs: runs.get(job.id) };
  },
});
const versioned = defineJobType({ name: 'test.versioned', version: 1, run: async () => 'ran' });

const h = new BoardHarness({ jobTypes: [...demoJobTypes, counted, versioned] as JobType<never>[] });
beforeAll(async () => {
  await h.start();
  h.startPolling({ concurrency: 2 });
});
afterAll(() => h.stop());

describe('duplicate delivery', () => {
  it('the same posting delivered twice at once runs the job once', async () => {
    const { job } = await postBody(h.store, { type: 'test.counted' });
    // Two copies in one batch: one conductor handles both concurrently.
    await h.postings.send([{ id: job.id }, { id: job.id }]);
    const done = await waitFor(async () => ((await h.store.get(job.id)).state === 'completed' ? h.store.get(job.id) : undefined));
    expect(done.attempts).toBe(1);
    expect(runs.get(job.id)).toBe(1);
    expect(h.events('job_claimed', job.id)).toHaveLength(1);
  });

  it('ten copies across two pollers still run the job once', async () => {
    const { job } = await postBody(h.store, { type: 'test.counted' });
    await Promise.all(Array.from({ length: 10 }, () => h.postings.send([{ id: job.id }])));
    await waitFor(async () => (await h.store.get(job.id)).state === 'completed');
    await sleep(500);
    expect(runs.get(job.id)).toBe(1);
    expect((await h.store.get(job.id)).attempts).toBe(1);
  });
});

describe('dead-letter queue', () => {
  it('a malformed posting goes to the DLQ with a reason', async () => {
    await h.sqs.send(new SendMessageCommand({ QueueUrl: h.queue.queueUrl, MessageBody: 'this is not a posting' }));
    const letters = await waitFor(() => h.deadLettersWhere((l) => l.body === 'this is not a posting'), { what: 'malformed posting in the DLQ' });
    expect(letters[0]?.reason).toMatch(/^malformed posting: body is not JSON/);
  });

  it('a job whose type this deployment does not know ends failed (visible, retryable) without spending attempts, its posting in the DLQ, and the sweeper leaves it alone', async () => {
    const { job } = await postBody(h.store, { type: 'elsewhere.only', maxAttempts: 2 });
    await h.postings.send([{ id: job.id }]);
    const letters = await waitFor(() => h.deadLettersWhere((l) => l.body.includes(job.id)), { what: 'unknown-type posting in the DLQ' });
    expect(letters[0]?.reason).toBe('job type elsewhere.only is unknown to this deployment');
    const failed = await h.store.get(job.id);
    expect(failed).toMatchObject({ state: 'failed', attempts: 0 });
    expect(failed.errors.at(-1)).toMatchObject({ name: 'UnknownJobTypeError', message: 'job type elsewhere.only is unknown to this deployment' });

    // Even with its posting long gone and the queue idle, the sweeper does not re-post it into a loop.
    h.clock.offsetMs += 60 * 60 * 1_000;
    const report = await h.sweeper.sweep();
    h.clock.offsetMs -= 60 * 60 * 1_000;
    expect(report.complete).toBe(true);
    expect(h.events('postings_repaired').flatMap((l) => l.ids as string[])).not.toContain(job.id);
    // An operator can act on it: once the type is deployed, a retry puts it back with a fresh budget.
    expect((await h.store.retry(job.id)).job).toMatchObject({ state: 'posted', attempts: 0, errors: [{ name: 'UnknownJobTypeError' }] });
    await h.store.trash(job.id);
  });

  it('a job posted by newer code is handed back without spending an attempt', async () => {
    const { job } = await postBody(h.store, { type: 'test.versioned' }, { typeVersion: 2 });
    await h.postings.send([{ id: job.id }]);
    await waitFor(() => h.events('job_handed_back', job.id).length > 0, { what: 'the hand-back' });
    // The run happened (and is counted) though it spent no attempt.
    expect(await h.store.get(job.id)).toMatchObject({ state: 'posted', attempts: 0, runs: 1, typeVersion: 2 });
  });
});
