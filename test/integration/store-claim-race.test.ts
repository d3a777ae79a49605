/** Invariants 1 and 2, proven by racing real claimants against DynamoDB Local. */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { ClaimLostError, ClaimRefusedError } from '../../lib/errors.js';
import { dynamoClient } from '../support/aws.js';
import { createStoreFixture, type StoreFixture , postIn } from '../support/store.js';
import { DynamoJobStore } from '../../lib/dynamo/index.js';

let f: StoreFixture;
beforeAll(async () => {
  f = await createStoreFixture();
});
afterAll(() => f.table.drop());

describe('claim race', () => {
  it('20 concurrent claimers on their own connections: exactly one wins, 19 are told a live lease is held', async () => {
    const { job } = await postIn(f, { type: 'demo.echo' });
    const claimants = Array.from({ length: 20 }, (_, i) => {
      const client = dynamoClient(inject('dynamoEndpoint'));
      return { owner: `claimant-${i}`, client, store: new DynamoJobStore(DynamoDBDocumentClient.from(client), { tableName: f.table.tableName }) };
    });
    const results = await Promise.allSettled(claimants.map((c) => c.store.claim(job.id, { owner: c.owner, leaseMs: 30_000 })));
    claimants.forEach((c) => c.client.destroy());

    const winners = results.filter((r) => r.status === 'fulfilled');
    const losers = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(19);
    for (const loser of losers) {
      expect(loser.reason).toBeInstanceOf(ClaimRefusedError);
      expect((loser.reason as ClaimRefusedError).reason).toBe('leased');
    }
    const stored = await f.store.get(job.id);
    expect(stored.attempts).toBe(1);
    expect(stored.owner).toBe((winners[0] as PromiseFulfilledResult<{ owner?: string }>).value.owner);
  });

  it('after the lease expires another claimant wins, and the first owner can no longer consume', async () => {
    const { job } = await postIn(f, { type: 'demo.echo' });
    const first = await f.store.claim(job.id, { owner: 'first', leaseMs: 5_000 });
    await expect(f.store.claim(job.id, { owner: 'second', leaseMs: 5_000 })).rejects.toMatchObject({ reason: 'leased' });

    f.clock.advance(5_000 + f.store.options.clockSkewMs + 1);
    const second = await f.store.claim(job.id, { owner: 'second', leaseMs: 5_000 });
    expect(second).toMatchObject({ owner: 'second', attempts: 2 });

    await expect(f.store.consume(first, { by: 'first' })).rejects.toBeInstanceOf(ClaimLostError);
    await expect(f.store.heartbeat(first, 5_000)).rejects.toBeInstanceOf(ClaimLostError);
    expect(await f.store.get(job.id)).toMatchObject({ state: 'claimed', owner: 'second' });

    const { job: done } = await f.store.consume(second, { by: 'second' });
    expect(done).toMatchObject({ state: 'completed', result: { by: 'second' } });
    await expect(f.store.consume(second, { by: 'again' })).rejects.toBeInstanceOf(ClaimLostError);
    expect((await f.store.get(job.id)).result).toEqual({ by: 'second' });
  });

  it('a lease within the clock-skew window still counts as live', async () => {
    const { job } = await postIn(f, { type: 'demo.echo' });
    await f.store.claim(job.id, { owner: 'first', leaseMs: 1_000 });
    f.clock.advance(1_000 + f.store.options.clockSkewMs - 1);
    await expect(f.store.claim(job.id, { owner: 'second', leaseMs: 1_000 })).rejects.toMatchObject({ reason: 'leased' });
  });

  it('a heartbeat keeps the lease live past its first end', async () => {
    const { job } = await postIn(f, { type: 'demo.echo' });
    const claimed = await f.store.claim(job.id, { owner: 'first', leaseMs: 2_000 });
    f.clock.advance(1_500);
    await f.store.heartbeat(claimed, 2_000);
    f.clock.advance(1_500 + f.store.options.clockSkewMs);
    await expect(f.store.claim(job.id, { owner: 'second', leaseMs: 1_000 })).rejects.toMatchObject({ reason: 'leased' });
  });
});

describe('attempt budget', () => {
  it('attempts never pass maxAttempts: the next claim is refused as exhausted', async () => {
    const { job } = await postIn(f, { type: 'demo.echo', maxAttempts: 2 });
    for (let attempt = 1; attempt <= 2; attempt++) {
      const claimed = await f.store.claim(job.id, { owner: `o${attempt}`, leaseMs: 1_000 });
      expect(claimed.attempts).toBe(attempt);
      await f.store.abandon(claimed, { name: 'Error', message: `try ${attempt}` }, f.clock.now());
    }
    const refusal = (await f.store.claim(job.id, { owner: 'o3', leaseMs: 1_000 }).catch((e: unknown) => e)) as ClaimRefusedError;
    expect(refusal.reason).toBe('exhausted');
    const stored = await f.store.get(job.id);
    expect(stored.attempts).toBe(2);
    expect(stored.errors.map((e) => e.attempt)).toEqual([1, 2]);
  });

  it('a last attempt whose lease ran out is refused as exhausted and can be failed without an owner', async () => {
    const { job } = await postIn(f, { type: 'demo.echo', maxAttempts: 1 });
    await f.store.claim(job.id, { owner: 'crashed', leaseMs: 1_000 });
    f.clock.advance(1_000 + f.store.options.clockSkewMs + 1);
    await expect(f.store.claim(job.id, { owner: 'next', leaseMs: 1_000 })).rejects.toMatchObject({ reason: 'exhausted' });
    const { job: failed } = await f.store.failUnclaimed(await f.store.get(job.id), 'exhausted');
    expect(failed).toMatchObject({ state: 'failed', attempts: 1 });
    expect(failed.errors.at(-1)?.name).toBe('AttemptsExhaustedError');
  });

  it('keeps only the last 10 errors', async () => {
    const { job } = await postIn(f, { type: 'demo.echo', maxAttempts: 12 });
    for (let attempt = 1; attempt <= 12; attempt++) {
      const claimed = await f.store.claim(job.id, { owner: `o${attempt}`, leaseMs: 1_000 });
      await f.store.abandon(claimed, { name: 'Error', message: `try ${attempt}` }, f.clock.now());
    }
    expect((await f.store.get(job.id)).errors.map((e) => e.attempt)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });
});
