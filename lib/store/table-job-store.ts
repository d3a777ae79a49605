/**
 * The job store on the table port: each method writes the spec of its transition
 * (`transitions.ts`) and reports the transition to the event bus. On DynamoDB it is
 * `DynamoJobStore` (lib/dynamo/), in memory `MemoryJobStore` (lib/memory/): one logic, two tables.
 */
import { LIMITS, type StoreOptions } from '../config.js';
import { ClaimRefusedError, InvalidStateError, NotFoundError, ValidationError, isJobboardError } from '../errors.js';
import { EventBus, type TransitionEvent, type TransitionName } from '../events/events.js';
import type { ErrorInput, Job, StopRequest } from '../model.js';
import { jsonBytes } from '../model.js';
import { postingTime } from '../new-job.js';
import { isFinal } from '../states.js';
import { DependencyLinks } from './dependency-links.js';
import { TableJobReads, type JobReadsDependencies } from './job-reads.js';
import type { ItemTable } from './item-table.js';
import { jobFromItem } from './item-codec.js';
import type { ClaimOptions, JobStore } from './job-store.js';
import { postJob } from './post-job.js';
import { leaseExpired } from './refusals.js';
import { release, scopeRequests, type SemaphoreRequest } from './semaphores.js';
import { claimWithSemaphores, type SlotClaimDependencies } from './slot-claims.js';
import * as transition from './transitions.js';
import type { UpdateSpec } from './write-spec.js';
import { boardOf } from '../boards/board.js';

export interface JobStoreDependencies extends JobReadsDependencies {
  /** Where transition events go (the log observer, metrics, …). */
  events?: EventBus;
  /** Sends the postings of children a parent's end released (default: none; the sweeper re-posts them). */
  onReleased?: (jobs: Job[]) => Promise<void>;
}

export class TableJobStore extends TableJobReads implements JobStore {
  private readonly events: EventBus;
  private readonly links: DependencyLinks;

  constructor(table: ItemTable, options: Partial<StoreOptions> & { tableName: string }, dependencies: JobStoreDependencies = {}) {
    super(table, options, dependencies);
    this.events = dependencies.events ?? new EventBus();
    const onReleased = dependencies.onReleased ?? (async () => undefined);
    this.links = new DependencyLinks({
      update: (spec) => this.update(spec),
      get: (id) => this.get(id),
      context: () => this.context(),
      onReleased: async (jobs) => {
        for (const job of jobs) this.report('job_released', job, { by: 'parents' });
        await onReleased(jobs);
      },
    });
  }

  async post(job: Job): Promise<{ job: Job; created: boolean }> {
    // The board is registered before any of its jobs is written, so a listing of boards never misses one.
    await this.boards.register(boardOf(job));
    const posted = await postJob({ table: this.table, get: (id) => this.get(id) }, job);
    if (posted.created) this.report('job_posted', job);
    return posted;
  }

  async claim(id: string, request: transition.ClaimRequest, options: ClaimOptions = {}): Promise<Job> {
    let semaphores = options.semaphores ?? [];
    for (let round = 0; ; round++) {
      try {
        return await this.claimHolding(id, request, semaphores);
      } catch (error) {
        // The posting did not say the job's scopes (or said others): claim again with the job's own.
        const seen = isJobboardError(error, ClaimRefusedError) && error.reason === 'scopesMissing' ? error.job : undefined;
        if (seen === undefined || round > 0) throw error;
        semaphores = [...semaphores.filter((s) => s.kind !== 'scope'), ...scopeRequests(seen.scopes)];
      }
    }
  }

  /** One claim (or takeover) holding these semaphores. */
  private async claimHolding(id: string, request: transition.ClaimRequest, semaphores: readonly SemaphoreRequest[]): Promise<Job> {
    const ctx = this.context();
    const holding = { ...request, scopesHeld: semaphores.filter((s) => s.kind === 'scope').length };
    // Built afresh for each try (a semaphore's retry waits on other holders): the claim's time is its own.
    const write = (build: () => UpdateSpec) => (semaphores.length === 0 ? this.update(build()) : claimWithSemaphores(this.slotDependencies(), build, id, request.owner, semaphores));
    try {
      return this.reported('job_claimed', await write(() => transition.claim(id, holding, this.context())), { leaseMs: request.leaseMs });
    } catch (error) {
      // The common path is one write from `posted`. A claim whose lease ran out is taken over with
      // a second write, conditioned on the version the refusal showed (the rare path: a dead owner).
      const seen = isJobboardError(error, ClaimRefusedError) && error.reason === 'leased' ? error.job : undefined;
      if (seen === undefined || !leaseExpired(seen, ctx.now, ctx.clockSkewMs) || seen.attempts >= seen.maxAttempts || seen.stopRequested !== undefined) throw error;
      const job = await write(() => transition.takeOver(seen, holding, this.context()));
      return this.reported('job_claimed', job, { leaseMs: request.leaseMs, tookOverFrom: seen.owner, lostAttempt: seen.attempts });
    }
  }

  async heartbeat(job: Job, leaseMs: number): Promise<Job> {
    return this.update(transition.heartbeat(job, leaseMs, this.now()));
  }

  async reportProgress(job: Job, value: unknown): Promise<Job> {
    return this.update(transition.progress(job, value, this.now()));
  }

  async consume(job: Job, result: unknown): Promise<Job> {
    const bytes = jsonBytes(result);
    if (bytes > LIMITS.resultBytes) {
      throw new ValidationError(`result is ${bytes} bytes, more than ${LIMITS.resultBytes}`, [{ path: 'result', message: 'too large' }], { jobId: job.id });
    }
    return this.reported('job_consumed', await this.ended(job, transition.consume(job, result, this.context())));
  }

