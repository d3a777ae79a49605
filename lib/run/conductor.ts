/**
 * The conductor for one batch of postings: for each, claim the job, run it, write the outcome,
 * and tell the event source which records must come back. What each ending means is decided by
 * pure functions (`decideOutcome`, `decideRefusal`); this class only applies their decisions.
 *
 * A storage error at any step never drops, consumes or fails a job: the record is reported
 * failed and its posting comes back. Only records that are finished (or cannot ever be
 * processed, and went to the DLQ) are reported done.
 */
import { randomBytes } from 'node:crypto';
import { LIMITS, resolveConductorOptions, type ConductorOptions } from '../config.js';
import { ClaimLostError, ClaimRefusedError, InvalidStateError, NotFoundError, isJobboardError } from '../errors.js';
import { EventBus, type PostingEvent } from '../events/events.js';
import type { Job } from '../model.js';
import { decodePosting, type Posting } from '../queue/posting.js';
import { silentLogger } from '../logger.js';
import type { PostingQueue, PostingRecord } from '../queue/posting-queue.js';
import type { JobType, JobTypeRegistry, Logger } from '../registry.js';
import type { JobStore } from '../store/index.js';
import { decideOutcome, decideStart, describeError, type Outcome, type PostingFate } from './outcome.js';
import { decideRefusal, pausedBoardDecision, type RefusalDecision } from './refusal.js';
import { defaultSettings, boardOf, DEFAULT_BOARD } from '../boards/board.js';
import type { BoardSettingsCache } from '../boards/settings-cache.js';
import { scopeRequests, type SemaphoreRequest } from '../store/semaphores.js';
import { runJob } from './run-job.js';
import { Lifecycle } from '../lifecycle/lifecycle.js';
import { PostingSender } from '../queue/posting-sender.js';

export type { PostingRecord };

/** The parts of a Lambda context the conductor reads. */
export interface Invocation {
  awsRequestId: string;
  getRemainingTimeInMillis(): number;
}

export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

export interface ConductorDependencies {
  store: JobStore;
  queue: PostingQueue;
  registry: JobTypeRegistry;
  options?: Partial<ConductorOptions>;
  events?: EventBus;
  logger?: Logger;
  now?: () => number;
  /** In [0, 1): backoff jitter. */
  random?: () => number;
  /** The random part of an owner token (unique per claim). */
  randomToken?: () => string;
  /** Board settings, read at most every few seconds; without it every board runs freely. */
  boards?: Pick<BoardSettingsCache, 'get'>;
  /** Applies what follows each ending write (holds dropped, children told, postings sent); default: over `store` and `queue`. */
  lifecycle?: Lifecycle;
}

/** Mean pause before a posting whose processing hit a storage error comes back. */
const STORAGE_RETRY_SECONDS = 5;

/** A record is done (its message may be deleted) or must come back. */
type Fate = 'done' | 'comeBack';

export class Conductor {
  readonly options: ConductorOptions;
  private readonly store: JobStore;
  private readonly queue: PostingQueue;
  private readonly registry: JobTypeRegistry;
  private readonly events: EventBus;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly randomToken: () => string;
  private readonly boards: Pick<BoardSettingsCache, 'get'> | undefined;
  private readonly lifecycle: Lifecycle;

  constructor(dependencies: ConductorDependencies) {
    this.options = resolveConductorOptions(dependencies.options ?? {});
    this.store = dependencies.store;
    this.queue = dependencies.queue;
    this.registry = dependencies.registry;
    this.events = dependencies.events ?? new EventBus();
    this.logger = dependencies.logger ?? silentLogger;
    this.now = dependencies.now ?? Date.now;
    this.random = dependencies.random ?? Math.random;
    this.randomToken = dependencies.randomToken ?? (() => randomBytes(6).toString('base64url'));
    this.boards = dependencies.boards;
    this.lifecycle = dependencies.lifecycle ?? new Lifecycle({ store: this.store, postings: new PostingSender(this.queue, this.logger, this.now), logger: this.logger });
  }

