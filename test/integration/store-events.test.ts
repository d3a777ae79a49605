/** The store reports exactly one typed event per transition it writes, and none for a refused write. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus, type JobboardEvent } from '../../lib/events/events.js';
import { buildJob } from '../support/jobs.js';
import { createStoreFixture, type StoreFixture } from '../support/store.js';
import { DynamoJobStore } from '../../lib/dynamo/index.js';

let f: StoreFixture;
let store: DynamoJobStore;
const seen: JobboardEvent[] = [];
beforeAll(async () => {
  f = await createStoreFixture();
  store = new DynamoJobStore(f.table.documentClient, { tableName: f.table.tableName }, { now: f.clock.now, events: new EventBus([(event) => seen.push(event)]) });
});
afterAll(() => f.close());

describe('transition events', () => {
  it('one per transition, in order, each carrying the job as written', async () => {
    const job = buildJob({ type: 'demo.echo', maxAttempts: 3 }, undefined, f.clock.now());
    await store.post(job);
    const first = await store.claim(job.id, { owner: 'a', leaseMs: 60_000 });
    f.clock.advance(10);
    await store.abandon(first, { name: 'Error', message: 'again' }, f.clock.now());
    const second = await store.claim(job.id, { owner: 'b', leaseMs: 60_000 });
    f.clock.advance(25);
    await store.consume(second, { ok: true });
    await store.retry(job.id).catch(() => undefined); // refused: completed is not retryable
    await store.consume(second, {}).catch(() => undefined); // refused: already completed

    const mine = seen.filter((e) => e.kind === 'transition' && e.job.id === job.id);
    expect(mine.map((e) => e.kind === 'transition' && [e.name, e.job.state, e.job.version])).toEqual([
      ['job_posted', 'posted', 1],
      ['job_claimed', 'claimed', 2],
      ['job_abandoned', 'posted', 3],
      ['job_claimed', 'claimed', 4],
      ['job_consumed', 'completed', 5],
    ]);
    expect(mine[2]).toMatchObject({ durationMs: 10, detail: { error: { message: 'again' } } });
    expect(mine[4]).toMatchObject({ durationMs: 25 });
  });

  it('a takeover reports the claim with the owner whose attempt was lost', async () => {
    const job = buildJob({ type: 'demo.echo' }, undefined, f.clock.now());
    await store.post(job);
    await store.claim(job.id, { owner: 'dead', leaseMs: 1 });
    f.clock.advance(5_000);
    await store.claim(job.id, { owner: 'successor', leaseMs: 60_000 });
    const claims = seen.filter((e) => e.kind === 'transition' && e.job.id === job.id && e.name === 'job_claimed');
    expect(claims[1]).toMatchObject({ detail: { tookOverFrom: 'dead', lostAttempt: 1 } });
  });

  it('an observer that throws breaks neither the write nor the other observers', async () => {
    const delivered: string[] = [];
    const bus = new EventBus([
      () => {
        throw new Error('observer down');
      },
      (event) => delivered.push(event.kind),
    ]);
    const noisy = new DynamoJobStore(f.table.documentClient, { tableName: f.table.tableName }, { now: f.clock.now, events: bus });
    const job = buildJob({ type: 'demo.echo' }, undefined, f.clock.now());
    await expect(noisy.post(job)).resolves.toMatchObject({ created: true });
    expect(delivered).toEqual(['transition']);
  });
});
