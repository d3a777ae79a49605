/**
 * Periodic schedules on DynamoDB Local and the SQS emulator: two tickers racing post each slot
 * once, with no gap; a paused schedule posts nothing; `overlap: skip` skips while the previous
 * run is unfinished; after a stop, one catch-up job; and what a slot costs in write units.
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { RequestMeter } from '../../bench/request-meter.js';
import { NotFoundError } from '../../lib/errors.js';
import { JobService } from '../../lib/job-service.js';
import type { Job } from '../../lib/model.js';
import { slotJobId } from '../../lib/schedules/schedule.js';
import { ScheduleService } from '../../lib/schedules/schedule-service.js';
import type { TickReport } from '../../lib/schedules/schedule-tick.js';
import { dynamoClient } from '../support/aws.js';
import { BoardHarness } from '../support/board-harness.js';
import { waitFor } from '../support/wait.js';
import { DynamoJobStore, DynamoScheduleStore } from '../../lib/dynamo/index.js';

const h = new BoardHarness({ invocationTimeoutMs: 20_000 });
beforeAll(() => h.start());
afterAll(() => h.stop());
// Each test ticks only its own schedules: every schedule is removed after each test.
afterEach(async () => {
  const admin = newTicker();
  for (const schedule of await admin.list()) await admin.delete(schedule.name);
});

/** A ticker as a separate process would have it: its own job store, job service and schedule service on the same table and queue. */
function newTicker(documentClient: DynamoDBDocumentClient = h.documentClient): ScheduleService {
  const store = new DynamoJobStore(documentClient, { tableName: h.table.tableName }, { now: h.clock.now });
  const jobs = new JobService({ store, queue: h.postings, registry: h.registry, logger: h.logger, now: h.clock.now });
  return new ScheduleService({ store: new DynamoScheduleStore(documentClient, h.table.tableName), jobs, registry: h.registry, logger: h.logger, now: h.clock.now });
}

/** Ticks every `intervalMs` until stopped; `stop()` waits for the tick in flight. */
function tickLoop(ticker: ScheduleService, intervalMs: number): { reports: TickReport[]; stop(): Promise<void> } {
  const reports: TickReport[] = [];
  let running = true;
  let wake: () => void = () => undefined;
  const done = (async () => {
    while (running) {
      reports.push(await ticker.tick());
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, intervalMs);
      });
    }
  })();
  return {
    reports,
    async stop() {
      running = false;
      wake();
      await done;
    },
  };
}

