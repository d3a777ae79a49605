/** Listing newest first, within time bounds, and with a type filter that reads a bounded number of entries per call. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../lib/model.js';
import { type JobStore, type JobListQuery } from '../../lib/store/index.js';
import { buildJob } from '../support/jobs.js';
import { createStoreFixture, jobIn, type Situation, type StoreFixture } from '../support/store.js';
import { DynamoJobStore } from '../../lib/dynamo/index.js';

let f: StoreFixture;
const made: Job[] = [];
const plan: Situation[] = Array.from({ length: 40 }, (_, i) => (['posted', 'claimed', 'completed', 'failed'] as const)[i % 4] as Situation);

beforeAll(async () => {
  f = await createStoreFixture();
  for (const [i, situation] of plan.entries()) {
    if (i % 3 !== 0) f.clock.advance(1);
    made.push(await jobIn(f, situation, { payload: { i } }));
  }
});
afterAll(() => f.close());

async function listAll(store: JobStore, query: Omit<JobListQuery, 'cursor'>, maxPages = 200): Promise<{ jobs: Job[]; pages: number; emptyPages: number }> {
  const jobs: Job[] = [];
  let cursor: string | undefined;
  let pages = 0;
  let emptyPages = 0;
  do {
    const page = await store.list({ ...query, cursor });
    jobs.push(...page.jobs);
    if (page.jobs.length === 0) emptyPages++;
    cursor = page.nextCursor ?? undefined;
    pages++;
  } while (cursor !== undefined && pages < maxPages);
  return { jobs, pages, emptyPages };
}

const ids = (jobs: Job[]) => jobs.map((j) => j.id);
const time = (job: Job) => (job.state === 'posted' || job.state === 'claimed' ? job.createdAt : (job.endedAt as number));
/** Newest first by the stream's time, then id descending. */
const newestFirst = (jobs: Job[]) => [...jobs].sort((a, b) => time(b) - time(a) || (a.id < b.id ? 1 : -1)).map((j) => j.id);

describe('list, newest first', () => {
  it.each(['posted', 'claimed', 'completed', 'failed'] as const)('lists every %s job newest first, paging by 3 without gaps or repeats', async (state) => {
    const { jobs } = await listAll(f.store, { state, order: 'desc', limit: 3 });
    expect(ids(jobs)).toEqual(newestFirst(made.filter((j) => j.state === state)));
  });

  it('without a state: open jobs newest first, then finished ones newest first', async () => {
    const { jobs } = await listAll(f.store, { order: 'desc', limit: 7 });
    const open = made.filter((j) => j.state === 'posted' || j.state === 'claimed');
    const done = made.filter((j) => j.state === 'completed' || j.state === 'failed');
    expect(ids(jobs)).toEqual([...newestFirst(open), ...newestFirst(done)]);
  });

  it('a cursor of one order is refused for the other', async () => {
    const page = await f.store.list({ state: 'completed', order: 'desc', limit: 2 });
    await expect(f.store.list({ state: 'completed', order: 'asc', cursor: page.nextCursor ?? '' })).rejects.toMatchObject({ code: 'ValidationError' });
  });
});

describe('list within time bounds', () => {
  it('keeps the jobs whose creation (open) or end (finished) lies within [from, to], in both orders', async () => {
    const posted = made.filter((j) => j.state === 'posted');
    const from = (posted[2] as Job).createdAt;
    const to = (posted[6] as Job).createdAt;
    const inside = posted.filter((j) => j.createdAt >= from && j.createdAt <= to);
    expect(inside.length).toBeGreaterThan(2);
    expect(inside.length).toBeLessThan(posted.length);
    const asc = await listAll(f.store, { state: 'posted', from, to, limit: 2 });
    expect(new Set(ids(asc.jobs))).toEqual(new Set(ids(inside)));
    const desc = await listAll(f.store, { state: 'posted', from, to, order: 'desc', limit: 2 });
    expect(ids(desc.jobs)).toEqual(newestFirst(inside));

    const failed = made.filter((j) => j.state === 'failed');
    const end = (failed[3] as Job).endedAt as number;
    const { jobs } = await listAll(f.store, { state: 'failed', to: end, limit: 50 });
    expect(new Set(ids(jobs))).toEqual(new Set(ids(failed.filter((j) => (j.endedAt as number) <= end))));
  });

  it('refuses from after to', async () => {
    await expect(f.store.list({ from: 10, to: 5 })).rejects.toMatchObject({ code: 'ValidationError', details: [{ path: 'from' }] });
  });
});

describe('a rare type', () => {
  it('is found without reading whole partitions in one call: each call stops at the scan limit and hands back a cursor', async () => {
    const store = new DynamoJobStore(f.table.documentClient, { tableName: f.table.tableName, listScanLimit: 100 }, { now: f.clock.now });
    for (let i = 0; i < 300; i++) await store.post(buildJob({ type: 'demo.common', payload: { i } }, undefined, f.clock.now()));
    f.clock.advance(1);
    const rare = buildJob({ type: 'demo.rare' }, undefined, f.clock.now());
    await store.post(rare);

    const first = await store.list({ type: 'demo.rare', limit: 1 });
    expect(first.jobs).toEqual([]);
    expect(first.nextCursor).not.toBeNull();
    const { jobs, emptyPages } = await listAll(store, { type: 'demo.rare', limit: 1 });
    expect(ids(jobs)).toEqual([rare.id]);
    expect(emptyPages).toBeGreaterThan(1);
  });
});
