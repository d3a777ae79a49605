/**
 * The job store on the table port: each method writes the spec of its transition
 * (`transitions.ts`), reports the transition to the event bus, and answers what must follow the
 * write as data (`follow-ups.ts`: holds to drop, children to tell, postings to send), which the
 * lifecycle applies. On DynamoDB it is `DynamoJobStore` (lib/dynamo/), in memory `MemoryJobStore`
 * (lib/memory/): one logic, two tables.
 */
import { LIMITS, type StoreOptions } from '../config.js';
import { ClaimRefusedError, InvalidStateError, NotFoundError, ValidationError, isJobboardError } from '../errors.js';
import { EventBus, type TransitionEvent, type TransitionName } from '../events/events.js';
import type { ErrorInput, Job, StopRequest } from '../model.js';
import { jsonBytes } from '../model.js';
import { postingTime } from '../new-job.js';
import { DependencyLinks } from './dependency-links.js';
import { TableJobReads, type JobReadsDependencies } from './job-reads.js';
import type { ItemTable } from './item-table.js';
import { jobFromItem } from './item-codec.js';
import type { ClaimOptions, JobStore } from './job-store.js';
import { postJob } from './post-job.js';
import { leaseExpired } from './refusals.js';
import { dropHold, scopeRequests, type Holder, type SemaphoreRequest } from './semaphores.js';
import { childrenToTell, postingNeeded, type FinishedParent, type FollowUp, type Written } from './follow-ups.js';
import { claimWithSemaphores, type SlotClaimDependencies } from './slot-claims.js';
import * as transition from './transitions.js';
import type { UpdateSpec } from './write-spec.js';
import { boardOf } from '../boards/board.js';

export interface JobStoreDependencies extends JobReadsDependencies {
  /** Where transition events go (the log observer, metrics, …). */
  events?: EventBus;
}

export class TableJobStore extends TableJobReads implements JobStore {
  private readonly events: EventBus;
  private readonly links: DependencyLinks;

  constructor(table: ItemTable, options: Partial<StoreOptions> & { tableName: string }, dependencies: JobStoreDependencies = {}) {
    super(table, options, dependencies);
    this.events = dependencies.events ?? new EventBus();
    this.links = new DependencyLinks({
      update: (spec) => this.update(spec),
      get: (id) => this.get(id),
      context: () => this.context(),
      released: (job) => this.report('job_released', job, { by: 'parents' }),
    });
  }

  async post(job: Job): Promise<Written & { created: boolean }> {
    // The board is registered before any of its jobs is written, so a listing of boards never misses one.
    await this.boards.register(boardOf(job));
    const posted = await postJob({ table: this.table, get: (id) => this.get(id) }, job);
    if (!posted.created) return { ...posted, followUps: [] };
    this.report('job_posted', job);
    return { ...posted, followUps: postingNeeded(posted.job) };
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
    return this.update(transition.heartbeat(job, leaseMs, this.context()));
  }

  async reportProgress(job: Job, value: unknown): Promise<Job> {
    return this.update(transition.progress(job, value, this.context()));
  }

  async consume(job: Job, result: unknown): Promise<Written> {
    const bytes = jsonBytes(result);
    if (bytes > LIMITS.resultBytes) {
      throw new ValidationError(`result is ${bytes} bytes, more than ${LIMITS.resultBytes}`, [{ path: 'result', message: 'too large' }], { jobId: job.id });
    }
    return this.reported('job_consumed', await this.ended(job, transition.consume(job, result, this.context())));
  }

  async abandon(job: Job, error: ErrorInput, retryAt: number): Promise<Written> {
    const ctx = this.context();
    const abandoned = await this.ended(job, transition.abandon(job, error, retryAt, ctx));
    return this.reported('job_abandoned', abandoned, { error, retryInSeconds: Math.ceil((retryAt - ctx.now) / 1_000) });
  }

  async handBack(job: Job): Promise<Written> {
    return this.reported('job_handed_back', await this.ended(job, transition.handBack(job, this.context())), { typeVersion: job.typeVersion });
  }