  /** Processes one batch; the result is Lambda's ReportBatchItemFailures response. */
  async processBatch(records: readonly PostingRecord[], invocation: Invocation): Promise<BatchResponse> {
    const deadline = this.now() + invocation.getRemainingTimeInMillis();
    // The queue hides a received batch for its visibility timeout, at least 6 × the function's
    // timeout (90 minutes for a 15-minute conductor). Hide it only as long as the first lease
    // instead (renewals extend it as a run goes on), so the postings of an invocation that dies
    // come back about when the leases they would find run out. One request per batch; if it
    // fails, the queue's timeout stands and the sweeper's repair still covers a crash.
    if (records.length > 0) await this.queue.returnAllAfter(records, Math.ceil((this.leaseMs(deadline) + this.options.leaseMarginMs) / 1_000)).catch(() => undefined);
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < records.length) {
        const record = records[next++] as PostingRecord;
        const fate = await this.processRecord(record, invocation.awsRequestId, deadline).catch(async (error: unknown) => {
          // Storage trouble: bring the posting back after a short, jittered pause rather than the
          // queue's visibility timeout (6 × the function timeout). If the job was claimed, the
          // early posting finds the lease live and waits for it; if SQS fails too, the timeout stands.
          const retryInSeconds = Math.ceil(STORAGE_RETRY_SECONDS * (0.5 + this.random()));
          await this.queue.returnAfter(record, retryInSeconds).catch(() => undefined);
          this.report({ kind: 'posting', name: 'record_failed', detail: { messageId: record.messageId, error: describeError(error), retryInSeconds } });
          return 'comeBack' as const;
        });
        if (fate === 'comeBack') failures.push(record.messageId);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.recordConcurrency, records.length) }, worker));
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  }

  private async processRecord(record: PostingRecord, requestId: string, deadline: number): Promise<Fate> {
    if (deadline - this.now() < this.options.minRemainingToStartMs) {
      // Not started: make it visible again at once rather than after the queue's visibility timeout.
      this.report({ kind: 'posting', name: 'posting_deferred', detail: { messageId: record.messageId, reason: 'invocation deadline near' } });
      return this.settle(record, { action: 'returnAfter', delaySeconds: 0 });
    }
    const decoded = decodePosting(record.body);
    if ('malformed' in decoded) return this.settle(record, { action: 'deadLetter', reason: `malformed posting: ${decoded.malformed}` });
    const claimed = await this.claimPosting(record, decoded.posting, requestId, deadline);
    if (typeof claimed === 'string') return claimed;
    const job = claimed;
    const type = this.registry.get(job.type);
    const start = decideStart(job, type);
    switch (start.action) {
      case 'failUnknownType': {
        const failed = await this.lifecycle.settle(await this.store.fail(job, start.error, start.posting.reason, { attemptSpent: false }));
        return this.settle(record, start.posting, failed);
      }
      case 'handBack':
        await this.lifecycle.settle(await this.store.handBack(job));
        return this.settle(record, start.posting);
      case 'run':
        return this.run(record, job, type as JobType, deadline);
    }
  }

  /**
   * Claims the posting's job under its board's settings (a paused board starts nothing) and with
   * its semaphores, or settles the posting when the claim is refused. A posting that names the
   * wrong board (an injected or hand-made one) is refused by the claim's condition and claimed
   * again under the job's own board.
   */
  private async claimPosting(record: PostingRecord, posting: Posting, requestId: string, deadline: number): Promise<Job | Fate> {
    let board = posting.board ?? DEFAULT_BOARD;
    for (let round = 0; ; round++) {
      const settings = this.boards === undefined ? defaultSettings(board) : await this.boards.get(board);
      if (settings.paused) {
        const receives = Number(record.attributes?.ApproximateReceiveCount ?? 1);
        const decision = pausedBoardDecision(receives);
        this.report({ kind: 'posting', name: decision.action === 'delete' ? 'posting_dropped' : 'posting_deferred', jobId: posting.id, detail: { reason: `board ${board} is paused`, receives } });
        return this.settle(record, decision);
      }
      const semaphores: SemaphoreRequest[] = [...(settings.maxRunning === null ? [] : [{ kind: 'board' as const, board }]), ...scopeRequests(posting.scopes)];
      try {
        return await this.store.claim(posting.id, { owner: `${requestId}:${this.randomToken()}`, leaseMs: this.leaseMs(deadline), board }, { semaphores });
      } catch (error) {
        if (!isJobboardError(error, ClaimRefusedError)) throw error;
        if (error.reason === 'otherBoard' && error.job !== undefined && round === 0) {
          board = boardOf(error.job);
          continue;
        }
        return this.applyRefusal(record, error, decideRefusal(error));
      }
    }
  }

  /** Runs a claimed job and applies the outcome. */
  private async run(record: PostingRecord, claimed: Job, type: JobType, deadline: number): Promise<Fate> {
    const started = this.now();
    let job = claimed;
    const result = await runJob(type, job, {
      jobTimeoutMs: claimed.timeoutSeconds * 1_000,
      deadlineMs: Math.max(0, deadline - started - this.options.deadlineReserveMs),
      // Renew well before the lease runs out, so a live run is never taken over.
      renewEveryMs: Math.max(250, Math.floor(this.leaseMs(deadline) / 2)),
      renew: async () => {
        job = await this.store.heartbeat(job, this.leaseMs(deadline));
        await this.queue.returnAfter(record, Math.ceil((this.leaseMs(deadline) + this.options.leaseMarginMs) / 1_000));
        return job;
      },
      stopRequested: (fresh) => (fresh.stopRequested === 'cancel' ? 'cancelled' : fresh.stopRequested === 'suspend' ? 'suspended' : undefined),
      reportProgress: async (value) => {
        job = await this.store.reportProgress(job, value);
      },
      logger: this.logger,
      now: this.now,
    });
    const outcome = decideOutcome(job, result, { now: this.now(), random: this.random, backoff: type.defaults.backoff });
    try {
      const written = await this.applyOutcome(job, outcome);
      if (outcome.transition === 'none') this.report({ kind: 'posting', name: 'claim_lost', jobId: job.id, type: job.type, attempt: job.attempts, detail: { owner: job.owner, during: 'renewal' } });
      return await this.settle(record, outcome.posting, written);
    } catch (error) {
      if (!isJobboardError(error, ClaimLostError)) throw error;
      // Someone else owns the job now; their posting carries it on. Ours is spent.
      this.report({ kind: 'posting', name: 'claim_lost', jobId: job.id, type: job.type, attempt: job.attempts, detail: { owner: job.owner, error: error.message } });
      return 'done';
    }
  }

  /** Writes the transition an outcome names; returns the job as written (undefined: nothing written). */
  private async applyOutcome(job: Job, outcome: Outcome): Promise<Job | undefined> {
    switch (outcome.transition) {
      case 'consume':
        return this.lifecycle.settle(await this.store.consume(job, outcome.result));
      case 'abandon':
        return this.lifecycle.settle(await this.store.abandon(job, outcome.error, outcome.retryAt));
      case 'fail':
        return this.lifecycle.settle(await this.store.fail(job, outcome.error, outcome.posting.reason));
      case 'stop':
        return this.lifecycle.settle(await this.store.stopRun(job, outcome.reason, outcome.error));
      case 'none':
        return undefined;
    }
  }

  /** Applies a refused claim's decision: an optional transition, then the posting's fate. */
  private async applyRefusal(record: PostingRecord, refusal: ClaimRefusedError, decision: RefusalDecision): Promise<Fate> {
    switch (decision.action) {
      case 'drop': {
        this.report({ kind: 'posting', name: 'posting_dropped', jobId: refusal.jobId, detail: { reason: refusal.reason, state: refusal.state, why: decision.why } });
        return this.settle(record, { action: 'delete' });
      }
      case 'forwardFailed':
        return this.settle(record, { action: 'deadLetter', reason: decision.job.deadLetterReason ?? 'failed' }, decision.job);
      case 'returnAfter':
        return this.settle(record, { action: 'returnAfter', delaySeconds: decision.delaySeconds });
      case 'carryOutStop':
        return this.carryOutStop(record, decision.job);
      case 'failUnclaimed': {
        let failed: Job;
        try {
          failed = await this.lifecycle.settle(await this.store.failUnclaimed(decision.job, decision.reason, decision.deadLetterReason));
        } catch (error) {
          // Gone meanwhile: nothing left to fail. Moved on (claimed, retried, failed by the sweeper): look again soon.
          if (isJobboardError(error, NotFoundError)) return this.settle(record, { action: 'delete' });
          if (isJobboardError(error, InvalidStateError)) return this.settle(record, { action: 'returnAfter', delaySeconds: 1 });
          throw error;
        }
        return this.settle(record, { action: 'deadLetter', reason: decision.deadLetterReason }, failed);
      }
    }
  }

  /** Carries out a stop whose requester found nobody running the job; the posting is spent either way. */
  private async carryOutStop(record: PostingRecord, seen: Job): Promise<Fate> {
    try {
      await this.lifecycle.settle(await this.store.carryOutStop(seen));
    } catch (error) {
      // Moved on meanwhile (resumed, retried, stopped by another conductor or the sweeper): look again soon.
      if (isJobboardError(error, InvalidStateError)) return this.settle(record, { action: 'returnAfter', delaySeconds: 1 });
      if (!isJobboardError(error, NotFoundError)) throw error;
    }
    return this.settle(record, { action: 'delete' });
  }

  /**
   * Carries out a posting's fate. A dead-letter copy of a failed job is followed by clearing the
   * job's `deadLetterReason`; if either step fails, the error brings the posting back, and the
   * redelivery finds the reason still set and tries again: the copy may arrive twice, never not at all.
   */
  private async settle(record: PostingRecord, fate: PostingFate, job?: Job): Promise<Fate> {
    switch (fate.action) {
      case 'delete':
        return 'done';
      case 'returnAfter':
        await this.queue.returnAfter(record, Math.min(LIMITS.sqsMaxVisibilitySeconds, fate.delaySeconds));
        return 'comeBack';
      case 'deadLetter':
        await this.queue.deadLetter(record.body, fate.reason, job?.type);
        this.report({ kind: 'posting', name: 'posting_deadlettered', jobId: job?.id, type: job?.type, attempt: job?.attempts, detail: { reason: fate.reason } });
        if (job?.deadLetterReason !== undefined) await this.store.deadLettered(job);
        return 'done';
    }
  }

  /** Initial lease: the conductor's lease length bounded by the invocation's time left. */
  private leaseMs(deadline: number): number {
    const left = deadline - this.now() - this.options.deadlineReserveMs;
    return Math.max(1_000, Math.min(this.options.leaseMs, left)) + this.options.leaseMarginMs;
  }

  private report(event: PostingEvent): void {
    this.events.emit(event);
  }
}
