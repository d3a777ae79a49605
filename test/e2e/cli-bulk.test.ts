/**
 * `jobboard bulk`, `operations` and `operation` against the real local stack: a bulk retry over a
 * board's failed jobs shows its progress and retries each of them once; filters that match
 * nothing end `succeeded` with 0; usage and API refusals exit as the CLI promises; and on a
 * terminal the progress is a bar redrawn in place (the CLI run in-process with a TTY stderr).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobboardClient, dataOf, type JobboardClient, type OperationPage, type OperationView } from '../../cli/client.js';
import { run } from '../../cli/run.js';
import { cliAt, showRun } from '../support/cli-process.js';
import { StackProcess } from '../support/local-stack.js';
import { waitFor } from '../support/wait.js';

const stack = new StackProcess({ startTimeoutMs: 120_000 });
const { cli, ok } = cliAt(() => stack.url);
let client: JobboardClient;
let startedAt: number;

/** Posts `count` demo.fail jobs with one attempt on `board` and waits until all of them failed (and the counts say so). */
async function failedJobs(board: string, count: number): Promise<string[]> {
  const { results } = await dataOf(client.POST('/jobs/batch', { body: { jobs: Array.from({ length: count }, (_, n) => ({ type: 'demo.fail', board, maxAttempts: 1, payload: { message: `boom ${n}` } })) } }));
  const ids = results.map((result) => ('job' in result ? result.job.id : ''));
  await waitFor(async () => (await dataOf(client.GET('/stats', { params: { query: { board } } }))).failed === count, { timeoutMs: 30_000, intervalMs: 200, what: `${count} failed jobs on ${board}` });
  return ids;
}

beforeAll(async () => {
  startedAt = Date.now();
  await stack.start();
  client = createJobboardClient({ baseUrl: stack.url });
});
afterAll(() => stack.stop());

