/** Listing oldest first across shards, paging without gaps or repeats, filters, and counts. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../lib/errors.js';
import type { Job } from '../../lib/model.js';
import type { JobListQuery } from '../../lib/store/index.js';
import { createStoreFixture, jobIn, type Situation, type StoreFixture } from '../support/store.js';

let f: StoreFixture;
const made: Job[] = [];
// 60 jobs across every state and two types; some share a creation millisecond.
const plan: Situation[] = Array.from({ length: 60 }, (_, i) => (['posted', 'posted', 'claimed', 'completed', 'failed', 'trashed'] as const)[i % 6] as Situation);

beforeAll(async () => {
  f = await createStoreFixture();
  for (const [i, situation] of plan.entries()) {
    if (i % 4 !== 0) f.clock.advance(1);
    made.push(await jobIn(f, situation, { type: i % 3 === 0 ? 'demo.sleep' : 'demo.echo', payload: { i } }));
  }
});
afterAll(() => f.table.drop());

async function listAll(query: Omit<JobListQuery, 'cursor'>): Promise<{ jobs: Job[]; pages: number }> {
  const jobs: Job[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await f.store.list({ ...query, cursor });
    expect(page.jobs.length).toBeLessThanOrEqual(query.limit ?? 50);
    jobs.push(...page.jobs);
    cursor = page.nextCursor ?? undefined;
    pages++;
  } while (cursor !== undefined && pages < 100);
  return { jobs, pages };
}

const ids = (jobs: Job[]) => jobs.map((j) => j.id);

/** Expected order: open jobs by (createdAt, id); finished ones by (endedAt, id). */
function expected(filter: (job: Job) => boolean, finished: boolean): string[] {
  const key = (job: Job) => (finished ? (job.endedAt as number) : job.createdAt);
  return made
    .filter(filter)
    .sort((a, b) => key(a) - key(b) || (a.id < b.id ? -1 : 1))
    .map((j) => j.id);
}

describe('list', () => {
  it.each(['posted', 'claimed', 'completed', 'failed', 'trashed'] as const)('lists every %s job oldest first, paging by 7 without gaps or repeats', async (state) => {
    const { jobs, pages } = await listAll({ state, limit: 7 });
    const finished = state !== 'posted' && state !== 'claimed';
    expect(ids(jobs)).toEqual(expected((j) => j.state === state, finished));
    expect(new Set(ids(jobs)).size).toBe(jobs.length);
    expect(pages).toBe(Math.max(1, Math.ceil(jobs.length / 7)));
    for (const job of jobs) expect(job.state).toBe(state);
  });

  it('filters by type as well as state', async () => {
    const { jobs } = await listAll({ state: 'posted', type: 'demo.sleep', limit: 3 });
    expect(ids(jobs)).toEqual(expected((j) => j.state === 'posted' && j.type === 'demo.sleep', false));
    expect(jobs.length).toBeGreaterThan(0);
  });

  it('without a state lists every job exactly once: open ones, then finished ones', async () => {
    const { jobs } = await listAll({ limit: 11 });
    expect(ids(jobs)).toEqual([...expected((j) => j.state === 'posted' || j.state === 'claimed', false), ...expected((j) => ['completed', 'failed', 'trashed'].includes(j.state), true)]);
  });

  it('refuses a bad limit, an unknown state and a forged or mismatched cursor', async () => {
    await expect(f.store.list({ limit: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(f.store.list({ limit: 101 })).rejects.toBeInstanceOf(ValidationError);
    await expect(f.store.list({ state: 'sleeping' as never })).rejects.toBeInstanceOf(ValidationError);
    await expect(f.store.list({ cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(ValidationError);
    const page = await f.store.list({ state: 'posted', limit: 2 });
    await expect(f.store.list({ state: 'failed', cursor: page.nextCursor ?? '' })).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('count', () => {
  it('matches what was written', async () => {
    const counts = await f.store.count();
    const tally = { posted: 0, claimed: 0, waiting: 0, suspended: 0, completed: 0, failed: 0, trashed: 0 };
    for (const situation of plan) tally[situation === 'claimedExpired' ? 'claimed' : situation]++;
    expect(counts).toEqual(tally);
  });
});