  async fail(job: Job, error: ErrorInput, deadLetterReason: string, options: { attemptSpent?: boolean } = {}): Promise<Written> {
    const failed = await this.ended(job, transition.fail(job, error, { deadLetterReason, ...options }, this.context()));
    return this.reported('job_failed', failed, { error, reason: deadLetterReason });
  }

  async failUnclaimed(seen: Job, reason: 'exhausted' | 'expired', deadLetterReason?: string): Promise<Written> {
    const failed = finished(await this.update(transition.failUnclaimed(seen, reason, deadLetterReason, this.context())));
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

  async trash(id: string): Promise<Written> {
    return this.reported('job_trashed', finished(await this.update(transition.trash(await this.get(id), this.context()))));
  }

  async retry(id: string): Promise<Written> {
    const retried = await this.update(transition.retry(await this.get(id), this.context()));
    return this.reported('job_retried', { job: retried, followUps: postingNeeded(retried) });
  }

  async suspend(id: string): Promise<Job> {
    return this.reported('job_suspended', await this.update(transition.suspend(await this.get(id), this.context())));
  }

  async resume(id: string): Promise<Written> {
    const seen = await this.get(id);
    const ctx = this.context();
    const resumed = await this.update(transition.resume(seen, postingTime(seen.waitUntil, ctx.now), ctx));
    return this.reported('job_resumed', { job: resumed, followUps: postingNeeded(resumed) });
  }

  async requestStop(id: string, stop: StopRequest): Promise<Job> {
    return this.reported('job_stop_requested', await this.update(transition.requestStop(await this.get(id), stop, this.context())), { stop });
  }

  async stopRun(job: Job, reason: 'cancelled' | 'suspended', error?: ErrorInput): Promise<Written> {
    const stopped = await this.ended(job, transition.stopped(job, reason, this.context(), error));
    return this.reported(reason === 'cancelled' ? 'job_trashed' : 'job_suspended', stopped, { stoppedRun: reason });
  }

  async carryOutStop(seen: Job): Promise<Written> {
    const ctx = this.context();
    if (seen.stopRequested === 'suspend') return this.reported('job_suspended', { job: await this.update(transition.suspend(seen, ctx)), followUps: [] }, { stopRequested: 'suspend' });
    return this.reported('job_trashed', finished(await this.update(transition.trash(seen, ctx))), { stopRequested: seen.stopRequested });
  }

  async markPosted(seen: Job, postedAt: number): Promise<boolean> {
    try {
      this.report('job_reposted', await this.update(transition.markPosted(seen, postedAt, this.context())));
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
   * The owner's ending write. It is followed by dropping the claim's holds (its board slot, its
   * scopes) and, if the job is final, telling its children. A hold not dropped names a claim that
   * has ended, which the next claimant refused for a full semaphore clears.
   */
  private async ended(job: Job, spec: UpdateSpec): Promise<Written> {
    const written = await this.update(spec);
    const owner = job.owner;
    const holds: FollowUp[] = owner === undefined ? [] : (job.holds ?? []).map((key) => ({ kind: 'dropHold', key, holder: { owner, jobId: job.id } }));
    return { job: written, followUps: [...holds, ...childrenToTell(written)] };
  }

  async linkChild(child: Job, parents: ReadonlyMap<string, Job>): Promise<FollowUp[]> {
    return this.links.link(child, parents);
  }

  async repairWaiting(child: Job, parents: ReadonlyMap<string, Job>): Promise<FollowUp[]> {
    return this.links.repair(child, parents);
  }

  async tellChildren(parent: FinishedParent, children: readonly string[]): Promise<FollowUp[]> {
    return this.links.tell(parent, children);
  }

  async dropHold(key: string, holder: Holder): Promise<void> {
    await this.table.write(dropHold(key, holder));
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

  private reported<T extends Job | Written>(name: TransitionName, written: T, detail?: Record<string, unknown>): T {
    this.report(name, 'job' in written ? written.job : written, detail);
    return written;
  }
}

/** A write that may have turned the job final: its children to tell follow it. */
function finished(job: Job): Written {
  return { job, followUps: childrenToTell(job) };
}
