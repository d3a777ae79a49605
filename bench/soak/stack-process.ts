/**
 * The local stack as the soak drives it: the real `npm start` entry (local/main.ts) run as a child
 * in its own process group, on the same data directory every lifetime, with its stdout (one JSON
 * line per transition) captured line by line and kept on disk as evidence.
 *
 * test/support/local-stack.ts does not fit: it keeps only the output's tail, turns transition
 * logging off, and does not put the stack in its own process group, so it cannot check that
 * DynamoDB Local's Java dies with it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lifetime } from './detector.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ENTRY = join(REPO_ROOT, 'local', 'main.ts');

/** Longest wait for the stack to print where it listens (Java start-up on a busy machine). */
const START_TIMEOUT_MS = 120_000;
/** Longest wait for the rest of the group (the watchdog shell, Java) to end after a kill. */
const GROUP_EXIT_TIMEOUT_MS = 20_000;
/** Longest wait for a clean SIGTERM stop before the group is killed. */
const STOP_TIMEOUT_MS = 60_000;

export interface SoakStackOptions {
  dataDir: string;
  logDir: string;
  /** The stack's environment variables (functions/env.ts names), on top of ours. */
  env: Record<string, string>;
  /** Called for every complete stdout line, in order; `seq` counts lines within the lifetime. */
  onLine: (lifetime: number, seq: number, line: string) => void;
}

/** One running stack process. */
export interface RunningStack {
  index: number;
  pid: number;
  url: string;
  /** The SQS emulator's endpoint, from the start-up banner on stderr. */
  sqsEndpoint: string;
  startedAtMs: number;
}

/** What a kill looked like: how long the group took to go, and whether it had to be forced. */
export interface KillReport {
  lifetime: number;
  mode: 'node' | 'group';
  atMs: number;
  /** From the SIGKILL until no process of the group was left. */
  groupGoneAfterMs: number;
  /** Processes still alive GROUP_EXIT_TIMEOUT_MS after the kill (then killed by the soak). */
  survivors: string[];
}

/** A live (not zombie) process of a process group, read from /proc (Linux). */
function groupMembers(pgid: number): string[] {
  const members: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    // No /proc: fall back to "does any process of the group answer a signal 0".
    try {
      process.kill(-pgid, 0);
      return [`group ${pgid}`];
    } catch {
      return [];
    }
  }
  for (const pid of entries) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name, which is in parentheses and may hold spaces.
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      const state = fields[0];
      const group = Number(fields[2]);
      if (group === pgid && state !== 'Z' && state !== 'X') members.push(`${pid} ${stat.slice(stat.indexOf('(') + 1, close)} (${state})`);
    } catch {
      // The process ended while we looked.
    }
  }
  return members;
}

export class SoakStack {
  readonly lifetimes: Lifetime[] = [];
  readonly kills: KillReport[] = [];
  /** stderr lines that are neither the banner nor known noise, per lifetime. */
  readonly stderrOddities: { lifetime: number; line: string }[] = [];
  private child: ChildProcess | undefined;
  private running: RunningStack | undefined;
  private exited: Promise<void> = Promise.resolve();
  private closed: Promise<void> = Promise.resolve();
  private ending: Lifetime['ending'] = 'crashed';
  private upWaiters: ((stack: RunningStack) => void)[] = [];
  private nextIndex = 0;

  constructor(private readonly options: SoakStackOptions) {}

  /** The running stack, or undefined while it is down. */
  get current(): RunningStack | undefined {
    return this.running;
  }

  /** True while a started process has not exited (it may still be starting). */
  get alive(): boolean {
    return this.child !== undefined;
  }

  /** Resolves with the running stack, at once or when the next lifetime is up. */
  whenUp(): Promise<RunningStack> {
    return this.running !== undefined ? Promise.resolve(this.running) : new Promise((resolve) => this.upWaiters.push(resolve));
  }

