/**
 * Unique jobs: at most one unfinished job per `uniqueKey`. A second post while the first is
 * unfinished is a 409 `DuplicateError` naming it; once it is final (completed, failed, trashed or
 * cancelled) the key is free again; of 20 racing posts with one key exactly one is created.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BoardHarness } from '../support/board-harness.js';
import { postBody } from '../support/jobs.js';
import { DuplicateError } from '../../lib/store/errors.js';

const h = new BoardHarness();
beforeAll(() => h.start());
afterAll(() => h.stop());

describe('unique jobs', () => {
  it('a second unfinished job with the key is refused, naming the first; a repeat of the same post answers it', async () => {
    const first = await h.post({ type: 'demo.echo', id: 'report-1', uniqueKey: 'nightly-report', delaySeconds: 600 });
    expect(first.created).toBe(true);
    const error = await h.post({ type: 'demo.echo', uniqueKey: 'nightly-report' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DuplicateError);
    expect(error).toMatchObject({ code: 'DuplicateError', existingId: 'report-1', details: [{ path: 'uniqueKey', message: 'held by job report-1' }] });
    expect(await h.post({ type: 'demo.echo', id: 'report-1', uniqueKey: 'nightly-report', delaySeconds: 600 })).toMatchObject({ created: false, job: { id: 'report-1' } });
  });

  it.each([
    ['trashed', (id: string) => h.jobs.cancel(id)],
    ['failed', async (id: string) => h.store.fail(await h.store.claim(id, { owner: 'o', leaseMs: 10_000 }), { name: 'Error', message: 'no' }, 'test')],
    ['completed', async (id: string) => h.store.consume(await h.store.claim(id, { owner: 'o', leaseMs: 10_000 }), null)],
  ])('the key is free again once its job is %s', async (_, finish) => {
    const key = `free-${Math.random().toString(36).slice(2)}`;
    const { job } = await postBody(h.store, { type: 'demo.echo', uniqueKey: key });
    await expect(postBody(h.store, { type: 'demo.echo', uniqueKey: key })).rejects.toBeInstanceOf(DuplicateError);
    await finish(job.id);
    const next = await postBody(h.store, { type: 'demo.echo', uniqueKey: key });
    expect(next.created).toBe(true);
    await expect(postBody(h.store, { type: 'demo.echo', uniqueKey: key })).rejects.toMatchObject({ existingId: next.job.id });
  });

  it('of 20 concurrent posts with one key, exactly one is created', async () => {
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => h.post({ type: 'demo.echo', uniqueKey: 'race', delaySeconds: 600 })));
    const created = results.filter((r) => r.status === 'fulfilled' && r.value.created);
    const refused = results.filter((r) => r.status === 'rejected' && r.reason instanceof DuplicateError);
    expect(created).toHaveLength(1);
    expect(refused).toHaveLength(19);
    const winner = (created[0] as PromiseFulfilledResult<{ job: { id: string } }>).value.job.id;
    for (const r of refused) expect((r as PromiseRejectedResult).reason.existingId).toBe(winner);
  });
});
