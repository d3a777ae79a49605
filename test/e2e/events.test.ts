/**
 * `GET /events` on the local stack: every transition of a job yields exactly the events expected,
 * in version order, and the filters pick by board, type and id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StackProcess } from '../support/local-stack.js';
import { openEventStream, transitionsOf, type EventStreamReader } from '../support/sse.js';
import { waitFor } from '../support/wait.js';

let stack: StackProcess;
let all: EventStreamReader;

beforeAll(async () => {
  stack = await new StackProcess({ env: { JOBBOARD_SWEEP_INTERVAL_SECONDS: '1' } }).start();
  all = await openEventStream(stack.url);
});
afterAll(async () => {
  all?.close();
  await stack?.stop();
});

async function post(body: Record<string, unknown>): Promise<string> {
  const answer = await stack.request('POST', '/jobs', body);
  expect(answer.status).toBe(201);
  return answer.body.id as string;
}

async function stateOf(id: string, state: string): Promise<void> {
  await waitFor(async () => (await stack.request('GET', `/jobs/${id}`)).body.state === state, { what: `${id} ${state}`, timeoutMs: 30_000 });
}

/** Waits for `expected` transitions of `id`, then checks there are exactly those, in version order. */
async function expectTransitions(id: string, expected: string[]): Promise<void> {
  await all.until((changes) => transitionsOf(changes, id).length >= expected.length, `${expected.length} events of ${id}`);
  // A moment for any unexpected extra event to arrive.
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(transitionsOf(all.events.map((e) => e.change), id)).toEqual(expected);
  const versions = all.events.filter((e) => e.change.id === id).map((e) => e.change.version);
  expect(versions).toEqual([...versions].sort((a, b) => a - b));
  expect(new Set(versions).size).toBe(versions.length);
}

describe('job state change events', () => {
  it('post, claim, consume', async () => {
    const id = await post({ type: 'demo.echo', payload: { n: 1 }, board: 'ev-a' });
    await expectTransitions(id, ['new→posted', 'posted→claimed', 'claimed→completed']);
    const last = all.events.filter((e) => e.change.id === id).at(-1)?.change;
    expect(last).toMatchObject({ board: 'ev-a', type: 'demo.echo', attempt: 1 });
    expect(Date.parse(last?.at ?? '')).toBeGreaterThan(0);
  });

  it('abandon, then a second claim that completes', async () => {
    const id = await post({ type: 'demo.flaky', payload: { failTimes: 1 }, maxAttempts: 3 });
    await expectTransitions(id, ['new→posted', 'posted→claimed', 'claimed→posted', 'posted→claimed', 'claimed→completed']);
  });

  it('fail on the last attempt, then an operator retry', async () => {
    const id = await post({ type: 'demo.fail', payload: { permanent: true } });
    await stateOf(id, 'failed');
    expect((await stack.request('POST', `/jobs/${id}/retry`)).status).toBe(200);
    await expectTransitions(id, ['new→posted', 'posted→claimed', 'claimed→failed', 'failed→posted', 'posted→claimed', 'claimed→failed']);
  });

  it('suspend, resume and trash a waiting job', async () => {
    const id = await post({ type: 'demo.echo', delaySeconds: 600 });
    expect((await stack.request('POST', `/jobs/${id}/suspend`)).status).toBe(200);
    expect((await stack.request('POST', `/jobs/${id}/resume`)).status).toBe(200);
    expect((await stack.request('DELETE', `/jobs/${id}`)).status).toBe(200);
    await expectTransitions(id, ['new→posted', 'posted→suspended', 'suspended→posted', 'posted→trashed']);
  });

  it('cancel a running job', async () => {
    const id = await post({ type: 'demo.sleep', payload: { ms: 60_000 } });
    await stateOf(id, 'claimed');
    expect((await stack.request('DELETE', `/jobs/${id}`)).status).toBe(202);
    await expectTransitions(id, ['new→posted', 'posted→claimed', 'claimed→trashed']);
  });

  it('filters by board, type and id', async () => {
    const byBoard = await openEventStream(stack.url, { board: 'ev-b' });
    const byType = await openEventStream(stack.url, { type: 'demo.flaky' });
    const other = await post({ type: 'demo.echo' });
    const mine = await post({ type: 'demo.echo', board: 'ev-b' });
    const byId = await openEventStream(stack.url, { id: mine, lastEventId: '0' });
    try {
      await byBoard.until((changes) => changes.some((c) => c.id === mine && c.state === 'completed'), 'the ev-b job completed');
      await stateOf(other, 'completed');
      await byId.until((changes) => changes.some((c) => c.state === 'completed'), 'the job by id completed');
      expect(new Set(byBoard.events.map((e) => e.change.board))).toEqual(new Set(['ev-b']));
      expect(byType.events).toEqual([]);
      // Resumed from the start of the log: the job's whole history, and nothing of other jobs.
      expect(transitionsOf(byId.events.map((e) => e.change), mine)).toEqual(['new→posted', 'posted→claimed', 'claimed→completed']);
      expect(byId.events.every((e) => e.change.id === mine)).toBe(true);
    } finally {
      for (const stream of [byBoard, byType, byId]) stream.close();
    }
  });

  it('a bad filter is a 400 naming the parameter', async () => {
    const answer = await stack.request('GET', '/events?board=no%20spaces');
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('ValidationError');
    expect(JSON.stringify(answer.body.error.details)).toContain('board');
    expect((await stack.request('GET', '/events?colour=red')).status).toBe(400);
  });
});