/** Every job on a board (each test uses its own), every page. */
async function jobsOn(board: string): Promise<Job[]> {
  const jobs: Job[] = [];
  let cursor: string | undefined;
  do {
    const page = await h.jobs.list({ board, limit: 100, ...(cursor === undefined ? {} : { cursor }) });
    jobs.push(...page.jobs);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  // A list is no snapshot: a job that finished between two pages shows in both. Count it once.
  return [...new Map(jobs.map((job) => [job.id, job])).values()];
}

const slotOf = (id: string): number => Number(id.split('.').pop()) * 1_000;
const sum = (reports: TickReport[], key: keyof TickReport) => reports.reduce((total, r) => total + r[key], 0);

describe('periodic schedules', () => {
  it('two tickers racing on an every-2-s schedule post each slot exactly once, with no gap, over ~8 s', async () => {
    const admin = newTicker();
    const put = await admin.put('race', { type: 'demo.echo', payload: { from: 'race' }, board: 'sched-race', every: 2, overlap: 'allow' });
    const [a, b] = [newTicker(), newTicker()];
    const loops = [tickLoop(a, 1_000), tickLoop(b, 1_000)];
    const first = (Math.floor(put.activeFrom / 2_000) + 1) * 2_000;
    // Four slots: about 8 s of ticking.
    await waitFor(async () => ((await admin.get('race')).lastSlot ?? 0) >= first + 6_000, { timeoutMs: 15_000, what: 'four slots dealt with' });
    await Promise.all(loops.map((loop) => loop.stop()));

    const stored = await admin.get('race');
    const ids = (await jobsOn('sched-race')).map((job) => job.id).sort();
    const slots = ids.map(slotOf);
    // The first slot after the PUT, then every 2 s up to the last slot dealt with: no gap, no extra.
    const expected = Array.from({ length: (stored.lastSlot! - first) / 2_000 + 1 }, (_, n) => first + n * 2_000);
    expect(slots).toEqual(expected);
    expect(expected.length).toBeGreaterThanOrEqual(4);
    expect(ids).toEqual(expected.map((slot) => slotJobId('race', slot)));
    // Each slot was created by exactly one of the two tickers; the other (if it got there) was answered the existing job.
    const reports = loops.flatMap((loop) => loop.reports);
    expect(sum(reports, 'posted')).toBe(expected.length);
    expect(sum(reports, 'failed')).toBe(0);
    expect(stored.lastJobId).toBe(slotJobId('race', stored.lastSlot!));
  });

  it('a paused schedule posts nothing; resumed, it posts from then on, never the slots it missed', async () => {
    const admin = newTicker();
    const put = await admin.put('paused', { type: 'demo.echo', board: 'sched-paused', every: 1, paused: true });
    for (const ahead of [1_000, 5_000, 30_000]) expect((await admin.tick(put.activeFrom + ahead)).posted).toBe(0);
    expect(await jobsOn('sched-paused')).toEqual([]);
    expect((await admin.get('paused')).lastSlot).toBeUndefined();

    const resumed = await admin.put('paused', { type: 'demo.echo', board: 'sched-paused', every: 1, paused: false });
    expect((await admin.tick(resumed.activeFrom + 2_500)).posted).toBe(1);
    const [job] = await jobsOn('sched-paused');
    expect(slotOf(job!.id)).toBeGreaterThan(resumed.activeFrom);
  });

  it('overlap skip: while a 5 s run is unfinished its next slots are skipped, and never posted later', async () => {
    h.startPolling();
    try {
      const admin = newTicker();
      await admin.put('overlap', { type: 'demo.sleep', payload: { ms: 5_000 }, board: 'sched-overlap', every: 2 });
      const loop = tickLoop(newTicker(), 1_000);
      const [first, second] = await waitFor(
        async () => {
          const jobs = await jobsOn('sched-overlap');
          return jobs.length >= 2 ? jobs.sort((x, y) => x.id.localeCompare(y.id)) : undefined;
        },
        { timeoutMs: 20_000, what: 'a second run of the overlapping schedule' },
      );
      await loop.stop();
      const firstDone = await waitFor(h.finished(first!.id), { timeoutMs: 10_000 });
      // The second run was posted only once the first had finished.
      expect(second!.createdAt).toBeGreaterThanOrEqual(firstDone.endedAt!);
      // The slots in between were skipped (at least two of them: the run takes 5 s, the period is 2 s) and have no job.
      const between = [];
      for (let slot = slotOf(first!.id) + 2_000; slot < slotOf(second!.id); slot += 2_000) between.push(slot);
      expect(between.length).toBeGreaterThanOrEqual(2);
      for (const slot of between) await expect(h.store.get(slotJobId('overlap', slot))).rejects.toBeInstanceOf(NotFoundError);
      expect(sum(loop.reports, 'skipped')).toBe(between.length);
      expect(h.events('schedule_slot_skipped').filter((l) => l.schedule === 'overlap')).toHaveLength(between.length);
    } finally {
      await h.stopPolling();
    }
  }, 40_000);

  it('after a stop of several periods, exactly one catch-up job: the latest missed slot, even with two tickers', async () => {
    const admin = newTicker();
    const put = await admin.put('catchup', { type: 'demo.echo', board: 'sched-catchup', every: 2, overlap: 'allow' });
    const start = put.activeFrom;
    expect((await admin.tick(start + 2_500)).posted).toBe(1);
    const before = await jobsOn('sched-catchup');
    // Nobody ticks for 7 s (three slots pass), then two tickers tick at once.
    const later = start + 9_500;
    const reports = await Promise.all([newTicker().tick(later), newTicker().tick(later)]);
    expect(sum(reports, 'posted')).toBe(1);
    const after = await jobsOn('sched-catchup');
    expect(after).toHaveLength(before.length + 1);
    const caughtUp = after.find((job) => !before.some((b) => b.id === job.id))!;
    expect(slotOf(caughtUp.id)).toBe(Math.floor(later / 2_000) * 2_000);
    expect((await admin.tick(later)).posted).toBe(0);
  });

  it('costs 3 write units per posted slot: the job (item and open index) and the schedule’s lastSlot', async () => {
    const meter = new RequestMeter();
    const client = dynamoClient(inject('dynamoEndpoint'));
    meter.attach(client, 'DynamoDB');
    try {
      const ticker = newTicker(DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }));
      // overlap allow: the tick reads no previous job. The first tick of a process registers the job's board (one write, once).
      const put = await ticker.put('cost', { type: 'demo.echo', payload: { text: 'x'.repeat(200) }, board: 'sched-cost', every: 2, overlap: 'allow' });
      const firstSlot = (Math.floor(put.activeFrom / 2_000) + 1) * 2_000;
      await ticker.tick(firstSlot + 100);
      meter.reset();
      expect((await ticker.tick(firstSlot + 2_100)).posted).toBe(1);
      const cost = meter.snapshot();
      console.log('one scheduled slot:', JSON.stringify(cost));
      expect(cost.requests['DynamoDB.PutItem']).toBe(1);
      expect(cost.requests['DynamoDB.UpdateItem']).toBe(1);
      expect(cost.dynamoWriteUnits).toBe(3);
      // A tick with nothing due writes nothing.
      meter.reset();
      await ticker.tick(firstSlot + 2_200);
      expect(meter.snapshot().dynamoWriteUnits).toBe(0);
    } finally {
      client.destroy();
    }
  });
});
