/**
 * Bulk operations against DynamoDB Local and the SQS emulator: a board's failed jobs are retried
 * once each and other boards are left alone; a job that changes between its match and its write
 * is skipped and counted (staged, and raced against single-job retries); two runners race on one
 * operation and the lease keeps the counts exact, also through a slice slower than the lease; a
 * filter that matches nothing succeeds with 0; and a run that dies between its transitions and
 * its commit is finished by the next one, with every job retried exactly once even after the dead
 * run's retries had failed again. The list pages newest first across days. And what an
 * operation costs in write units per job, metered.
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { RequestMeter } from '../../bench/request-meter.js';
import { InvalidStateError, StorageError } from '../../lib/errors.js';
import { JobService } from '../../lib/job-service.js';
import { ServiceOperationJobs } from '../../lib/maintenance/operation-jobs.js';
import { Lifecycle } from '../../lib/lifecycle/lifecycle.js';
import { PostingSender } from '../../lib/queue/posting-sender.js';
import { OperationRunner } from '../../lib/maintenance/operation-runner.js';
import { OperationService } from '../../lib/maintenance/operation-service.js';
import type { OperationStore } from '../../lib/maintenance/operation.js';
import type { Job } from '../../lib/model.js';
import { dynamoClient } from '../support/aws.js';
import { BoardHarness } from '../support/board-harness.js';
import { failedJobs, failures, jobsWith, operationsOn, runUntilEnded } from '../support/operations.js';
import { waitFor } from '../support/wait.js';
import { DynamoJobStore, DynamoOperationStore } from '../../lib/dynamo/index.js';

const h = new BoardHarness();
let ops: ReturnType<typeof operationsOn>;
beforeAll(async () => {
  await h.start();
  ops = operationsOn(h);
});
afterAll(() => h.stop());
afterEach(async () => {
  await h.stopPolling();
  h.clock.offsetMs = 0;
});

const reread = (jobs: readonly Job[]) => Promise.all(jobs.map((job) => h.store.get(job.id)));
/** Each job as it was written, and as it is now. */
const beforeAndAfter = async (jobs: readonly Job[]) => (await reread(jobs)).map((after, n) => [jobs[n] as Job, after] as const);

