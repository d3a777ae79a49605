/** Idempotent post, trash, retry and list paging, over HTTP against the local stack. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StackProcess } from '../support/local-stack.js';
import { waitFor } from '../support/wait.js';

const stack = new StackProcess();
beforeAll(() => stack.start().then(() => undefined));
afterAll(() => stack.stop());

const finalState = (id: string) => async () => {
  const job = (await stack.request('GET', `/jobs/${id}`)).body;
  return ['completed', 'failed', 'trashed'].includes(job.state) ? job : undefined;
};

describe('job lifecycle over HTTP', () => {
  it('a repeated post answers 200 with the original job; another body answers 409', async () => {
    const body = { id: 'same-1', type: 'demo.echo', payload: { v: 1 } };
    const first = await stack.request('POST', '/jobs', body);
    const again = await stack.request('POST', '/jobs', body);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.createdAt).toBe(first.body.createdAt);
    const other = await stack.request('POST', '/jobs', { ...body, payload: { v: 2 } });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('ConflictError');
    await waitFor(finalState('same-1'));
    expect((await stack.request('GET', '/jobs/same-1')).body).toMatchObject({ payload: { v: 1 }, attempts: 1 });
  });

  it('trash a waiting job, refuse to trash it twice, retry it, and it completes', async () => {
    const { body: job } = await stack.request('POST', '/jobs', { type: 'demo.echo', payload: { t: 1 }, delaySeconds: 600 });
    const trashed = await stack.request('DELETE', `/jobs/${job.id}`);
    expect(trashed).toMatchObject({ status: 200, body: { state: 'trashed' } });
    expect((await stack.request('DELETE', `/jobs/${job.id}`)).status).toBe(409);
    const retried = await stack.request('POST', `/jobs/${job.id}/retry`);
    expect(retried).toMatchObject({ status: 200, body: { state: 'posted', attempts: 0, runAt: null } });
    expect(await waitFor(finalState(job.id))).toMatchObject({ state: 'completed', result: { t: 1 } });
    expect((await stack.request('POST', `/jobs/${job.id}/retry`)).status).toBe(409);
    expect((await stack.request('DELETE', `/jobs/${job.id}`)).status).toBe(409);
  });

  it('a failed job can be retried with a fresh attempt budget', async () => {
    const { body: job } = await stack.request('POST', '/jobs', { type: 'demo.fail', payload: { permanent: true } });
    expect(await waitFor(finalState(job.id))).toMatchObject({ state: 'failed', attempts: 1 });
    const retried = await stack.request('POST', `/jobs/${job.id}/retry`);
    expect(retried.body).toMatchObject({ state: 'posted', attempts: 0 });
    expect(await waitFor(finalState(job.id))).toMatchObject({ state: 'failed', attempts: 1 });
    expect((await stack.request('GET', `/jobs/${job.id}`)).body.errors).toHaveLength(2);
  });

  it('DELETE on a running job answers 202 with stopRequested, and the job ends trashed well before its sleep would', async () => {
    const { body: job } = await stack.request('POST', '/jobs', { type: 'demo.sleep', payload: { ms: 60_000 } });
    await waitFor(async () => (await stack.request('GET', `/jobs/${job.id}`)).body.state === 'claimed');
    const started = Date.now();
    const accepted = await stack.request('DELETE', `/jobs/${job.id}`);
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ state: 'claimed', stopRequested: 'cancel' });
    const ended = await waitFor(finalState(job.id), { timeoutMs: 30_000 });
    expect(ended).toMatchObject({ state: 'trashed', stopRequested: null });
    expect(ended.history.map((a: { outcome: string }) => a.outcome)).toEqual(['cancelled']);
    expect(Date.now() - started).toBeLessThan(30_000);
    // A final job refuses a second DELETE.
    const refused = await stack.request('DELETE', `/jobs/${job.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('InvalidStateError');
  });

  it('lists pages oldest first with the cursor, without gaps or repeats', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 23; i++) ids.push((await stack.request('POST', '/jobs', { type: 'demo.echo', payload: { i }, id: `page-${String(i).padStart(2, '0')}`, delaySeconds: 900 })).body.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `/jobs?state=posted&type=demo.echo&limit=5${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await stack.request('GET', query);
      expect(page.status).toBe(200);
      expect(page.body.jobs.length).toBeLessThanOrEqual(5);
      seen.push(...page.body.jobs.map((j: { id: string }) => j.id));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor !== null && pages < 20);
    const ours = seen.filter((id) => id.startsWith('page-'));
    expect(ours).toEqual(ids);
    expect(new Set(seen).size).toBe(seen.length);

    const newest = await stack.request('GET', '/jobs?state=posted&type=demo.echo&order=desc&limit=100');
    expect(newest.body.jobs.map((j: { id: string }) => j.id).filter((id: string) => id.startsWith('page-'))).toEqual([...ids].reverse());
  });
});

describe('batch post', () => {
  it('POST /jobs/batch answers each job on its own; good ones run, bad ones change nothing', async () => {
    expect((await stack.request('POST', '/jobs', { type: 'demo.echo', id: 'batch-0' })).status).toBe(201);
    const response = await stack.request('POST', '/jobs/batch', {
      jobs: [{ type: 'demo.echo', payload: { b: 1 }, id: 'batch-1' }, { type: 'no.such.type' }, { type: 'demo.echo', payload: { b: 2 }, id: 'batch-2' }, { type: 'demo.echo', payload: { other: true }, id: 'batch-0' }],
    });
    expect(response.status).toBe(200);
    expect(response.body.results.map((r: { status: number }) => r.status)).toEqual([201, 400, 201, 409]);
    expect(response.body.results[1].error.code).toBe('ValidationError');
    for (const id of ['batch-1', 'batch-2']) expect(await waitFor(finalState(id))).toMatchObject({ state: 'completed', attempts: 1 });
    expect((await stack.request('POST', '/jobs/batch', { jobs: [] })).status).toBe(400);
    expect((await stack.request('POST', '/jobs/batch', { jobs: Array.from({ length: 101 }, () => ({ type: 'demo.echo' })) })).status).toBe(400);
  });
});
