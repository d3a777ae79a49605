/**
 * Boards: listing and counts per board, a paused board that starts nothing while another runs
 * and drains once resumed, and `maxRunning` held under three racing conductors, also when a
 * holder dies. Real DynamoDB Local and the SQS emulator.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobType } from '../../lib/registry.js';
import { boardKey } from '../../lib/store/board-items.js';
import { demoJobTypes } from '../../functions/job-types/demo.js';
import { BoardHarness } from '../support/board-harness.js';
import { postBody } from '../support/jobs.js';
import { maxOverlap, pauseJobType } from '../support/run-intervals.js';
import { waitFor } from '../support/wait.js';


const h = new BoardHarness({ jobTypes: [...demoJobTypes, pauseJobType] as JobType<never>[], conductor: { leaseMs: 1_000 } });
beforeAll(() => h.start());
afterAll(() => h.stop());

const allFinished = (ids: readonly string[]) => async () => ((await Promise.all(ids.map((id) => h.store.get(id)))).every((j) => j.state === 'completed') ? true : undefined);


describe('listing and counting per board', () => {
  it('lists and counts one board’s jobs, and every board’s without a filter', async () => {
    const mail = await Promise.all([1, 2, 3].map(() => postBody(h.store, { type: 'demo.echo', board: 'list-mail' })));
    const video = await Promise.all([1, 2].map(() => postBody(h.store, { type: 'demo.echo', board: 'list-video', priority: 'high' })));
    const page = await h.jobs.list({ board: 'list-mail' });
    expect(page.jobs.map((j) => j.id).sort()).toEqual(mail.map((m) => m.job.id).sort());
    expect(page.jobs.every((j) => j.board === 'list-mail')).toBe(true);
    expect(await h.jobs.count('list-video')).toMatchObject({ posted: 2, claimed: 0, completed: 0 });
    expect((await h.jobs.list({ priority: 'high' })).jobs.map((j) => j.id).sort()).toEqual(video.map((v) => v.job.id).sort());

    const everything = (await h.jobs.list({ limit: 100 })).jobs.map((j) => j.id);
    expect(everything).toEqual(expect.arrayContaining([...mail, ...video].map((p) => p.job.id)));
    const names = (await h.jobs.boards()).map((b) => b.name);
    expect(names).toEqual(expect.arrayContaining(['default', 'list-mail', 'list-video']));
    expect((await h.jobs.board('list-mail')).counts.posted).toBe(3);
  });
});

describe('paused boards', () => {
  it('a paused board starts nothing while another board runs; resumed, it drains', async () => {
    await h.jobs.updateBoard('paused-a', { paused: true });
    const held = await Promise.all([1, 2, 3].map(() => h.post({ type: 'demo.echo', board: 'paused-a' })));
    const free = await Promise.all([1, 2, 3].map(() => h.post({ type: 'demo.echo', board: 'paused-b' })));
    h.startPolling();
    await waitFor(allFinished(free.map((f) => f.job.id)), { what: 'the free board to finish' });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (const { job } of held) expect(await h.store.get(job.id)).toMatchObject({ state: 'posted', attempts: 0 });

    expect(await h.jobs.updateBoard('paused-a', { paused: false })).toMatchObject({ name: 'paused-a', paused: false });
    await waitFor(allFinished(held.map((f) => f.job.id)), { what: 'the resumed board to drain', timeoutMs: 30_000 });
    await h.stopPolling();
  });
});

describe('maxRunning', () => {
  it('maxRunning 2: 8 jobs under 3 racing conductors never have 3 live claims', async () => {
    await h.jobs.updateBoard('limited', { maxRunning: 2 });
    const posted = await Promise.all(Array.from({ length: 8 }, () => h.post({ type: 'test.pause', payload: { ms: 700 }, board: 'limited' })));
    for (let i = 0; i < 3; i++) h.startPolling({ conductor: h.newConductor(), concurrency: 2 });
    const ids = posted.map((p) => p.job.id);
    await waitFor(allFinished(ids), { what: 'the limited board to finish', timeoutMs: 60_000 });
    await h.stopPolling();
    const jobs = await Promise.all(ids.map((id) => h.store.get(id)));
    expect(maxOverlap(jobs)).toBe(2);
    // Every slot is given back (the release follows each ending write).
    const slots = async () => (await h.documentClient.send(new GetCommand({ TableName: h.table.tableName, Key: { pk: boardKey('limited') } }))).Item?.holders as Set<string> | undefined;
    await waitFor(async () => (((await slots())?.size ?? 0) === 0 ? true : undefined), { what: 'the board’s slots to be free' });
  });

  it('a posting that names no board cannot slip a job past its board’s limit', async () => {
    await h.jobs.updateBoard('guarded', { maxRunning: 1 });
    const { job: holder } = await postBody(h.store, { type: 'demo.echo', board: 'guarded' });
    await h.store.claim(holder.id, { owner: 'holder', leaseMs: 30_000 }, { semaphores: [{ kind: 'board', board: 'guarded' }] });
    const { job } = await postBody(h.store, { type: 'demo.echo', board: 'guarded' });
    await h.postings.send([{ id: job.id }]); // as if hand-made: no board in the body
    h.startPolling();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await h.stopPolling();
    expect(await h.store.get(job.id)).toMatchObject({ state: 'posted', attempts: 0 });
  });

  it('a dead holder’s slot frees once its lease runs out', async () => {
    await h.jobs.updateBoard('one-slot', { maxRunning: 1 });
    const { job: orphan } = await postBody(h.store, { type: 'demo.echo', board: 'one-slot' });
    const dead = await h.store.claim(orphan.id, { owner: 'dead-conductor', leaseMs: 1_500 }, { semaphores: [{ kind: 'board', board: 'one-slot' }] });
    const { job } = await h.post({ type: 'demo.echo', board: 'one-slot' });
    h.startPolling();
    const done = await waitFor(h.finished(job.id), { what: 'a job of the board to run after the dead holder’s lease', timeoutMs: 20_000 });
    await h.stopPolling();
    expect(done.startedAt).toBeGreaterThan(dead.leaseExpiresAt ?? 0);
  });
});
