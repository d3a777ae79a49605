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
 *
 * A job with `dependsOn` is posted only once its parents were accepted (their ids must exist).
 * A job with a `uniqueKey` may be refused with 409 `DuplicateError` naming the unfinished holder:
 * that is an expected answer, recorded (with when the try was sent and answered) for the unique
 * check, and the job is not accepted. Every answer to a unique post is recorded the same way.
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
  /** 409 DuplicateError on a post with a uniqueKey: an expected refusal (not accepted). */
  refusedDuplicate: number;
  /** Children not posted because a parent was never accepted. */
  orphaned: number;
  /** Every final answer to a post with a uniqueKey. */
  uniqueAnswers: UniqueAnswer[];
}

export interface UniqueAnswer {
  jobId: string;
  key: string;
  status: number;
  /** For a 409: the job the answer names as the key's holder. */
  holder?: string;
  /** The answered try: when it was sent and answered (epoch ms), and whether earlier tries were lost. */
  sentAtMs: number;
  answeredAtMs: number;
  retried: boolean;
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
    refusedDuplicate: 0,
    orphaned: 0,
    uniqueAnswers: [],
  };
  /** Ids accepted, and ids whose post ended without acceptance (children wait on both). */
  private readonly acceptedIds = new Set<string>();
  private readonly notAccepted = new Set<string>();
  /** Jobs whose POST ended (accepted, refused or given up). */
  private settled = 0;

  constructor(private readonly options: PosterOptions) {}

  /** Posts every job; resolves when each is accepted, refused, or the budget ran out. */
  async run(): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < this.options.jobs.length) {
        const job = this.options.jobs[next++] as PlannedJob;
        if (!(await this.parentsAccepted(job))) {
          this.stats.orphaned++;
          this.notAccepted.add(job.id);
        } else {
          await this.waitForRoom();
          await this.post(job);
        }
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

  /** Waits until every parent's post ended; true when all were accepted. */
  private async parentsAccepted(job: PlannedJob): Promise<boolean> {
    const parents = job.body.dependsOn ?? [];
    while (parents.some((id) => !this.acceptedIds.has(id) && !this.notAccepted.has(id)) && Date.now() < this.options.deadline) await sleep(20);
    return parents.every((id) => this.acceptedIds.has(id));
  }

  private async post(job: PlannedJob): Promise<void> {
    const accepted = await this.postTries(job);
    if (!accepted) this.notAccepted.add(job.id);
  }

  private recordUnique(job: PlannedJob, status: number, sentAtMs: number, tries: number, holder?: string): void {
    if (job.body.uniqueKey === undefined) return;
    this.stats.uniqueAnswers.push({ jobId: job.id, key: job.body.uniqueKey, status, holder, sentAtMs, answeredAtMs: Date.now(), retried: tries > 1 });
  }

  private async postTries(job: PlannedJob): Promise<boolean> {
    let tries = 0;
    let pause = 100;
    while (Date.now() < this.options.deadline) {
      tries++;
      const stack = await this.stackUntilDeadline();
      if (stack === undefined) break;
      let status: number;
      const sentAtMs = Date.now();
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
          this.recordUnique(job, status, sentAtMs, tries);
          this.accept(job, stack, status, tries);
          return true;
        }
        const holder = status === 409 ? duplicateHolder(text) : undefined;
        if (holder !== undefined && job.body.uniqueKey !== undefined) {
          this.recordUnique(job, status, sentAtMs, tries, holder);
          // Naming itself would mean the job exists (a lost try created it): kept as accepted, and flagged by the unique check.
          if (holder === job.id) this.accept(job, stack, status, tries);
          else this.stats.refusedDuplicate++;
          return holder === job.id;
        }
        if (status === 409 || (status >= 400 && status < 500 && status !== 429)) {
          if (status === 409) this.stats.conflicts++;
          else this.stats.rejected++;
          if (this.stats.problems.length < 10) this.stats.problems.push(`POST ${job.id} → ${status} ${text.slice(0, 300)}`);
          return false;
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
    return false;
  }

  private accept(job: PlannedJob, stack: RunningStack, status: number, tries: number): void {
    this.stats.accepted++;
    this.acceptedIds.add(job.id);
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

/** The holder a 409 `DuplicateError` names (`details[].message` "held by job <id>"), if it is one. */
function duplicateHolder(text: string): string | undefined {
  try {
    const error = (JSON.parse(text) as { error?: { code?: string; details?: { path?: string; message?: string }[] } }).error;
    if (error?.code !== 'DuplicateError') return undefined;
    const detail = error.details?.find((d) => d.path === 'uniqueKey');
    return /^held by job (\S+)$/.exec(detail?.message ?? '')?.[1] ?? '?';
  } catch {
    return undefined;
  }
}
