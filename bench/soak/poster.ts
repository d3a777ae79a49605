/**
 * Posts the planned jobs over HTTP, through kills and restarts.
 *
 * Every job has a fixed `id`, so a POST whose outcome is unknown (the stack died mid-request)
 * is simply sent again: 201 (created now) and 200 (the same job, created by the lost request)
 * both mean accepted; 409 would mean the API saw another body under that id, a bug.
 *
 * Posting is windowed: at most `window` jobs are accepted-but-unfinished at once. Without it the
 * whole plan would be posted in seconds, before the first kill; with it, posting goes on through
 * every lifetime, so jobs are also posted after restarts and while the stack is down.
 */
import type { PlannedJob } from './plan.js';
import type { RunningStack, SoakStack } from './stack-process.js';
import { sleep, untilDeadline } from './time.js';

export interface PosterStats {
  accepted: number;
  /** 201: created by this request. */
  created: number;
  /** 200: a retried request found the job its lost predecessor had created. */
  replayed: number;
  /** 200 on a job's very first request: nothing could have created it before (odd). */
  replayedOnFirstTry: number;
  /** 409: same id, other body (a bug). */
  conflicts: number;
  /** Other 4xx: the API refused a planned job (a bug in the plan or the API). */
  rejected: number;
  /** Requests that failed on the connection (stack down or killed mid-request) and were retried. */
  connectionRetries: number;
  /** 5xx answers, retried. */
  serverErrorRetries: number;
  /** Jobs not accepted when the time budget ran out. */
  gaveUp: number;
  /** Accepted jobs per stack lifetime. */
  acceptedByLifetime: Map<number, number>;
  /** Examples of refusals, for the report. */
  problems: string[];
}

export interface PosterOptions {
  stack: SoakStack;
  jobs: readonly PlannedJob[];
  concurrency: number;
  window: number;
  /** Jobs known to be final (from the transition logs). */
  finishedCount: () => number;
  deadline: number;
  onAccepted: (job: PlannedJob, lifetime: number, atMs: number) => void;
}

/** Per-request timeout: a request to a stack that hangs (stopped by a kill mid-flight) must end. */
const REQUEST_TIMEOUT_MS = 15_000;

export class Poster {
  readonly stats: PosterStats = {
    accepted: 0,
    created: 0,
    replayed: 0,
    replayedOnFirstTry: 0,
    conflicts: 0,
    rejected: 0,
    connectionRetries: 0,
    serverErrorRetries: 0,
    gaveUp: 0,
    acceptedByLifetime: new Map(),
    problems: [],
  };
  /** Jobs whose POST ended (accepted, refused or given up). */
  private settled = 0;

  constructor(private readonly options: PosterOptions) {}

  /** Posts every job; resolves when each is accepted, refused, or the budget ran out. */
  async run(): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < this.options.jobs.length) {
        const job = this.options.jobs[next++] as PlannedJob;
        await this.waitForRoom();
        await this.post(job);
        this.settled++;
      }
    };
    await Promise.all(Array.from({ length: this.options.concurrency }, worker));
  }

  /** Waits while the window is full (accepted but not yet finished), or the budget ends. */
  private async waitForRoom(): Promise<void> {
    while (this.stats.accepted - this.options.finishedCount() >= this.options.window && Date.now() < this.options.deadline) {
      await sleep(50);
    }
  }

  private async post(job: PlannedJob): Promise<void> {
    let tries = 0;
    let pause = 100;
    while (Date.now() < this.options.deadline) {
      tries++;
      const stack = await this.stackUntilDeadline();
      if (stack === undefined) break;
      let status: number;
      try {
        const response = await fetch(`${stack.url}/jobs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(job.body),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        status = response.status;
        const text = await response.text();
        if (status === 201 || status === 200) {
          this.accept(job, stack, status, tries);
          return;
        }
        if (status === 409 || (status >= 400 && status < 500 && status !== 429)) {
          if (status === 409) this.stats.conflicts++;
          else this.stats.rejected++;
          if (this.stats.problems.length < 10) this.stats.problems.push(`POST ${job.id} → ${status} ${text.slice(0, 300)}`);
          return;
        }
        this.stats.serverErrorRetries++;
      } catch {
        // Connection refused or reset, or the timeout: the stack is down or died under us.
        this.stats.connectionRetries++;
      }
      await sleep(pause);
      pause = Math.min(1_000, pause * 2);
    }
    this.stats.gaveUp++;
  }

  private accept(job: PlannedJob, stack: RunningStack, status: number, tries: number): void {
    this.stats.accepted++;
    if (status === 201) this.stats.created++;
    else if (tries > 1) this.stats.replayed++;
    else this.stats.replayedOnFirstTry++;
    this.stats.acceptedByLifetime.set(stack.index, (this.stats.acceptedByLifetime.get(stack.index) ?? 0) + 1);
    this.options.onAccepted(job, stack.index, Date.now());
  }

  private async stackUntilDeadline(): Promise<RunningStack | undefined> {
    const current = this.options.stack.current;
    if (current !== undefined) return current;
    return untilDeadline(this.options.stack.whenUp(), this.options.deadline);
  }
}
