/**
 * The CLI's wave-2 verbs end to end against the real local stack: `--board`/`--priority` on post
 * and list, `boards`, `board pause|resume|set`, `cancel`, `suspend`, `resume`, `stats --board`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoardList, BoardView, JobPage, JobView, Stats } from '../../lib/http/contract.js';
import { cliAt, showRun } from '../support/cli-process.js';
import { StackProcess } from '../support/local-stack.js';
import { waitFor } from '../support/wait.js';

const stack = new StackProcess();
beforeAll(() => stack.start().then(() => undefined));
afterAll(() => stack.stop());

const { cli, ok } = cliAt(() => stack.url);

describe('boards and priority from the CLI', () => {
  it('posts and lists by board and priority; stats --board counts one board', async () => {
    const job = await ok<JobView>(['post', 'demo.echo', '--board', 'cli-mail', '--priority', 'high', '--delay', '600']);
    expect(job).toMatchObject({ board: 'cli-mail', priority: 'high' });
    const page = await ok<JobPage>(['list', '--board', 'cli-mail', '--priority', 'high']);
    expect(page.jobs.map((j) => j.id)).toEqual([job.id]);
    expect(await ok<Stats>(['stats', '--board', 'cli-mail'])).toMatchObject({ posted: 1, claimed: 0 });
    const get = await cli(['get', job.id]);
    expect(get.stdout).toMatch(/^board: +cli-mail$/m);
    expect(get.stdout).toMatch(/^priority: +high$/m);
  });

  it('board pause, resume and set change the settings that boards shows; bad values exit non-zero', async () => {
    expect(await ok<BoardView>(['board', 'pause', 'cli-video'])).toMatchObject({ name: 'cli-video', paused: true });
    expect(await ok<BoardView>(['board', 'set', 'cli-video', '--max-running', '2'])).toMatchObject({ paused: true, maxRunning: 2 });
    expect(await ok<BoardView>(['board', 'resume', 'cli-video'])).toMatchObject({ paused: false, maxRunning: 2 });
    const table = await cli(['boards']);
    expect(table.stdout).toMatch(/^cli-video +no +2 /m);
    expect(await ok<BoardView>(['board', 'set', 'cli-video', '--max-running', 'none'])).toMatchObject({ maxRunning: null });
    const { boards } = await ok<BoardList>(['boards']);
    expect(boards.find((b) => b.name === 'cli-video')).toMatchObject({ paused: false, maxRunning: null });

    const zero = await cli(['board', 'set', 'cli-video', '--max-running', '0']);
    expect(zero.code, showRun(zero)).toBe(1);
    expect(zero.stderr).toContain('maxRunning');
    const unknown = await cli(['board', 'frob', 'cli-video']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('use pause, resume or set');
  });
});

describe('stopping work from the CLI', () => {
  it('cancel of a running demo.sleep says it asked the run to stop; the job ends trashed', async () => {
    const job = await ok<JobView>(['post', 'demo.sleep', '--payload', '{"ms":60000}']);
    await waitFor(async () => ((await ok<JobView>(['get', job.id])).state === 'claimed' ? true : undefined));
    const cancel = await cli(['cancel', job.id]);
    expect(cancel.code, showRun(cancel)).toBe(0);
    expect(cancel.stdout).toContain('asked it to stop (cancel)');
    const ended = await waitFor(async () => {
      const current = await ok<JobView>(['get', job.id]);
      return current.state === 'trashed' ? current : undefined;
    }, { timeoutMs: 30_000 });
    expect(ended.history.map((a) => a.outcome)).toEqual(['cancelled']);
  });

  it('suspend and resume a delayed job; resume of a posted job exits 1 with the API’s 409', async () => {
    const job = await ok<JobView>(['post', 'demo.echo', '--delay', '600']);
    expect(await ok<JobView>(['suspend', job.id])).toMatchObject({ state: 'suspended' });
    expect(await ok<JobView>(['resume', job.id])).toMatchObject({ state: 'posted' });
    const again = await cli(['resume', job.id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('InvalidStateError');
  });
});
