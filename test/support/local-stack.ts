/**
 * Runs the real `npm start` entry (local/main.ts) as a child process on a free port with its own
 * data directory, for end-to-end tests over HTTP. `kill()` sends SIGKILL, `stop()` SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('../../local/main.ts', import.meta.url));

export interface StackProcessOptions {
  dataDir?: string;
  env?: Record<string, string>;
  startTimeoutMs?: number;
}

export class StackProcess {
  url = '';
  output = '';
  private child: ChildProcess | undefined;
  private exited: Promise<number | string | null> = Promise.resolve(null);
  readonly dataDir: string;
  private readonly ownsDataDir: boolean;

  constructor(private readonly options: StackProcessOptions = {}) {
    this.ownsDataDir = options.dataDir === undefined;
    this.dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'jobboard-e2e-'));
  }

  async start(): Promise<this> {
    // PORT 0: the stack binds a port the OS picks and prints it. A port picked here and bound by
    // the child later could be taken in between by another test's process.
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY], {
      env: { ...process.env, PORT: '0', JOBBOARD_DATA_DIR: this.dataDir, JOBBOARD_LOG_TRANSITIONS: 'false', ...this.options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-20_000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const deadline = Date.now() + (this.options.startTimeoutMs ?? 60_000);
    while (!/listening on (http:\/\/\S+)/.test(this.output)) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`local stack exited early:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`local stack did not start:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    this.url = /listening on (http:\/\/\S+)/.exec(this.output)?.[1] ?? '';
    return this;
  }

  /** Sends `signal` and waits for the process to exit; returns how it ended. */
  async signal(signal: NodeJS.Signals): Promise<number | string | null> {
    if (this.child === undefined || this.child.exitCode !== null || this.child.signalCode !== null) return this.exited;
    this.child.kill(signal);
    return this.exited;
  }

  kill(): Promise<number | string | null> {
    return this.signal('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.signal('SIGTERM');
    if (this.ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** fetch against the stack, JSON in and out. */
  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed, headers: response.headers };
  }
}
