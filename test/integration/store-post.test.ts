/** Posting a built job: idempotent on id, conflicting on another body. (Invalid bodies never become jobs: test/unit/post-request.test.ts.) */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '../../lib/errors.js';
import { createStoreFixture, type StoreFixture , postIn } from '../support/store.js';

let f: StoreFixture;
beforeAll(async () => {
  f = await createStoreFixture();
});
afterAll(() => f.close());

describe('post', () => {
  it('creates a posted job with defaults', async () => {
    const { job, created } = await postIn(f, { type: 'demo.echo', payload: { a: 1 } });
    expect(created).toBe(true);
    expect(job).toMatchObject({ state: 'posted', attempts: 0, maxAttempts: 5, timeoutSeconds: 60, payload: { a: 1 }, version: 1 });
    expect(await f.store.get(job.id)).toEqual(job);
  });

  it('takes the job type defaults when the request says nothing', async () => {
    const { job } = await postIn(f, { type: 'demo.echo' }, { typeVersion: 3, maxAttempts: 9, timeoutSeconds: 7 });
    expect(job).toMatchObject({ typeVersion: 3, maxAttempts: 9, timeoutSeconds: 7 });
  });

  it('the same id and body returns the original job, unchanged', async () => {
    const body = { id: 'idem-1', type: 'demo.echo', payload: { n: 1 } };
    const first = await postIn(f, body);
    f.clock.advance(5_000);
    const again = await postIn(f, { payload: { n: 1 }, type: 'demo.echo', id: 'idem-1' });
    expect(again.created).toBe(false);
    expect(again.job).toEqual(first.job);
  });

  it('the same id with another body is a conflict and changes nothing', async () => {
    const { job } = await postIn(f, { id: 'idem-2', type: 'demo.echo', payload: { n: 1 } });
    await expect(postIn(f, { id: 'idem-2', type: 'demo.echo', payload: { n: 2 } })).rejects.toBeInstanceOf(ConflictError);
    expect(await f.store.get('idem-2')).toEqual(job);
  });

  it('accepts a payload just under 256 KiB', async () => {
    const blob = 'x'.repeat(256 * 1024 - 20);
    const { job } = await postIn(f, { type: 'demo.echo', payload: { blob } });
    expect((await f.store.get(job.id)).payload).toEqual({ blob });
  });
});