  /** Starts a new lifetime on the same data directory and waits until it serves HTTP. */
  async start(): Promise<RunningStack> {
    if (this.child !== undefined) throw new Error('the stack is already running');
    const index = this.nextIndex++;
    // PORT 0: the stack binds a port the OS picks and prints it (no window for another process to take it).
    const env: NodeJS.ProcessEnv = { ...process.env, ...this.options.env, PORT: '0', JOBBOARD_DATA_DIR: this.options.dataDir };
    delete env.JOBBOARD_API_TOKEN;
    const startedAtMs = Date.now();
    // detached: its own process group, so a kill can reach Java and the soak can check it is gone.
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY], { cwd: REPO_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.ending = 'crashed';
    const out: WriteStream = createWriteStream(join(this.options.logDir, `stack-${index}.stdout.log`));
    const err: WriteStream = createWriteStream(join(this.options.logDir, `stack-${index}.stderr.log`));
    let stderr = '';
    let partial = '';
    let seq = 0;
    child.stdout?.on('data', (chunk: Buffer) => {
      out.write(chunk);
      const text = partial + chunk.toString('utf8');
      const lines = text.split('\n');
      // A line cut by a kill stays partial and is dropped: it was never fully written.
      partial = lines.pop() ?? '';
      for (const line of lines) if (line !== '') this.options.onLine(index, seq++, line);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      err.write(chunk);
      stderr += chunk.toString('utf8');
      if (stderr.length > 200_000) stderr = stderr.slice(-100_000);
    });
    this.exited = new Promise((resolve) => {
      child.once('exit', () => {
        const endedAtMs = Date.now();
        this.lifetimes.push({ index, startedAtMs, endedAtMs, ending: this.ending });
        this.running = undefined;
        this.child = undefined;
        resolve();
      });
    });
    this.closed = new Promise((resolve) => {
      child.once('close', () => {
        out.end();
        err.end();
        for (const line of stderr.split('\n')) if (isOdd(line)) this.stderrOddities.push({ lifetime: index, line });
        resolve();
      });
    });
    const deadline = Date.now() + START_TIMEOUT_MS;
    let listening: RegExpExecArray | null = null;
    let sqs: RegExpExecArray | null = null;
    for (;;) {
      listening = /listening on (http:\/\/\S+)/.exec(stderr);
      sqs = /SQS emulator (http:\/\/\S+)/.exec(stderr);
      if (listening !== null && sqs !== null) break;
      if (this.child === undefined) throw new Error(`local stack exited during start-up:\n${stderr.slice(-4_000)}`);
      if (Date.now() > deadline) {
        await this.killGroup(child.pid as number);
        throw new Error(`local stack did not start in ${START_TIMEOUT_MS} ms:\n${stderr.slice(-4_000)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const running: RunningStack = { index, pid: child.pid as number, url: listening[1] as string, sqsEndpoint: sqs[1] as string, startedAtMs };
    this.running = running;
    for (const waiter of this.upWaiters.splice(0)) waiter(running);
    return running;
  }

  /**
   * SIGKILLs the stack (its node process, or its whole group), waits until every process of the
   * group is gone, and reports how long that took. Java outliving the kill is recorded and ended.
   */
  async kill(mode: 'node' | 'group'): Promise<KillReport> {
    const child = this.child;
    if (child === undefined || child.pid === undefined) throw new Error('no stack to kill');
    const pgid = child.pid;
    const lifetime = this.running?.index ?? this.lifetimes.length;
    this.ending = 'killed';
    this.running = undefined;
    const atMs = Date.now();
    if (mode === 'group') process.kill(-pgid, 'SIGKILL');
    else child.kill('SIGKILL');
    await this.exited;
    await this.closed;
    const survivors = await this.waitForGroupExit(pgid, GROUP_EXIT_TIMEOUT_MS);
    const report: KillReport = { lifetime, mode, atMs, groupGoneAfterMs: Date.now() - atMs, survivors };
    if (survivors.length > 0) await this.killGroup(pgid);
    this.kills.push(report);
    return report;
  }

  /** Clean stop (SIGTERM, as Ctrl-C would); the group is killed if it does not stop in time. */
  async stop(): Promise<{ cleanly: boolean; afterMs: number; survivors: string[] }> {
    const child = this.child;
    if (child === undefined || child.pid === undefined) return { cleanly: true, afterMs: 0, survivors: [] };
    const pgid = child.pid;
    this.ending = 'stopped';
    this.running = undefined;
    const started = Date.now();
    child.kill('SIGTERM');
    const timedOut = await Promise.race([this.exited.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), STOP_TIMEOUT_MS).unref())]);
    if (timedOut) await this.killGroup(pgid);
    await this.closed;
    const survivors = await this.waitForGroupExit(pgid, GROUP_EXIT_TIMEOUT_MS);
    if (survivors.length > 0) await this.killGroup(pgid);
    return { cleanly: !timedOut && child.exitCode === 0, afterMs: Date.now() - started, survivors };
  }

  /** Last resort (soak interrupted or failing): SIGKILL the whole group. */
  async killGroup(pgid = this.child?.pid): Promise<void> {
    if (pgid === undefined) return;
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 5_000).unref())]);
  }

  private async waitForGroupExit(pgid: number, timeoutMs: number): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const members = groupMembers(pgid);
      if (members.length === 0 || Date.now() > deadline) return members;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** stderr lines worth reporting: not the start-up banner, not the SDK's Node-version notice, not the shutdown messages. */
function isOdd(line: string): boolean {
  const known = [
    /^$/,
    /^Jobboard local stack listening/,
    /^ {2}(DynamoDB Local|SQS emulator|auth:|try:)/,
    /NodeVersionSupportWarning|versions published after|will require node|To continue receiving updates|security updates please upgrade|More information can be found|--trace-warnings/,
    /^SIG(INT|TERM): stopping/,
    /^stopped$/,
  ];
  return !known.some((pattern) => pattern.test(line.trim() === '' ? '' : line));
}
