/**
 * The bulk-operation task: runs every running operation, slice by slice, within a time budget,
 * under a lease on the operation (so two runners never both advance one), saving where it got to
 * after every slice. It runs in the sweeper's invocation on AWS and on its own short timer locally.
 *
 * A slice: list one page of the pass's jobs from the saved position; keep those that match;
 * record them (ids and versions) as the slice in flight; apply the action to each, at most
 * `concurrency` at once, through the single-job transition; send the postings; commit (position,
 * counts, slice forgotten) in one conditional write. A run that dies anywhere in between leaves
 * the slice recorded: the next holder judges each of its jobs (`judgePending`) before going on.
 * So a crash never makes an operation act on a job twice, and the counts stay exact unless another
 * writer changed a job of the interrupted slice in that window (see `judgePending`).
 *
 * The transition is the single-job route's: it reads the job again and is conditioned on its
 * state, not on the version the slice saw. A job that left the matched state and came back to it
 * in the milliseconds between the slice's read and the write (retried by an operator and failed
 * again) is acted on as the route would act on it then; the snapshot rule keeps even that job from
 * being matched a second time.
 *
 * Cost per job touched (metered in `test/integration/bulk-operations.test.ts`): the job's own
 * transition, as its single-job route costs it (a retry: 3 write units, its item and the move
 * from the done to the open index, after one consistent read), plus its share of the operation
 * item's writes: the slice record and its commit rewrite an item of about 5 KB per 100 jobs
 * (45 bytes a job), about 0.13 write units per job (0.07 on DynamoDB Local, which bills an update
 * by its new image only). A retried or resumed job's posting goes out ten to a request.
 */
