/**
 * The change stream through SIGKILLs of the local stack: a write whose event had not been
 * published when the stack died is published after the restart, and the counts behind `/stats`
 * equal a full listing after 1,000 jobs, two kills and duplicate posts and postings.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JOB_STATES, type JobState } from '../../lib/states.js';
import { StackProcess } from '../support/local-stack.js';
import { openEventStream, transitionsOf } from '../support/sse.js';
import { waitFor } from '../support/wait.js';

const stacks: StackProcess[] = [];
afterEach(async () => {
  // The last one first: an earlier stack owns the data directory the later ones reuse.
  for (const stack of stacks.splice(0).reverse()) await stack.stop();
});

/** A stack on `dataDir` (a new one when absent). */
async function startStack(env: Record<string, string>, dataDir?: string): Promise<StackProcess> {
  const stack = await new StackProcess({ env, ...(dataDir === undefined ? {} : { dataDir }) }).start();
  stacks.push(stack);
  return stack;
}

describe('events across a SIGKILL', () => {
  it('a job posted just before the kill still gets its event after the restart', async () => {
    // The stream reader looks once at start, then not for ten minutes: every post below is written but unpublished.
    const first = await startStack({ JOBBOARD_STREAM_IDLE_MS: '600000' });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const answer = await first.request('POST', '/jobs', { type: 'demo.echo', delaySeconds: 900, payload: { i } });
      expect(answer.status).toBe(201);
      ids.push(answer.body.id as string);
    }
    await first.kill();
    // The reader's one look at start may catch an early post on a slow machine; the rest are written, not published.
    const log = join(first.dataDir, 'events.jsonl');
    const logged = existsSync(log) ? readFileSync(log, 'utf8') : '';
    const unpublished = ids.filter((id) => !logged.includes(id));
    expect(unpublished.length).toBeGreaterThanOrEqual(3);

    const second = await startStack({}, first.dataDir);
    const stream = await openEventStream(second.url, { lastEventId: '0' });
    try {
      await stream.until((changes) => ids.every((id) => changes.some((c) => c.id === id)), 'the five posts published after the restart', 60_000);
      for (const id of unpublished) expect(transitionsOf(stream.events.map((e) => e.change), id)).toEqual(['new→posted']);
    } finally {
      stream.close();
    }
  });
});

describe('counts across SIGKILLs', () => {
  it('equal a full listing after 1,000 jobs, two kills and duplicate posts', { timeout: 300_000 }, async () => {
    const env = { JOBBOARD_SWEEP_INTERVAL_SECONDS: '1', JOBBOARD_CONDUCTOR_TIMEOUT_SECONDS: '10', JOBBOARD_LOG_TRANSITIONS: 'false' };
    let stack = await startStack(env);
    const dataDir = stack.dataDir;
    const body = (i: number) =>
      i % 10 === 0
        ? { id: `count-${i}`, type: 'demo.fail', board: 'count-b', payload: { permanent: true } }
        : i % 5 === 0
          ? { id: `count-${i}`, type: 'demo.flaky', board: 'count-b', payload: { failTimes: 1 }, maxAttempts: 3 }
          : i % 97 === 0
            ? { id: `count-${i}`, type: 'demo.echo', board: 'count-a', delaySeconds: 900 }
            : { id: `count-${i}`, type: 'demo.echo', board: 'count-a' };
    const postAll = async (from: number, to: number) => {
      for (let start = from; start < to; start += 100) {
        const jobs = Array.from({ length: Math.min(100, to - start) }, (_, k) => body(start + k));
        expect((await stack.request('POST', '/jobs/batch', { jobs })).status).toBe(200);
      }
    };
    await postAll(0, 500);
    await stack.kill();
    stack = await startStack(env, dataDir);
    await postAll(0, 1_000); // the first 500 again: duplicate posts answer 200 and change nothing
    await stack.request('POST', '/jobs/count-97/suspend');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await stack.kill();
    // Restarting re-posts every open job: postings arrive twice for jobs already queued or running.
    stack = await startStack(env, dataDir);

    const listed = async (board: string) => {
      const counts = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
      for (const state of JOB_STATES) {
        let cursor: string | null = null;
        do {
          const page = await stack.request('GET', `/jobs?board=${board}&state=${state}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
          counts[state] += page.body.jobs.length;
          cursor = page.body.nextCursor;
        } while (cursor);
      }
      return counts;
    };
    // Quiet: only the delayed jobs (one of them suspended) are left open.
    const delayed = Array.from({ length: 1_000 }, (_, i) => body(i)).filter((job) => 'delaySeconds' in job).length;
    await waitFor(async () => {
      const [a, b] = await Promise.all([listed('count-a'), listed('count-b')]);
      return a.claimed + b.claimed + b.posted === 0 && a.posted + a.suspended === delayed;
    }, { what: 'every job that can finish has finished', timeoutMs: 240_000, intervalMs: 2_000 });
    for (const board of ['count-a', 'count-b']) {
      const full = await listed(board);
      expect(Object.values(full).reduce((x, y) => x + y, 0)).toBe(board === 'count-a' ? 800 : 200);
      await waitFor(async () => JSON.stringify((await stack.request('GET', `/stats?board=${board}`)).body) === JSON.stringify(full), { what: `/stats of ${board} equals the listing`, timeoutMs: 20_000 });
    }
    const boards = (await stack.request('GET', '/boards')).body.boards as { name: string; counts: Record<string, number> }[];
    expect(boards.find((b) => b.name === 'count-b')?.counts).toEqual(await listed('count-b'));
  });
});
