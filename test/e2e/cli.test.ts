/**
 * The `jobboard` CLI end to end: the real local stack (local/main.ts) in a child process, the CLI
 * run as users run it (a child process with JOBBOARD_URL), assertions on stdout, stderr and exit
 * codes. A second stack with JOBBOARD_API_TOKEN checks auth; a capture server checks SigV4.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobPage, JobView, Stats } from '../../lib/http/contract.js';
import { NodeSha256 } from '../../cli/sigv4.js';
import { freePort } from '../../local/free-port.js';
import { runCli, showRun, stdoutJson, type CliRun, type RunCliOptions } from '../support/cli-process.js';
import { StackProcess } from '../support/local-stack.js';
import { waitFor } from '../support/wait.js';

const TOKEN = 'e2e-secret-token';
const COMMANDS = ['post', 'get', 'list', 'wait', 'stats', 'trash', 'retry', 'redrive', 'health'];

let stack: StackProcess;
let tokenStack: StackProcess;
let workDir: string;

/** Runs the CLI against the main stack. */
const cli = (args: readonly string[], options: RunCliOptions = {}): Promise<CliRun> => runCli(args, { url: stack.url, ...options });

async function stats(): Promise<Stats> {
  const run = await cli(['stats', '--json']);
  expect(run.code, showRun(run)).toBe(0);
  return stdoutJson<Stats>(run);
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'jobboard-cli-'));
  stack = new StackProcess();
  tokenStack = new StackProcess({ env: { JOBBOARD_API_TOKEN: TOKEN } });
  await Promise.all([stack.start(), tokenStack.start()]);
});

