/** 500 jobs posted at once all complete; /stats agrees with the list; no job ran more than once. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StackProcess } from '../support/local-stack.js';
import { waitFor } from '../support/wait.js';

const stack = new StackProcess();
beforeAll(() => stack.start().then(() => undefined));
afterAll(() => stack.stop());

async function listAll(state: string): Promise<{ id: string; attempts: number }[]> {
  const jobs: { id: string; attempts: number }[] = [];
  let cursor: string | null = null;
  do {
    const page: { body: { jobs: { id: string; attempts: number }[]; nextCursor: string | null } } = await stack.request('GET', `/jobs?state=${state}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    jobs.push(...page.body.jobs);
    cursor = page.body.nextCursor;
  } while (cursor !== null);
  return jobs;
}

describe('500 jobs at once', () => {
  it('all complete, each in one attempt, and the counts agree with the list', async () => {
    const posted = await Promise.all(Array.from({ length: 500 }, (_, i) => stack.request('POST', '/jobs', { type: 'demo.echo', payload: { i } })));
    expect(posted.every((r) => r.status === 201)).toBe(true);
    const stats = await waitFor(async () => {
      const s = (await stack.request('GET', '/stats')).body;
      return s.completed === 500 ? s : undefined;
    }, { timeoutMs: 120_000, intervalMs: 500, what: '500 completions' });
    expect(stats).toEqual({ posted: 0, claimed: 0, waiting: 0, suspended: 0, completed: 500, failed: 0, trashed: 0 });
    const completed = await listAll('completed');
    expect(completed).toHaveLength(500);
    expect(new Set(completed.map((j) => j.id))).toEqual(new Set(posted.map((r) => r.body.id)));
    expect(completed.every((j) => j.attempts === 1)).toBe(true);
  });
});
