/** Progress is visible while a job runs and kept when it ends; the attempt history says how each attempt ended. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BoardHarness } from '../support/board-harness.js';
import { waitFor } from '../support/wait.js';

const h = new BoardHarness();
beforeAll(async () => {
  await h.start();
  h.startPolling();
});
afterAll(() => h.stop());

const finished = (id: string) => h.finished(id);

describe('progress', () => {
  it('a demo.sleep shows its percent done while it runs, and 100 once completed', async () => {
    const { job } = await h.post({ type: 'demo.sleep', payload: { ms: 4_500 } });
    const running = await waitFor(
      async () => {
        const seen = await h.store.get(job.id);
        return seen.state === 'claimed' && typeof seen.progress === 'number' && seen.progress > 0 && seen.progress < 100 ? seen : undefined;
      },
      { what: 'progress between 0 and 100 while claimed' },
    );
    expect(running.progress).toBeGreaterThan(0);
    const done = await waitFor(finished(job.id));
    expect(done).toMatchObject({ state: 'completed', progress: 100 });
  });
});

describe('attempt history', () => {
  it('a flaky job that fails twice reads abandoned, abandoned, completed, with owners, times and errors', async () => {
    const { job } = await h.post({ type: 'demo.flaky', payload: { failTimes: 2 } });
    const done = await waitFor(finished(job.id), { timeoutMs: 30_000 });
    const history = done.history ?? [];
    expect(history.map((a) => [a.attempt, a.outcome])).toEqual([
      [1, 'abandoned'],
      [2, 'abandoned'],
      [3, 'completed'],
    ]);
    expect(history[0]?.error?.message).toBe('demo.flaky fails attempt 1 of 2');
    expect(history[2]?.error).toBeUndefined();
    for (const attempt of history) {
      expect(attempt.owner.length).toBeGreaterThan(0);
      expect(attempt.endedAt).toBeGreaterThanOrEqual(attempt.startedAt);
    }
    expect(new Set(history.map((a) => a.owner)).size).toBe(3);
  });

  it('a permanent failure reads failed', async () => {
    const { job } = await h.post({ type: 'demo.fail', payload: { permanent: true } });
    const done = await waitFor(finished(job.id));
    expect(done.history?.map((a) => a.outcome)).toEqual(['failed']);
  });
});