import { randomBytes } from 'node:crypto';
import { ConfigurationError, StorageError, isJobboardError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import type { Job } from '../model.js';
import { addCounts, judgePending, matchesOperation, passState, sliceQuery, transitionFailure } from './bulk-operation.js';
import type { FollowUp } from '../store/follow-ups.js';
import type { OperationJobs } from './operation-jobs.js';
import { NO_COUNTS, operationIdTime, type Operation, type OperationCounts, type OperationPosition, type OperationStore } from './operation.js';
import { OperationLeaseError } from './errors.js';

export interface OperationRunnerOptions {
  /** Jobs listed per slice: 1–100 (a list page). */
  sliceSize: number;
  /** Transitions of a slice in flight at once. */
  concurrency: number;
  /** A lease lasts this long from each write of its holder; it is renewed once half of it is gone. */
  leaseMs: number;
  /** No transition starts when the lease has less than this left (a renewal failed). */
  leaseMarginMs: number;
  /** A run starts no slice this long before its budget ends. */
  reserveMs: number;
}

export const OPERATION_RUNNER_DEFAULTS: OperationRunnerOptions = { sliceSize: 100, concurrency: 10, leaseMs: 10_000, leaseMarginMs: 2_000, reserveMs: 5_000 };

export interface OperationRunReport extends OperationCounts {
  /** Operations this run held a lease on. */
  operations: number;
  slices: number;
  /** Operations that ended (succeeded or failed) in this run. */
  ended: number;
  /** Operations whose run stopped on an error it will retry next time. */
  errors: number;
}

export interface OperationRunnerDependencies {
  operations: OperationStore;
  jobs: OperationJobs;
  options?: Partial<OperationRunnerOptions>;
  logger?: Logger;
  /** Epoch ms. */
  now?: () => number;
  /** A token unique to each lease taken. */
  newToken?: () => string;
}

/** An id listed as running with no item is forgotten only after this long: its creation may still be writing it. */
const ORPHAN_AFTER_MS = 60_000;

/** One operation under this runner's lease. */
interface Held {
  operation: Operation;
  token: string;
  leaseExpiresAt: number;
  /** The renewal in flight, shared by the slice's workers. */
  renewal?: Promise<void>;
}

/** Why a slice's transitions stopped before the end: its lease is running out, or storage said "later". */
type Interruption = { reason: 'leaseEnding' } | { reason: 'retryLater'; error: unknown };

export class OperationRunner {
  readonly options: OperationRunnerOptions;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly newToken: () => string;

  constructor(private readonly deps: OperationRunnerDependencies) {
    this.options = resolveOptions(deps.options);
    this.logger = deps.logger ?? silentLogger;
    this.now = deps.now ?? Date.now;
    this.newToken = deps.newToken ?? (() => randomBytes(12).toString('base64url'));
  }

  /** Runs each running operation, oldest first, until they end or `remainingMs` (less `reserveMs`) is spent. */
  async run({ remainingMs = Number.POSITIVE_INFINITY }: { remainingMs?: number } = {}): Promise<OperationRunReport> {
    const deadline = this.now() + remainingMs - this.options.reserveMs;
    const report: OperationRunReport = { operations: 0, slices: 0, ended: 0, errors: 0, ...NO_COUNTS };
    for (const id of (await this.deps.operations.running()).sort()) {
      if (this.now() >= deadline) break;
      try {
        await this.runOne(id, deadline, report);
      } catch (error) {
        report.errors++;
        this.logger.warn('operation_run_failed', { operationId: id, error, recovery: 'the next run resumes it' });
      }
    }
    return report;
  }

  private async runOne(id: string, deadline: number, report: OperationRunReport): Promise<void> {
    const held = await this.acquire(id);
    if (held === undefined) return;
    report.operations++;
    try {
      for (;;) {
        const { operation } = held;
        if (operation.pending === undefined && passState(operation, operation.position) === undefined) {
          await this.end(held, { state: 'succeeded' }, report);
          return;
        }
        if (this.now() >= deadline) break;
        const interrupted = operation.pending === undefined ? await this.slice(held, report) : await this.redo(held, report);
        if (interrupted !== undefined) {
          if (interrupted.reason === 'retryLater') this.logger.warn('operation_slice_deferred', { operationId: id, error: interrupted.error, recovery: 'the next run does the slice again' });
          break;
        }
      }
    } catch (error) {
      // Another runner holds it now, or it ended: nothing more to write.
      if (isJobboardError(error, OperationLeaseError)) return;
      if (isJobboardError(error, StorageError) && error.retryable) {
        await this.deps.operations.release(id, held.token).catch(() => undefined);
        throw error;
      }
      // An error that trying again cannot mend (a cursor this code cannot read, a permission missing): the operation fails, saying why.
      await this.end(held, { state: 'failed', error: error instanceof Error ? error.message : String(error) }, report);
      return;
    }
    // Every transition has settled: the next run (here or elsewhere) may take over at once.
    await this.deps.operations.release(id, held.token);
  }

  /** Takes the lease, or learns that the operation needs no runner (ended, or never written) and stops listing it. */
  private async acquire(id: string): Promise<Held | undefined> {
    const token = this.newToken();
    const now = this.now();
    try {
      const leaseExpiresAt = now + this.options.leaseMs;
      return { operation: await this.deps.operations.acquire(id, token, leaseExpiresAt, now), token, leaseExpiresAt };
    } catch (error) {
      if (!isJobboardError(error, OperationLeaseError)) throw error;
      const orphan = error.reason === 'missing' && now - (operationIdTime(id) ?? 0) > ORPHAN_AFTER_MS;
      if (error.reason === 'ended' || orphan) await this.deps.operations.forget(id);
      return undefined;
    }
  }

  /** One slice from the saved position; returns why it stopped early, if it did (then nothing is committed). */
  private async slice(held: Held, report: OperationRunReport): Promise<Interruption | undefined> {
    const { operation } = held;
    const state = passState(operation, operation.position);
    const query = sliceQuery(operation, operation.position, this.options.sliceSize);
    if (state === undefined || query === undefined) return this.commit(held, { pass: operation.position.pass + 1, cursor: null }, NO_COUNTS, report);
    const page = await this.deps.jobs.list(query);
    const next: OperationPosition = page.nextCursor === null ? { pass: operation.position.pass + 1, cursor: null } : { pass: operation.position.pass, cursor: page.nextCursor };
    const matched = page.jobs.filter((job) => matchesOperation(operation, state, job));
    if (matched.length === 0) return this.commit(held, next, NO_COUNTS, report);
    const leaseExpiresAt = this.now() + this.options.leaseMs;
    await this.deps.operations.begin(operation.id, held.token, { jobs: matched.map((job) => ({ id: job.id, version: job.version })), next }, leaseExpiresAt);
    held.leaseExpiresAt = leaseExpiresAt;
    const applied = await this.apply(held, matched.map((job) => job.id));
    if (applied.interrupted !== undefined) return applied.interrupted;
    return this.commit(held, next, { ...applied.counts, matched: matched.length }, report);
  }

  /** Settles the slice a dead (or lease-less) run left in flight, then commits it. */
  private async redo(held: Held, report: OperationRunReport): Promise<Interruption | undefined> {
    const { operation } = held;
    const pending = operation.pending as NonNullable<Operation['pending']>;
    const state = passState(operation, operation.position);
    const current: (Job | undefined)[] = new Array(pending.jobs.length);
    await eachBounded(pending.jobs, this.options.concurrency, async (job, n) => {
      current[n] = await this.deps.jobs.get(job.id);
    });
    const counts: OperationCounts = { ...NO_COUNTS, matched: pending.jobs.length };
    const again: string[] = [];
    pending.jobs.forEach((seen, n) => {
      const job = current[n];
      const verdict = judgePending(seen.version, job, job !== undefined && state !== undefined && matchesOperation(operation, state, job));
      if (verdict === 'act') again.push(seen.id);
      else counts[verdict]++;
    });
    this.logger.info('operation_slice_recovered', { operationId: operation.id, jobs: pending.jobs.length, actAgain: again.length, done: counts.done, skipped: counts.skipped });
    const applied = await this.apply(held, again);
    if (applied.interrupted !== undefined) return applied.interrupted;
    return this.commit(held, pending.next, addCounts(counts, applied.counts), report);
  }

  /**
   * Before a transition: renews the lease once half of it is gone (one renewal for all workers).
   * False when the lease cannot be kept (taken over, or a renewal failed and the margin is reached).
   */
  private async keepLease(held: Held): Promise<boolean> {
    if (this.now() < held.leaseExpiresAt - this.options.leaseMs / 2) return true;
    held.renewal ??= (async () => {
      const leaseExpiresAt = this.now() + this.options.leaseMs;
      await this.deps.operations.renew(held.operation.id, held.token, leaseExpiresAt);
      held.leaseExpiresAt = leaseExpiresAt;
    })()
      .catch((error: unknown) => this.logger.warn('operation_lease_not_renewed', { operationId: held.operation.id, error }))
      .finally(() => (held.renewal = undefined));
    await held.renewal;
    return this.now() <= held.leaseExpiresAt - this.options.leaseMarginMs;
  }

  /** Applies the action to each job, stopping early (before starting a job) when the lease cannot be kept or storage says "later". */
  private async apply(held: Held, ids: readonly string[]): Promise<{ counts: OperationCounts; interrupted?: Interruption }> {
    const counts: OperationCounts = { ...NO_COUNTS };
    const followUps: FollowUp[] = [];
    let interrupted: Interruption | undefined;
    await eachBounded(ids, this.options.concurrency, async (id) => {
      if (interrupted !== undefined) return;
      if (!(await this.keepLease(held))) {
        interrupted = { reason: 'leaseEnding' };
        return;
      }
      try {
        const written = await this.deps.jobs.apply(held.operation.action, id);
        counts.done++;
        followUps.push(...written.followUps);
      } catch (error) {
        const failure = transitionFailure(error);
        if (failure === 'retryLater') interrupted ??= { reason: 'retryLater', error };
        else counts[failure]++;
        if (failure === 'failed') this.logger.warn('operation_job_failed', { operationId: held.operation.id, jobId: id, error });
      }
    });
    await this.deps.jobs.settle(followUps);
    return interrupted === undefined ? { counts } : { counts, interrupted };
  }

  private async commit(held: Held, position: OperationPosition, delta: OperationCounts, report: OperationRunReport): Promise<undefined> {
    const now = this.now();
    const leaseExpiresAt = now + this.options.leaseMs;
    held.operation = await this.deps.operations.commit(held.operation.id, held.token, position, delta, leaseExpiresAt, now);
    held.leaseExpiresAt = leaseExpiresAt;
    report.slices++;
    Object.assign(report, addCounts(report, delta));
    return undefined;
  }

  private async end(held: Held, end: { state: 'succeeded' | 'failed'; error?: string }, report: OperationRunReport): Promise<void> {
    const ended = await this.deps.operations.finish(held.operation.id, held.token, end, this.now());
    report.ended++;
    const { id, action, state, matched, done, skipped, failed, error } = ended;
    this.logger.info('operation_ended', { operationId: id, action, state, matched, done, skipped, failed, ...(error === undefined ? {} : { error }) });
  }
}

/** Runs `work` over the items, at most `limit` at once. `work` must not throw. */
async function eachBounded<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function resolveOptions(options: Partial<OperationRunnerOptions> = {}): OperationRunnerOptions {
  const resolved = { ...OPERATION_RUNNER_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) };
  const check = (name: keyof OperationRunnerOptions, min: number, max: number) => {
    const value = resolved[name];
    if (!Number.isInteger(value) || value < min || value > max) throw new ConfigurationError(`option ${name} must be a whole number in ${min}..${max}, got ${JSON.stringify(value)}`);
  };
  check('sliceSize', 1, 100);
  check('concurrency', 1, 100);
  check('leaseMs', 1_000, 15 * 60_000);
  check('leaseMarginMs', 0, resolved.leaseMs - 1);
  check('reserveMs', 0, Number.MAX_SAFE_INTEGER);
  return resolved;
}