describe('bulk operations', () => {
  it('a retry of one board’s failed jobs retries each exactly once, posts them, and leaves other boards alone', async () => {
    const mine = await failedJobs(h, 25, { board: 'ops-a' });
    const theirs = await failedJobs(h, 10, { board: 'ops-b' });
    const depthBefore = (await h.queueDepth()).visible;

    const created = await ops.service.create({ action: 'retry', filter: { board: 'ops-a', state: 'failed' } });
    expect(created).toMatchObject({ state: 'running', matched: 0, done: 0 });
    expect(await ops.store.running()).toContain(created.id);
    // Slices of 7: the walk pages four times, saving its position after each.
    const ended = await runUntilEnded(ops.runner({ sliceSize: 7 }), ops.store, created.id);

    expect(ended).toMatchObject({ state: 'succeeded', matched: 25, done: 25, skipped: 0, failed: 0 });
    expect(ended.endedAt).toBeGreaterThanOrEqual(created.createdAt);
    for (const [before, after] of await beforeAndAfter(mine)) {
      expect(after).toMatchObject({ state: 'posted', attempts: 0, version: before.version + 1 });
    }
    for (const [before, after] of await beforeAndAfter(theirs)) expect(after).toEqual(before);
    // One posting per retried job, sent ten to a request.
    expect((await h.queueDepth()).visible - depthBefore).toBe(25);
    expect(await ops.store.running()).not.toContain(created.id);
  });

  it('a job that changes between its match and its transition is skipped and counted, never forced', async () => {
    const jobs = await failedJobs(h, 10, { board: 'ops-staged' });
    let raced: string[] = [];
    // Right after the runner has read (and matched) a page, an operator retries two of its jobs through the single-job route.
    const staged = jobsWith(ops.jobs, {
      list: async (query) => {
        const page = await ops.jobs.list(query);
        if (raced.length === 0) {
          raced = page.jobs.slice(0, 2).map((job) => job.id);
          for (const id of raced) await h.jobs.retry(id);
        }
        return page;
      },
    });
    const created = await ops.service.create({ action: 'retry', filter: { board: 'ops-staged' } });
    const ended = await runUntilEnded(ops.runner({}, { jobs: staged }), ops.store, created.id);

    expect(raced).toHaveLength(2);
    expect(ended).toMatchObject({ state: 'succeeded', matched: 10, done: 8, skipped: 2, failed: 0 });
    // Every job took exactly one retry write: the two raced ones the operator's, the others the operation's.
    for (const [before, after] of await beforeAndAfter(jobs)) expect(after).toMatchObject({ state: 'posted', version: before.version + 1 });
  });

  it('raced by single-job retries, every job is retried exactly once, by the operation or by the operator', async () => {
    const jobs = await failedJobs(h, 80, { board: 'ops-racing' });
    const created = await ops.service.create({ action: 'retry', filter: { board: 'ops-racing', state: 'failed' } });
    let operatorRetries = 0;
    const operator = async () => {
      for (const job of [...jobs].reverse()) {
        await h.jobs.retry(job.id).then(
          () => operatorRetries++,
          (error: unknown) => {
            if (!(error instanceof InvalidStateError)) throw error;
          },
        );
      }
    };
    const [ended] = await Promise.all([runUntilEnded(ops.runner({ sliceSize: 10, concurrency: 4 }), ops.store, created.id), operator()]);

    expect(ended.state).toBe('succeeded');
    expect(ended.done + operatorRetries).toBe(80);
    expect(ended.matched).toBe(ended.done + ended.skipped);
    expect(ended.failed).toBe(0);
    for (const [before, after] of await beforeAndAfter(jobs)) expect(after).toMatchObject({ state: 'posted', version: before.version + 1 });
  });

  it('two runners race on one operation: the lease lets one advance it at a time, so the counts are exact', async () => {
    const jobs = await failedJobs(h, 80, { board: 'ops-lease' });
    const created = await ops.service.create({ action: 'retry', filter: { board: 'ops-lease' } });
    const runners = [ops.runner({ sliceSize: 5 }), ops.runner({ sliceSize: 5 })];
    const [ended] = await Promise.all(runners.map((runner) => runUntilEnded(runner, ops.store, created.id)));

    // Two runners walking the same slices at once would each match every job: 160 matched, 80 skipped.
    expect(ended).toMatchObject({ state: 'succeeded', matched: 80, done: 80, skipped: 0, failed: 0 });
    for (const [before, after] of await beforeAndAfter(jobs)) expect(after.version).toBe(before.version + 1);
  });

  it('a slice slower than its lease renews it: a racing runner never takes over, and the slice commits once', async () => {
    await failedJobs(h, 30, { board: 'ops-slow' });
    const created = await ops.service.create({ action: 'retry', filter: { board: 'ops-slow' } });
    // 30 transitions one at a time, 60 ms each: about twice the 1 s lease.
    const slow = jobsWith(ops.jobs, {
      apply: async (action, id) => {
        await new Promise((resolve) => setTimeout(resolve, 60));
        return ops.jobs.apply(action, id);
      },
    });
    const options = { leaseMs: 1_000, leaseMarginMs: 200, concurrency: 1 };
    const slowRun = ops.runner(options, { jobs: slow }).run();
    await waitFor(async () => (await ops.store.get(created.id)).pending !== undefined, { what: 'the slow slice to begin' });
    const rival = ops.runner(options);
    let rivalHeld = 0;
    while ((await ops.store.get(created.id)).state === 'running') {
      rivalHeld += (await rival.run()).operations;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await slowRun;

    expect(await ops.store.get(created.id)).toMatchObject({ state: 'succeeded', matched: 30, done: 30, skipped: 0 });
    expect(rivalHeld).toBe(0);
    expect(h.logs.filter((line) => line.event === 'operation_slice_recovered' && line.operationId === created.id)).toEqual([]);
  });

  it('a filter that matches nothing ends succeeded with 0', async () => {
    await failedJobs(h, 3, { board: 'ops-some' });
    const bodies = [
      { action: 'retry', filter: { board: 'ops-nowhere' } },
      { action: 'resume', filter: { type: 'demo.none' } },
      { action: 'trash', filter: { createdAfter: new Date(h.clock.now() + 3_600_000).toISOString() } },
    ];
    for (const body of bodies) {
      const created = await ops.service.create(body);
      const ended = await runUntilEnded(ops.runner(), ops.store, created.id);
      expect(ended, JSON.stringify(body)).toMatchObject({ state: 'succeeded', matched: 0, done: 0, skipped: 0, failed: 0 });
      expect(await ops.store.running()).not.toContain(created.id);
    }
  });

  it('lists operations newest first across days and pages, a running one older than the retention window included', async () => {
    const at = (ms: number) => new OperationService({ store: ops.store, now: () => ms });
    const now = h.clock.now();
    const day = 86_400_000;
    const ancient = await at(now - 30 * day).create({ action: 'resume', filter: { board: 'ops-listed' } });
    const older = await at(now - 3 * day).create({ action: 'resume', filter: { board: 'ops-listed' } });
    const recent = await at(now - day).create({ action: 'resume', filter: { board: 'ops-listed' } });
    const newest = await at(now).create({ action: 'resume', filter: { board: 'ops-listed' } });
    const mine = new Set([ancient, older, recent, newest].map((o) => o.id));

    const listed: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await ops.store.list(1, cursor, now);
      listed.push(...page.operations.map((o) => o.id).filter((id) => mine.has(id)));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    expect(listed).toEqual([newest.id, recent.id, older.id, ancient.id]);
    // A day list is not an operation.
    await expect(ops.store.get('*running')).rejects.toMatchObject({ code: 'NotFoundError' });
    for (const operation of [ancient, older, recent, newest]) expect(await runUntilEnded(ops.runner(), ops.store, operation.id)).toMatchObject({ state: 'succeeded', matched: 0 });
  });

  it('a run that dies between its transitions and its commit is finished by the next: each job retried exactly once, counts exact', async () => {
    const jobs = await failedJobs(h, 30, { board: 'ops-crash' });
    const created = await ops.service.create({ action: 'retry', filter: { board: 'ops-crash', state: 'failed' } });
    // The dying run: 12 transitions land, then every call fails, and being dead it gives no lease back.
    let applied = 0;
    const dying = jobsWith(ops.jobs, {
      apply: async (action, id) => {
        if (applied >= 12) throw new StorageError('the process died');
        applied++;
        return ops.jobs.apply(action, id);
      },
    });
    const dead: OperationStore = Object.assign(Object.create(ops.store) as OperationStore, { release: async () => undefined });
    await ops.runner({ sliceSize: 30, concurrency: 1 }, { jobs: dying, operations: dead }).run();
    const interrupted = await ops.store.get(created.id);
    expect(interrupted).toMatchObject({ state: 'running', matched: 0, done: 0 });
    expect(interrupted.pending?.jobs).toHaveLength(30);

    // Before anyone takes over, the 12 retried jobs run again and fail again (a fresh end time each).
    h.startPolling();
    await waitFor(async () => (await reread(jobs)).filter((job) => job.state === 'failed' && failures(job) === 2).length === 12, { timeoutMs: 30_000, what: 'the 12 retried jobs to fail again' });
    await h.stopPolling();

    // A new runner waits out the dead run's lease, then judges the recorded slice job by job.
    const next = ops.runner();
    await next.run();
    expect(await ops.store.get(created.id)).toMatchObject({ state: 'running', matched: 0, runner: interrupted.runner });
    h.clock.offsetMs += next.options.leaseMs + h.store.options.clockSkewMs + 1;
    const ended = await runUntilEnded(next, ops.store, created.id);
    expect(ended).toMatchObject({ state: 'succeeded', matched: 30, done: 30, skipped: 0, failed: 0 });

    // Run every retried job to its end: a job retried twice would fail three times.
    h.startPolling();
    const finished = await waitFor(async () => {
      const now = await reread(jobs);
      return now.every((job) => job.state === 'failed' && failures(job) >= 2) ? now : undefined;
    }, { timeoutMs: 30_000, what: 'all 30 to fail again' });
    expect(finished.map(failures)).toEqual(jobs.map(() => 2));
  });

  it('costs the job’s own retry plus about 0.1 write unit per job for the operation item (metered)', async () => {
    await failedJobs(h, 100, { board: 'ops-cost', payload: { permanent: true, message: 'x'.repeat(300) } });
    const metered = () => {
      const meter = new RequestMeter();
      const client = dynamoClient(inject('dynamoEndpoint'));
      meter.attach(client, 'DynamoDB');
      return { meter, client, documentClient: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }) };
    };
    const forJobs = metered();
    const forOperations = metered();
    try {
      const store = new DynamoJobStore(forJobs.documentClient, { tableName: h.table.tableName }, { now: h.clock.now });
      const operations = new DynamoOperationStore(forOperations.documentClient, { tableName: h.table.tableName });
      const lifecycle = new Lifecycle({ store, postings: new PostingSender(h.postings, h.logger, h.clock.now), logger: h.logger });
      const jobs = new ServiceOperationJobs({ store, service: new JobService({ store, queue: h.postings, registry: h.registry, now: h.clock.now, lifecycle }), lifecycle });
      const created = await ops.service.create({ action: 'retry', filter: { board: 'ops-cost', state: 'failed' } });
      const ended = await runUntilEnded(new OperationRunner({ operations, jobs, now: h.clock.now }), operations, created.id);
      expect(ended).toMatchObject({ state: 'succeeded', done: 100 });

      const perJob = (units: number) => Math.round((units / 100) * 1_000) / 1_000;
      const jobUnits = forJobs.meter.snapshot();
      const operationUnits = forOperations.meter.snapshot();
      console.log('bulk retry of 100 jobs:', JSON.stringify({ jobs: jobUnits, operation: operationUnits, perJob: { transition: perJob(jobUnits.dynamoWriteUnits), operation: perJob(operationUnits.dynamoWriteUnits) } }));
      // The transition is the single-job route's: one read and one conditional update per job (its item, out of the done index, into the open one).
      expect(jobUnits.requests['DynamoDB.GetItem']).toBe(100);
      expect(jobUnits.requests['DynamoDB.UpdateItem']).toBe(100);
      // The operation: acquire, the slice record, its commit, the end and the lease given back.
      expect(perJob(operationUnits.dynamoWriteUnits)).toBeLessThanOrEqual(0.15);
    } finally {
      forJobs.client.destroy();
      forOperations.client.destroy();
    }
  });
});
