/**
 * The sweeper repairs lost postings, posts long delays when due, expires undispatched jobs, and
 * does not multiply postings for a backlog that is merely waiting.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postBody } from '../support/jobs.js';
import { parsePostRequest } from '../../lib/http/post-request.js';
import { JobService } from '../../lib/job-service.js';
import { SqsPostingQueue } from '../../lib/queue/sqs-posting-queue.js';
import { BoardHarness } from '../support/board-harness.js';
import { sqsClient } from '../support/aws.js';
import { waitFor } from '../support/wait.js';

const MINUTE = 60_000;
const h = new BoardHarness({ sweeper: { horizonMs: 2 * MINUTE, backlogHorizonMs: 60 * MINUTE } });
beforeAll(() => h.start());
afterAll(() => h.stop());
beforeEach(async () => {
  await h.stopPolling();
  // Drain whatever an earlier test left, so "idle" and depths mean this test's postings.
  h.startPolling();
  await waitFor(async () => {
    const d = await h.queueDepth();
    // In-flight copies may stay parked for a lease's length; only waiting postings matter here.
    return d.visible + d.delayed === 0;
  }, { timeoutMs: 30_000, what: 'queue to drain' });
  await h.stopPolling();
});

afterEach(() => {
  h.clock.offsetMs = 0;
});

const completed = (id: string) => async () => ((await h.store.get(id)).state === 'completed' ? h.store.get(id) : undefined);

describe('sweeper', () => {
  it('re-posts a job whose posting was lost between the two writes of a post, and the job completes', async () => {
    const faultySqs = sqsClient(h.queue.endpoint);
    mockClient(faultySqs).on(SendMessageCommand).rejects(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
    const service = new JobService({ store: h.store, queue: SqsPostingQueue.single(faultySqs, h.queue.queueUrl, h.queue.deadLetterQueueUrl), registry: h.registry, logger: h.logger, now: h.clock.now });
    const { job, created } = await service.post(parsePostRequest({ type: 'demo.echo', payload: { lost: true } }));
    expect(created).toBe(true);
    expect(h.events('posting_send_failed', job.id)).toHaveLength(1);
    expect(await h.queueDepth()).toMatchObject({ visible: 0, delayed: 0 });

    expect((await h.sweeper.sweep()).posted).toBe(0); // too young to be presumed lost
    h.clock.offsetMs += 3 * MINUTE;
    const report = await h.sweeper.sweep();
    expect(report).toMatchObject({ posted: 1, queueIdle: true });
    h.startPolling();
    expect(await waitFor(completed(job.id))).toMatchObject({ attempts: 1, result: { lost: true } });
  });

  it('posts a job delayed past 15 minutes once it falls due, and not before', async () => {
    h.startPolling();
    const { job } = await h.post({ type: 'demo.echo', delaySeconds: 20 * 60 });
    expect(job.postedAt).toBeUndefined();
    expect(await h.queueDepth()).toMatchObject({ visible: 0, delayed: 0 });
    expect((await h.sweeper.sweep()).posted).toBe(0);

    h.clock.offsetMs += 20 * MINUTE;
    expect((await h.sweeper.sweep()).posted).toBe(1);
    expect(await waitFor(completed(job.id))).toMatchObject({ attempts: 1 });
  });

  it('adds no postings for a healthy backlog that is merely waiting, and re-posts only past the backlog horizon, once', async () => {
    const posted = await Promise.all(Array.from({ length: 25 }, (_, i) => h.post({ type: 'demo.echo', payload: { i } })));
    expect((await h.queueDepth()).visible).toBe(25);

    h.clock.offsetMs += 30 * MINUTE; // far past the horizon, but the queue still holds their postings
    const report = await h.sweeper.sweep();
    expect(report).toMatchObject({ examined: 25, posted: 0, queueIdle: false });
    expect((await h.queueDepth()).visible).toBe(25);

    h.clock.offsetMs += 60 * MINUTE; // past the backlog horizon: presumed lost even behind a backlog
    expect((await h.sweeper.sweep()).posted).toBe(25);
    expect((await h.sweeper.sweep()).posted).toBe(0); // postedAt moved: not again within the horizon
    expect((await h.queueDepth()).visible).toBe(50);

    h.startPolling();
    for (const { job } of posted) expect(await waitFor(completed(job.id))).toMatchObject({ attempts: 1 });
  });

  it('two sweepers racing re-post a lost posting once', async () => {
    const { job } = await postBody(h.store, { type: 'demo.echo' }); // written, never posted
    h.clock.offsetMs += 5 * MINUTE;
    const reports = await Promise.all([h.sweeper.sweep(), h.sweeper.sweep(), h.sweeper.sweep()]);
    expect(reports.reduce((sum, r) => sum + r.posted, 0)).toBe(1);
    expect((await h.queueDepth()).visible).toBe(1);
    h.startPolling();
    await waitFor(completed(job.id));
  });

  it('fails a job whose dispatchBy passed before it started', async () => {
    const { job } = await postBody(h.store, { type: 'demo.echo', dispatchBy: new Date(Date.now() + 1_000).toISOString() });
    h.clock.offsetMs += 3 * MINUTE;
    expect((await h.sweeper.sweep()).expired).toBe(1);
    expect(await h.store.get(job.id)).toMatchObject({ state: 'failed', attempts: 0 });
  });
});