afterAll(async () => {
  await Promise.all([stack?.stop(), tokenStack?.stop()]);
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('jobboard CLI against the local stack', () => {
  it('prints usage with every command, and exits 2 on an unknown command or bad option', async () => {
    const [help, none, unknown, badOption] = await Promise.all([cli(['--help']), cli([]), cli(['frobnicate']), cli(['list', '--limit', '0'])]);
    expect(help.code).toBe(0);
    for (const command of COMMANDS) expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    expect(none.code).toBe(0);
    expect(none.stdout).toBe(help.stdout);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    expect(unknown.stderr).toContain('Usage: jobboard <command>');
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toMatch(/--limit must be a whole number from 1 to 100/);
  });

  it('health answers through the bin shim as through npm run', async () => {
    const [shim, json] = await Promise.all([cli(['health'], { entry: 'bin/jobboard.js' }), cli(['health', '--json'])]);
    expect(shim.code, showRun(shim)).toBe(0);
    expect(shim.stdout).toBe('ok\n');
    expect(stdoutJson(json)).toEqual({ ok: true });
  });

  it('post --wait completes a demo.echo job whose result is its payload, and exits 0', async () => {
    const payload = { greeting: 'hello', n: 42, nested: { list: [1, 2, 3] } };
    const run = await cli(['post', 'demo.echo', '--payload', JSON.stringify(payload), '--wait', '--interval', '50', '--json']);
    expect(run.code, showRun(run)).toBe(0);
    const job = stdoutJson<JobView>(run);
    expect(job).toMatchObject({ type: 'demo.echo', state: 'completed', payload, result: payload, attempts: 1 });

    // The human form of `get`: one field per line, times shortened.
    const human = await cli(['get', job.id]);
    expect(human.code, showRun(human)).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`^id: +${job.id}$`, 'm'));
    expect(human.stdout).toMatch(/^state: +completed$/m);
    expect(human.stdout).toMatch(/^created: +\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/m);
    // Its attempt history: one attempt, completed.
    expect(human.stdout).toMatch(/^history:\n +ATTEMPT +OUTCOME/m);
    expect(human.stdout).toMatch(/^ +1 +completed /m);
  });

  it('post with the same --id and body answers the existing job', async () => {
    const args = ['post', 'demo.echo', '--id', 'cli-same-id', '--payload', '{"a":1}'];
    const first = await cli(args);
    expect(first.code, showRun(first)).toBe(0);
    expect(first.stdout).toMatch(/^created job cli-same-id$/m);
    const again = await cli(args);
    expect(again.code, showRun(again)).toBe(0);
    expect(again.stdout).toMatch(/^job cli-same-id already exists/m);
    const conflict = await cli(['post', 'demo.echo', '--id', 'cli-same-id', '--payload', '{"a":2}']);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toMatch(/^error: ConflictError: /m);
  });

  it('post --file posts 50 jobs with progress, and all of them complete', async () => {
    const before = await stats();
    const file = join(workDir, 'jobs.jsonl');
    const lines = Array.from({ length: 50 }, (_, i) => JSON.stringify({ type: 'demo.echo', id: `file-${i}`, payload: { i } }));
    writeFileSync(file, lines.join('\n') + '\n');

    const run = await cli(['post', '--file', file, '--concurrency', '3', '--batch-size', '5']);
    expect(run.code, showRun(run)).toBe(0);
    // stderr is not a TTY here: a progress line about every 10%, then the summary.
    const progress = run.stderr.split('\n').filter((line) => /^posted \d+\/50$/.test(line));
    expect(progress.length).toBeGreaterThanOrEqual(5);
    expect(progress.at(-1)).toBe('posted 50/50');
    expect(run.stderr).toMatch(/^done: 50 jobs, 50 created, 0 already existed, 0 failed/m);

    const after = await waitFor(
      async () => {
        const now = await stats();
        return now.completed >= before.completed + 50 ? now : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: '50 posted jobs to complete' },
    );
    expect(after.completed).toBe(before.completed + 50);
    expect(after.posted + after.claimed).toBe(before.posted + before.claimed);
  });

  it('list --state completed --all follows every page, with no repeats', async () => {
    const run = await cli(['list', '--state', 'completed', '--all', '--limit', '7', '--json']);
    expect(run.code, showRun(run)).toBe(0);
    const { jobs } = stdoutJson<JobPage>(run);
    const ids = jobs.map((job) => job.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 0; i < 50; i++) expect(ids).toContain(`file-${i}`);
    expect(jobs.every((job) => job.state === 'completed')).toBe(true);

    // One page only: the cursor to go on with is given, on stderr in the human form.
    const page = await cli(['list', '--state', 'completed', '--limit', '7']);
    expect(page.code, showRun(page)).toBe(0);
    const rows = page.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^ID +TYPE +BOARD +STATE +ATTEMPTS +CREATED +ENDED +LAST ERROR$/);
    expect(rows).toHaveLength(8);
    expect(page.stderr).toMatch(/^more jobs: add --cursor \S+ \(or --all\)$/m);
  });

  it('post --file reports bad jobs per item with --json, batched or one by one, and exits 1', async () => {
    const file = join(workDir, 'mixed.json');
    const content = JSON.stringify([{ type: 'demo.echo', payload: { ok: true } }, { type: 'no.such.type' }, { type: 'demo.echo', bogus: 1 }]);
    writeFileSync(file, content);
    // POST /jobs/batch (the default), then POST /jobs per job with the file on stdin.
    const runs = [await cli(['post', '--file', file, '--json']), await cli(['post', '--file', '-', '--batch-size', '1', '--json'], { input: content })];
    for (const run of runs) {
      expect(run.code, showRun(run)).toBe(1);
      const results = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { index: number; ok: boolean; status?: number; error?: { code: string } });
      expect(results.map((r) => r.index).sort()).toEqual([0, 1, 2]);
      expect(results.find((r) => r.index === 0)).toMatchObject({ ok: true, status: 201 });
      expect(results.find((r) => r.index === 1)).toMatchObject({ ok: false, status: 400, error: { code: 'ValidationError' } });
      expect(results.find((r) => r.index === 2)).toMatchObject({ ok: false, status: 400, error: { code: 'ValidationError' } });
      expect(run.stderr).toMatch(/^done: 3 jobs, 1 created, 0 already existed, 2 failed/m);
      expect(run.stderr).toMatch(/^ {2}item 2: ValidationError: /m);
    }

    // A file that is not JSON Lines posts nothing.
    const broken = join(workDir, 'broken.jsonl');
    writeFileSync(broken, '{"type":"demo.echo","id":"never-posted"}\nnot json\n');
    const refused = await cli(['post', '--file', broken]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/line 2: not valid JSON/);
    expect((await cli(['get', 'never-posted'])).code).toBe(1);
  });

  it('get of an unknown id exits 1 with NotFoundError', async () => {
    const run = await cli(['get', 'no-such-job']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^error: NotFoundError: /);
  });

  it('post rejected by the API prints the code and the details, and exits 1', async () => {
    const run = await cli(['post', 'demo.echo', '--timeout', '100000']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: ValidationError: /);
    expect(run.stderr).toMatch(/^ {2}- timeoutSeconds: /m);
  });

  it('wait on a demo.fail job with --max-attempts 1 exits 1, then redrive returns moved', async () => {
    const posted = await cli(['post', 'demo.fail', '--max-attempts', '1', '--payload', '{"message":"boom"}', '--json']);
    expect(posted.code, showRun(posted)).toBe(0);
    const { id } = stdoutJson<JobView>(posted);
    const run = await cli(['wait', id, '--interval', '50', '--json']);
    expect(run.code, showRun(run)).toBe(1);
    const job = stdoutJson<JobView>(run);
    expect(job).toMatchObject({ state: 'failed', attempts: 1, maxAttempts: 1 });
    expect(job.errors.at(-1)?.message).toBe('boom');
    expect(run.stderr).toContain(`job ${id} failed after 1 attempt: Error: boom`);

    // The failed job's posting went to the dead-letter queue: redrive moves it back.
    let moved = 0;
    await waitFor(
      async () => {
        const redrive = await cli(['redrive', '--json']);
        expect(redrive.code, showRun(redrive)).toBe(0);
        const body = stdoutJson<{ moved: unknown }>(redrive);
        expect(typeof body.moved).toBe('number');
        moved += body.moved as number;
        return moved >= 1;
      },
      { timeoutMs: 10_000, intervalMs: 200, what: 'a dead-lettered posting to redrive' },
    );
    const human = await cli(['redrive']);
    expect(human.stdout).toMatch(/^moved \d+ dead-lettered postings? back to the queue$/m);
  });

  it('trash and retry: posted → trashed → posted, and the refusals exit 1', async () => {
    // Delayed ten minutes, so it stays posted; one attempt of one second if it ever runs.
    const posted = await cli(['post', 'demo.sleep', '--payload', '{"ms":600000}', '--delay', '600', '--timeout', '1', '--max-attempts', '1', '--json']);
    expect(posted.code, showRun(posted)).toBe(0);
    const { id, state, runAt } = stdoutJson<JobView>(posted);
    expect(state).toBe('posted');
    expect(Date.parse(runAt ?? '')).toBeGreaterThan(Date.now() + 500_000);

    // `wait` gives up after its timeout with exit 2, printing the job as it stands.
    const timedOut = await cli(['wait', id, '--timeout', '0.3', '--interval', '50', '--json']);
    expect(timedOut.code, showRun(timedOut)).toBe(2);
    expect(stdoutJson<JobView>(timedOut).state).toBe('posted');
    expect(timedOut.stderr).toMatch(/timed out after 0\.3 s waiting for job/);

    const retryPosted = await cli(['retry', id]);
    expect(retryPosted.code).toBe(1);
    expect(retryPosted.stderr).toMatch(/^error: (InvalidStateError|ConflictError): /);

    const trashed = await cli(['trash', id, '--json']);
    expect(trashed.code, showRun(trashed)).toBe(0);
    expect(stdoutJson<JobView>(trashed).state).toBe('trashed');
    expect(stdoutJson<JobView>(await cli(['get', id, '--json'])).state).toBe('trashed');

    const trashedAgain = await cli(['trash', id]);
    expect(trashedAgain.code).toBe(1);
    expect(trashedAgain.stderr).toMatch(/^error: (InvalidStateError|ConflictError): /);

    const retried = await cli(['retry', id]);
    expect(retried.code, showRun(retried)).toBe(0);
    expect(retried.stdout).toMatch(new RegExp(`^re-posted job ${id}$`, 'm'));
    expect(retried.stdout).toMatch(/^state: +posted$/m);
    expect(retried.stdout).toMatch(/^attempts: +0\/1$/m);

    // Retried, it runs now: one attempt, cut off after its 1 s timeout: failed, `wait` exits 1.
    const waited = await cli(['wait', id, '--interval', '100', '--timeout', '30', '--json']);
    expect(waited.code, showRun(waited)).toBe(1);
    expect(stdoutJson<JobView>(waited).state).toBe('failed');

    const trashFailed = await cli(['trash', id]);
    expect(trashFailed.code).toBe(1);
    const retriedAgain = await cli(['retry', id, '--json']);
    expect(retriedAgain.code, showRun(retriedAgain)).toBe(0);
    expect(stdoutJson<JobView>(retriedAgain)).toMatchObject({ state: 'posted', attempts: 0 });
  });

  it('says the local stack may not be running when nothing listens', async () => {
    const port = await freePort();
    const run = await runCli(['stats'], { url: `http://127.0.0.1:${port}` });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/ECONNREFUSED/);
    expect(run.stderr).toMatch(/is the local stack running\? Start it with `npm start`/);
  });
});