  async abandon(job: Job, error: ErrorInput, retryAt: number): Promise<Job> {
    const now = this.now();
    const abandoned = await this.ended(job, transition.abandon(job, error, retryAt, now));
    return this.reported('job_abandoned', abandoned, { error, retryInSeconds: Math.ceil((retryAt - now) / 1_000) });
  }

  async release(job: Job): Promise<Job> {
    return this.reported('job_released', await this.ended(job, transition.release(job, this.now())), { typeVersion: job.typeVersion });
  }

  async fail(job: Job, error: ErrorInput, deadLetterReason: string, options: { attemptSpent?: boolean } = {}): Promise<Job> {
    const failed = await this.ended(job, transition.fail(job, error, { deadLetterReason, ...options }, this.context()));
    return this.reported('job_failed', failed, { error, reason: deadLetterReason });
  }

  async failUnclaimed(seen: Job, reason: 'exhausted' | 'expired', deadLetterReason?: string): Promise<Job> {
    const failed = await this.finished(await this.update(transition.failUnclaimed(seen, reason, deadLetterReason, this.context())));
    return this.reported('job_failed', failed, { reason: deadLetterReason ?? reason });
  }

  async deadLettered(job: Job): Promise<void> {
    try {
      await this.update(transition.deadLettered(job));
    } catch (error) {
      if (error instanceof InvalidStateError || error instanceof NotFoundError) return;
      throw error;
    }
  }

  async trash(id: string): Promise<Job> {
    return this.reported('job_trashed', await this.finished(await this.update(transition.trash(await this.get(id), this.context()))));
  }

  async retry(id: string): Promise<Job> {
    return this.reported('job_retried', await this.update(transition.retry(await this.get(id), this.now())));
  }

  async suspend(id: string): Promise<Job> {
    return this.reported('job_suspended', await this.update(transition.suspend(await this.get(id), this.context())));
  }

  async resume(id: string): Promise<Job> {
    const seen = await this.get(id);
    const now = this.now();
    return this.reported('job_resumed', await this.update(transition.resume(seen, postingTime(seen.waitUntil, now), now)));
  }

  async requestStop(id: string, stop: StopRequest): Promise<Job> {
    return this.reported('job_stop_requested', await this.update(transition.requestStop(await this.get(id), stop, this.context())), { stop });
  }

  async stopRun(job: Job, reason: 'cancelled' | 'suspended', error?: ErrorInput): Promise<Job> {
    const stopped = await this.ended(job, transition.stopped(job, reason, this.context(), error));
    return this.reported(reason === 'cancelled' ? 'job_trashed' : 'job_suspended', stopped, { stoppedRun: reason });
  }

  async carryOutStop(seen: Job): Promise<Job> {
    const ctx = this.context();
    if (seen.stopRequested === 'suspend') return this.reported('job_suspended', await this.update(transition.suspend(seen, ctx)), { stopRequested: 'suspend' });
    return this.reported('job_trashed', await this.finished(await this.update(transition.trash(seen, ctx))), { stopRequested: seen.stopRequested });
  }

  async markPosted(seen: Job, postedAt: number): Promise<boolean> {
    try {
      this.reported('job_reposted', await this.update(transition.markPosted(seen, postedAt, this.now())));
      return true;
    } catch (error) {
      if (error instanceof InvalidStateError || error instanceof NotFoundError) return false;
      throw error;
    }
  }

  private async update(spec: UpdateSpec): Promise<Job> {
    return jobFromItem(await this.table.write(spec));
  }

  /**
   * The owner's ending write, then its board slot's release. The release may fail (or the process
   * die before it): the slot then names a claim that has ended, and the next claimant refused for
   * a full board clears it.
   */
  private async ended(job: Job, spec: UpdateSpec): Promise<Job> {
    const written = await this.update(spec);
    const owner = job.owner;
    if (owner !== undefined) await Promise.all((job.holds ?? []).map((key) => this.table.write(release(key, { owner, jobId: job.id })).catch(() => undefined)));
    return this.finished(written);
  }

  /**
   * A job that turned final tells its children. If that fails (or the process dies first), the
   * children stay `waiting` on a final parent, and the sweeper's repair tells them.
   */
  private async finished(job: Job): Promise<Job> {
    if (isFinal(job.state) && (job.children ?? []).length > 0) await this.links.parentFinished(job).catch(() => undefined);
    return job;
  }

  async linkChild(child: Job, parents: ReadonlyMap<string, Job>): Promise<void> {
    await this.links.link(child, parents);
  }

  async repairWaiting(child: Job, parents: ReadonlyMap<string, Job>): Promise<void> {
    await this.links.repair(child, parents);
  }

  private slotDependencies(): SlotClaimDependencies {
    return { table: this.table, reader: this.reader, get: (id) => this.get(id), now: this.now, clockSkewMs: this.options.clockSkewMs };
  }

  private context(): transition.TransitionContext {
    return { now: this.now(), clockSkewMs: this.options.clockSkewMs, retentionDays: this.options.retentionDays };
  }

  private report(name: TransitionName, job: Job, detail?: Record<string, unknown>): void {
    const event: TransitionEvent = { kind: 'transition', name, job, at: job.updatedAt };
    if (job.startedAt !== undefined && (name === 'job_consumed' || name === 'job_abandoned' || name === 'job_failed')) event.durationMs = job.updatedAt - job.startedAt;
    if (detail !== undefined) event.detail = detail;
    this.events.emit(event);
  }

  private reported(name: TransitionName, job: Job, detail?: Record<string, unknown>): Job {
    this.report(name, job, detail);
    return job;
  }
}
