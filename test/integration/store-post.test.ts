/** Posting: idempotent on id, conflicting on another body, and invalid input writes nothing. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { createStoreFixture, type StoreFixture , postIn } from '../support/store.js';

let f: StoreFixture;
beforeAll(async () => {
  f = await createStoreFixture();
});
afterAll(() => f.table.drop());

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

  const invalid: [string, unknown][] = [
    ['an unknown field', { id: 'bad-1', type: 'demo.echo', colour: 'red' }],
    ['a payload that is not an object', { id: 'bad-2', type: 'demo.echo', payload: [1, 2] }],
    ['a string payload', { id: 'bad-3', type: 'demo.echo', payload: 'hello' }],
    ['a payload over 256 KiB', { id: 'bad-4', type: 'demo.echo', payload: { blob: 'x'.repeat(256 * 1024) } }],
    ['a bad id', { id: 'has spaces/and slashes', type: 'demo.echo' }],
    ['an id over 128 characters', { id: 'x'.repeat(129), type: 'demo.echo' }],
    ['no type', { id: 'bad-5' }],
    ['maxAttempts out of range', { id: 'bad-6', type: 'demo.echo', maxAttempts: 0 }],
    ['timeoutSeconds out of range', { id: 'bad-7', type: 'demo.echo', timeoutSeconds: 901 }],
    ['both delaySeconds and runAt', { id: 'bad-8', type: 'demo.echo', delaySeconds: 5, runAt: '2030-01-01T00:00:00Z' }],
    ['a runAt that is not a time', { id: 'bad-9', type: 'demo.echo', runAt: 'tomorrow' }],
    ['a body that is not an object', 'just text'],
  ];

  it.each(invalid)('refuses %s and writes nothing', async (_, body) => {
    const before = await f.store.count();
    const error = await postIn(f, body).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).details.length).toBeGreaterThan(0);
    expect(await f.store.count()).toEqual(before);
    const id = (body as { id?: unknown })?.id;
    if (typeof id === 'string') await expect(f.store.get(id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('accepts a payload just under 256 KiB', async () => {
    const blob = 'x'.repeat(256 * 1024 - 20);
    const { job } = await postIn(f, { type: 'demo.echo', payload: { blob } });
    expect((await f.store.get(job.id)).payload).toEqual({ blob });
  });
});
