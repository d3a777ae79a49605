/** Runs the `jobboard` CLI as a child process (the way users run it) and collects its output. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What a CLI run produced. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Options of {@link runCli}. */
export interface RunCliOptions {
  /** `JOBBOARD_URL`. */
  url?: string;
  /** Extra environment; `undefined` values remove a variable. */
  env?: Record<string, string | undefined>;
  /** Written to stdin, then closed. */
  input?: string;
  /** Entry to run, relative to the repository (default `cli/main.ts` through tsx). */
  entry?: 'cli/main.ts' | 'bin/jobboard.js';
  timeoutMs?: number;
}

/** Runs `jobboard <args…>` and resolves when it exits. Kills it after `timeoutMs`. */
export function runCli(args: readonly string[], options: RunCliOptions = {}): Promise<CliRun> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    // Nothing from the developer's shell may change what the CLI does.
    if (value !== undefined && !/^(JOBBOARD_|AWS_)/.test(name)) env[name] = value;
  }
  if (options.url !== undefined) env.JOBBOARD_URL = options.url;
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  const entry = options.entry ?? 'cli/main.ts';
  const nodeArgs = entry === 'cli/main.ts' ? ['--import', 'tsx', entry] : [entry];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, ...args], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Parses a run's stdout as JSON, with the whole run in the message when it is not JSON. */
export function stdoutJson<T = unknown>(run: CliRun): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${run.code}):\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
}

/** A run as text: the message of an assertion on it. */
export function showRun(run: CliRun): string {
  return `exit ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
}

/**
 * The CLI against the API at `url()` (read at each call: a stack's URL is known once it is up):
 * `cli` runs it as is; `ok` runs it with `--json`, asserts exit 0, and parses stdout.
 */
export function cliAt(url: () => string): { cli: (args: readonly string[], options?: RunCliOptions) => Promise<CliRun>; ok: <T>(args: readonly string[]) => Promise<T> } {
  const cli = (args: readonly string[], options: RunCliOptions = {}) => runCli(args, { url: url(), ...options });
  return {
    cli,
    ok: async <T>(args: readonly string[]): Promise<T> => {
      const run = await cli([...args, '--json']);
      expect(run.code, showRun(run)).toBe(0);
      return stdoutJson<T>(run);
    },
  };
}