describe('jobboard bulk', () => {
  it('bulk retry --board --state failed --since: progress lines, then the summary; each job is retried once', async () => {
    const ids = await failedJobs('bulk-cli', 20);
    const since = new Date(startedAt - 60_000).toISOString();
    const retried = await cli(['bulk', 'retry', '--board', 'bulk-cli', '--state', 'failed', '--since', since, '--interval', '100']);
    expect(retried.code, showRun(retried)).toBe(0);
    expect(retried.stdout).toMatch(/^operation \S+ succeeded: retried 20 of 20 matched jobs, 0 skipped \(changed meanwhile\), 0 failed$/m);
    // stderr is not a terminal: one plain line per change of the counts, the last one the end.
    const lines = retried.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^retry \S+: running, matched \d+ · done \d+ · skipped 0 · failed 0$/);
    expect(lines.at(-1)).toMatch(/^retry \S+: succeeded, matched 20 · done 20 · skipped 0 · failed 0$/);
    expect(retried.stderr).not.toContain('\r');

    // Retried, each demo.fail job ran (and failed) once more: two attempts in its history, no third.
    await waitFor(
      async () => {
        const jobs = await Promise.all(ids.map((id) => dataOf(client.GET('/jobs/{id}', { params: { path: { id } } }))));
        return jobs.every((job) => job.state === 'failed' && job.history.length === 2);
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'each retried job to have failed a second time' },
    );
  });

  it('--json prints the operation as it ended; a filter that matches nothing ends succeeded with 0', async () => {
    const none = await ok<OperationView>(['bulk', 'trash', '--board', 'bulk-cli-nothing-here', '--interval', '50']);
    expect(none).toMatchObject({ action: 'trash', filter: { board: 'bulk-cli-nothing-here' }, state: 'succeeded', matched: 0, done: 0 });
    // --until before any job of the board existed: the time bound reaches the server.
    const until = new Date(startedAt - 3_600_000).toISOString();
    const early = await ok<OperationView>(['bulk', 'retry', '--board', 'bulk-cli', '--until', until, '--interval', '50']);
    expect(early).toMatchObject({ filter: { board: 'bulk-cli', createdBefore: until }, state: 'succeeded', matched: 0 });
  });

  it('--since HH:MM sends that time of today, in local time', async () => {
    const operation = await ok<OperationView>(['bulk', 'resume', '--board', 'bulk-cli-clock', '--since', '00:00', '--interval', '50']);
    const midnight = new Date();
    midnight.setHours(0, 0, 0, 0);
    // Unless the day turned between the two readings of the clock.
    expect([midnight.toISOString(), new Date(midnight.getTime() - 86_400_000).toISOString()]).toContain(operation.filter.createdAfter);
  });

  it('refuses what it cannot run: usage errors exit 2, the API’s refusal exits 1 naming the field', async () => {
    const [unknown, badTime, badState] = await Promise.all([cli(['bulk', 'frobnicate']), cli(['bulk', 'retry', '--since', '25:00']), cli(['bulk', 'retry', '--state', 'posted'])]);
    expect(unknown.code, showRun(unknown)).toBe(2);
    expect(unknown.stderr).toMatch(/unknown bulk action "frobnicate": use retry, trash, suspend, resume/);
    expect(badTime.code, showRun(badTime)).toBe(2);
    expect(badTime.stderr).toMatch(/--since must be HH:MM \(today, local time\) or an ISO-8601 time/);
    expect(badState.code, showRun(badState)).toBe(1);
    expect(badState.stderr).toMatch(/^error: ValidationError: /m);
    expect(badState.stderr).toMatch(/^ {2}- filter\.state: /m);
  });

  it('operations lists them newest first; operation <id> shows one; an unknown id exits 1', async () => {
    const page = await ok<OperationPage>(['operations', '--limit', '100']);
    expect(page.operations.length).toBeGreaterThanOrEqual(4);
    const created = page.operations.map((o) => o.createdAt);
    expect(created).toEqual([...created].sort().reverse());
    const latest = page.operations[0]!;

    const [table, shown, human, missing] = await Promise.all([cli(['operations']), ok<OperationView>(['operation', latest.id]), cli(['operation', latest.id]), cli(['operation', 'no-such-operation'])]);
    expect(table.stdout).toMatch(/^ID +ACTION +STATE +MATCHED +DONE +SKIPPED +FAILED +CREATED +FILTER$/m);
    expect(table.stdout).toMatch(new RegExp(`^${latest.id} +${latest.action} +succeeded +`, 'm'));
    expect(shown).toEqual(latest);
    expect(human.stdout).toMatch(new RegExp(`^id: +${latest.id}$`, 'm'));
    expect(human.stdout).toMatch(/^counts: +matched \d+ · done \d+ · skipped \d+ · failed \d+$/m);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: NotFoundError: /);
  });

  it('on a terminal, redraws a bar in place and ends it full', async () => {
    await failedJobs('bulk-tty', 5);
    let stdout = '';
    let stderr = '';
    const io = { stdout: (text: string) => void (stdout += text), stderr: (text: string) => void (stderr += text), stderrIsTty: true, now: () => Date.now(), sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)) };
    const code = await run(['bulk', 'retry', '--board', 'bulk-tty', '--interval', '50'], { url: stack.url, apiToken: undefined, sigv4: false, awsRegion: undefined }, io);
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/succeeded: retried 5 of 5 matched jobs/);
    const draws = stderr.split('\r').filter((draw) => draw !== '');
    expect(draws.length).toBeGreaterThanOrEqual(2);
    expect(draws[0]).toMatch(/^\[-{24}\] +0% {2}0\/5 {2}matched 0 · done 0/);
    expect(draws.at(-1)).toMatch(/^\[#{24}\] 100% {2}5\/5 {2}matched 5 · done 5 · skipped 0 · failed 0\u001b\[K\n$/);
  });
});
