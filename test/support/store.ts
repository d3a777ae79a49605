/** A JobStore on its own table with a hand-moved clock, and jobs brought into each state for real. */
import { type JobStore } from '../../lib/store/index.js';
import type { Job } from '../../lib/model.js';
import type { JobTypeDefaults } from '../../lib/new-job.js';
import { ManualClock } from './clock.js';
import { postBody } from './jobs.js';
import { createTestTable, type TestTable } from './table.js';
import { DynamoJobStore } from '../../lib/dynamo/index.js';
import { MemoryJobStore } from '../../lib/memory/index.js';

/** A store under test, on whatever table, with a hand-moved clock. */
export interface StoreUnderTest {
  clock: ManualClock;
  store: JobStore;
  /** A lease long enough that it never runs out by accident in a test. */
  leaseMs: number;
  close(): Promise<void>;
}

/** A store on its own DynamoDB Local table. */
export interface StoreFixture extends StoreUnderTest {
  table: TestTable;
}

export async function createStoreFixture(): Promise<StoreFixture> {
  const table = await createTestTable();
  const clock = new ManualClock();
  const store = new DynamoJobStore(table.documentClient, { tableName: table.tableName }, { now: clock.now });
  return { table, clock, store, leaseMs: 60_000, close: () => table.drop() };
}

/** A store on a table in memory: no emulator. */
export async function createMemoryStoreFixture(): Promise<StoreUnderTest> {
  const clock = new ManualClock();
  return { clock, store: new MemoryJobStore({}, { now: clock.now }), leaseMs: 60_000, close: async () => undefined };
}

/** The states a test can ask for: the five states plus a claimed job whose lease has run out. */
export type Situation = 'posted' | 'claimed' | 'claimedExpired' | 'completed' | 'failed' | 'trashed';
export const SITUATIONS: readonly Situation[] = ['posted', 'claimed', 'claimedExpired', 'completed', 'failed', 'trashed'];

/** Posts a job and moves it into `situation` through the store's own transitions. */
export async function jobIn(f: StoreUnderTest, situation: Situation, body: Record<string, unknown> = {}): Promise<Job> {
  const { job } = await postBody(f.store, { type: 'demo.echo', payload: { situation }, ...body }, undefined, f.clock.now());
  if (situation === 'posted') return job;
  if (situation === 'trashed') return (await f.store.trash(job.id)).job;
  const claimed = await f.store.claim(job.id, { owner: `owner-${job.id}`, leaseMs: situation === 'claimedExpired' ? 1 : f.leaseMs });
  if (situation === 'claimedExpired') {
    f.clock.advance(f.store.options.clockSkewMs + 10);
    return claimed;
  }
  if (situation === 'claimed') return claimed;
  if (situation === 'completed') return (await f.store.consume(claimed, { ok: true })).job;
  return (await f.store.fail(claimed, { name: 'Error', message: 'boom' }, 'last attempt failed')).job;
}

/** Posts a body to the fixture's store at the fixture's clock time. */
export function postIn(f: StoreUnderTest, body: unknown, defaults?: JobTypeDefaults): Promise<{ job: Job; created: boolean }> {
  return postBody(f.store, body, defaults, f.clock.now());
}