describe('jobboard CLI with JOBBOARD_API_TOKEN', () => {
  it('exits 1 with UnauthorizedError without the token, and works with it', async () => {
    const [without, wrong, withToken, health] = await Promise.all([
      runCli(['stats'], { url: tokenStack.url }),
      runCli(['stats'], { url: tokenStack.url, env: { JOBBOARD_API_TOKEN: 'wrong' } }),
      runCli(['post', 'demo.echo', '--payload', '{"auth":true}', '--wait', '--interval', '50', '--json'], { url: tokenStack.url, env: { JOBBOARD_API_TOKEN: TOKEN } }),
      runCli(['health'], { url: tokenStack.url }),
    ]);
    expect(without.code).toBe(1);
    expect(without.stderr).toMatch(/^error: UnauthorizedError: /);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^error: UnauthorizedError: /);
    expect(withToken.code, showRun(withToken)).toBe(0);
    expect(stdoutJson<JobView>(withToken)).toMatchObject({ state: 'completed', result: { auth: true } });
    expect(health.code, showRun(health)).toBe(0);
  });
});

describe('jobboard --sigv4', () => {
  interface Captured {
    method: string;
    url: string;
    headers: IncomingHttpHeaders;
    body: string;
  }
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
  let server: Server;
  let url: string;
  const captured: Captured[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        captured.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString() });
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ jobs: [], nextCursor: null }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Signs what the server received with the same key: the signature must match the one sent. */
  async function expectValidSignature(request: Captured): Promise<void> {
    const authorization = String(request.headers.authorization);
    const match = /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/(\d{8})\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(authorization);
    expect(match, authorization).not.toBeNull();
    const signedHeaders = match![2]!.split(';');
    expect(signedHeaders).toEqual(expect.arrayContaining(['host', 'x-amz-date']));
    const headers: Record<string, string> = {};
    for (const name of signedHeaders) headers[name] = String(request.headers[name]);
    const target = new URL(request.url, url);
    const amzDate = headers['x-amz-date']!;
    const signingDate = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
    const signer = new SignatureV4({ service: 'execute-api', region: 'eu-west-1', credentials, sha256: NodeSha256 });
    const resigned = await signer.sign(
      {
        method: request.method,
        protocol: 'http:',
        hostname: target.hostname,
        port: Number(target.port),
        path: target.pathname,
        query: Object.fromEntries(target.searchParams),
        headers,
        body: request.body === '' ? undefined : request.body,
      },
      { signingDate },
    );
    expect(authorization).toBe(resigned.headers.authorization);
  }

  it('signs GET with a query and POST with a body for execute-api in AWS_REGION', async () => {
    const env = { AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, AWS_REGION: 'eu-west-1', AWS_EC2_METADATA_DISABLED: 'true' };
    const list = await runCli(['list', '--state', 'completed', '--limit', '5', '--sigv4', '--json'], { url, env });
    expect(list.code, showRun(list)).toBe(0);
    const post = await runCli(['post', 'demo.echo', '--payload', '{"signed":"yes please"}', '--id', 'sig:1', '--json'], { url, env: { ...env, JOBBOARD_SIGV4: '1', JOBBOARD_API_TOKEN: 'ignored' } });
    expect(post.code, showRun(post)).toBe(0);

    expect(captured).toHaveLength(2);
    expect(captured[0]).toMatchObject({ method: 'GET', url: '/jobs?state=completed&limit=5' });
    expect(captured[1]).toMatchObject({ method: 'POST', url: '/jobs', body: '{"type":"demo.echo","payload":{"signed":"yes please"},"id":"sig:1"}' });
    for (const request of captured) await expectValidSignature(request);
  });

  it('needs a region: exits 1 naming AWS_REGION when neither it nor the host gives one', async () => {
    const run = await runCli(['stats', '--sigv4'], { url, env: { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'x' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/needs a region: set AWS_REGION/);
  });
});
