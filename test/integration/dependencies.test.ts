/**
 * Dependencies between jobs: a child waits until its parents are done, is released exactly once
 * when the last one is (duplicated news never release it early), fails with a failed parent (or
 * runs, under `run`), and is never stranded: a conductor killed between a parent's consume and
 * the child's release leaves the child to the sweeper's next tick. Real DynamoDB Local and SQS.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../lib/errors.js';
import type { Job } from '../../lib/model.js';
import { BoardHarness } from '../support/board-harness.js';
import { spawnConductor } from '../support/conductor-child.js';
import { postBody } from '../support/jobs.js';
import { waitFor } from '../support/wait.js';

const h = new BoardHarness({ conductor: { leaseMs: 1_000 } });
beforeAll(() => h.start());
afterAll(() => h.stop());
afterEach(() => h.stopPolling());

const state = (id: string) => async () => (await h.store.get(id)).state;
const inState = (id: string, wanted: string) => async (): Promise<Job | undefined> => {
  const job = await h.store.get(id);
  return job.state === wanted ? job : undefined;
};

describe('dependencies', () => {
  it('a diamond (A → B, C → D) runs in order, each child after all its parents', async () => {
    h.startPolling();
    const a = (await h.post({ type: 'demo.sleep', payload: { ms: 300 } })).job;
    const b = (await h.post({ type: 'demo.sleep', payload: { ms: 300 }, dependsOn: [a.id] })).job;
    const c = (await h.post({ type: 'demo.sleep', payload: { ms: 600 }, dependsOn: [a.id] })).job;
    const d = (await h.post({ type: 'demo.echo', dependsOn: [b.id, c.id] })).job;
    expect(b).toMatchObject({ state: 'waiting', waitingOn: [a.id] });
    expect(d.waitingOn).toEqual([b.id, c.id].sort());
    const done = await waitFor(inState(d.id, 'completed'), { timeoutMs: 30_000 });
    await h.stopPolling();
    const [ja, jb, jc] = await Promise.all([a, b, c].map((j) => h.store.get(j.id)));
    expect(jb!.startedAt).toBeGreaterThanOrEqual(ja!.endedAt!);
    expect(jc!.startedAt).toBeGreaterThanOrEqual(ja!.endedAt!);
    expect(done.startedAt).toBeGreaterThanOrEqual(Math.max(jb!.endedAt!, jc!.endedAt!));
    expect(done.waitingOn).toBeUndefined();
  });

  it('a child of a failed parent ends failed without a claim; under onParentFailure run it runs', async () => {
    h.startPolling();
    const parent = (await h.post({ type: 'demo.fail', payload: { permanent: true } })).job;
    const failing = (await h.post({ type: 'demo.echo', dependsOn: [parent.id] })).job;
    const running = (await h.post({ type: 'demo.echo', dependsOn: [parent.id], onParentFailure: 'run' })).job;
    const failed = await waitFor(inState(failing.id, 'failed'), { timeoutMs: 20_000 });
    expect(failed.attempts).toBe(0);
    expect(failed.errors[0]).toMatchObject({ name: 'ParentFailedError', message: `parent ${parent.id} ended failed` });
    await waitFor(inState(running.id, 'completed'), { timeoutMs: 20_000 });
    // Posted after the parent failed: told at once.
    const late = (await h.post({ type: 'demo.echo', dependsOn: [parent.id] })).job;
    expect(late.state).toBe('failed');
    await h.stopPolling();
    // Failed at birth, it was never in the open index; a retry puts it there, so lists and the sweeper see it.
    await h.store.retry(late.id);
    const listed = await h.store.list({ state: 'posted', limit: 100 });
    expect(listed.jobs.map((j) => j.id)).toContain(late.id);
  });

  it('duplicated news never release a child early: repeated tellings and injected postings leave it waiting', async () => {
    const p1 = (await postBody(h.store, { type: 'demo.echo' })).job;
    const p2 = (await postBody(h.store, { type: 'demo.echo' })).job;
    const child = (await h.post({ type: 'demo.echo', dependsOn: [p1.id, p2.id] })).job;
    // p1 ends; its news is told three times, and the child's posting is injected twice.
    const c1 = await h.store.claim(p1.id, { owner: 'o1', leaseMs: 10_000 });
    const done1 = await h.settle(h.store.consume(c1, null));
    expect(done1.state).toBe('completed');
    await h.lifecycle.apply(await h.store.repairWaiting(await h.store.get(child.id), await h.store.getMany([p1.id, p2.id])));
    await h.lifecycle.apply(await h.store.repairWaiting(await h.store.get(child.id), await h.store.getMany([p1.id, p2.id])));
    await h.postings.send([{ id: child.id }, { id: child.id }]);
    h.startPolling();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await h.store.get(child.id)).toMatchObject({ state: 'waiting', waitingOn: [p2.id], attempts: 0 });
    // p2 ends: now, and only now, the child runs.
    const c2 = await h.store.claim(p2.id, { owner: 'o2', leaseMs: 10_000 });
    await h.settle(h.store.consume(c2, null));
    const completed = await waitFor(inState(child.id, 'completed'));
    expect(completed.attempts).toBe(1);
    await h.stopPolling();
  });

  it('unknown parents and a self-reference are refused and write nothing', async () => {
    await expect(h.post({ type: 'demo.echo', id: 'orphan-child', dependsOn: ['no-such-parent'] })).rejects.toThrow(ValidationError);
    expect(() => h.post({ type: 'demo.echo', id: 'self-child', dependsOn: ['self-child'] })).toThrow(ValidationError);
    await expect(h.store.get('orphan-child')).rejects.toThrow('does not exist');
    await expect(h.store.get('self-child')).rejects.toThrow('does not exist');
  });

  it('a conductor SIGKILLed between a parent’s consume and the child’s release leaves the child released by the next sweep', async () => {
    const parent = (await h.post({ type: 'demo.echo' })).job;
    const child = (await h.post({ type: 'demo.echo', dependsOn: [parent.id] })).job;
    const { exited } = spawnConductor(h, 2_000, { dieBeforeRelease: true });
    expect(await exited).toBe('SIGKILL');
    expect(await state(parent.id)()).toBe('completed');
    expect(await h.store.get(child.id)).toMatchObject({ state: 'waiting', waitingOn: [parent.id] });
    // The next tick (a job left alone for 2 s is looked at) tells the child; its posting goes out.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const report = await h.sweeper.sweep();
    expect(report.repaired).toBeGreaterThanOrEqual(1);
    expect(await state(child.id)()).toBe('posted');
    h.startPolling();
    await waitFor(inState(child.id, 'completed'));
    await h.stopPolling();
  });
});
