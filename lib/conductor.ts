/**
 * The conductor for one SQS batch: for each posting, claim the job, run it, then consume,
 * abandon or fail it, and tell the event source which records must come back.
 *
 * A storage error at any step never drops, consumes or fails a job: the record is reported
 * failed and its posting comes back. Only records that are finished (or cannot ever be
 * processed, and went to the DLQ) are reported done.
 */
import { randomBytes } from 'node:crypto';
import { ChangeMessageVisibilityCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { LIMITS, resolveConductorOptions, type ConductorOptions } from './config.js';
import { ClaimLostError, ClaimRefusedError, isJobboardError } from './errors.js';
import { silentLogger } from './logger.js';
import type { Job } from './model.js';
import { decideOutcome, describeError, type Outcome } from './outcome.js';
import { decodePosting } from './postings.js';
import type { JobType, JobTypeRegistry, Logger } from './registry.js';
import { runJob } from './run-job.js';
import type { JobStore } from './store/index.js';

/** The parts of an SQS event record the conductor reads. */
export interface PostingRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
}

/** The parts of a Lambda context the conductor reads. */
export interface Invocation {
  awsRequestId: string;
  getRemainingTimeInMillis(): number;
}

export interface BatchResult {
  batchItemFailures: { itemIdentifier: string }[];
}

export interface ConductorDependencies {
  store: JobStore;
  sqs: SQSClient;
  registry: JobTypeRegistry;
  options: Partial<ConductorOptions> & Pick<ConductorOptions, 'queueUrl' | 'deadLetterQueueUrl'>;
  logger?: Logger;
  now?: () => number;
  random?: () => number;
}

/** Mean pause before a posting whose processing hit a storage error comes back. */
const STORAGE_RETRY_SECONDS = 5;

/** A record is done (its message may be deleted) or must come back. */
type Fate = 'done' | 'comeBack';

export class Conductor {
  readonly options: ConductorOptions;
  private readonly store: JobStore;
  private readonly sqs: SQSClient;
  private readonly registry: JobTypeRegistry;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(dependencies: ConductorDependencies) {
    this.options = resolveConductorOptions(dependencies.options);
    this.store = dependencies.store;
    this.sqs = dependencies.sqs;
    this.registry = dependencies.registry;
    this.logger = dependencies.logger ?? silentLogger;
    this.now = dependencies.now ?? Date.now;
    this.random = dependencies.random ?? Math.random;
  }

  /** Processes one batch; the result is Lambda's ReportBatchItemFailures response. */
  async processBatch(records: readonly PostingRecord[], invocation: Invocation): Promise<BatchResult> {
    const deadline = this.now() + invocation.getRemainingTimeInMillis();
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
          await this.returnAfter(record, retryInSeconds).catch(() => undefined);
          this.logger.error('record_failed', { messageId: record.messageId, error: describeError(error), retryInSeconds });
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
      await this.returnAfter(record, 0);
      this.logger.info('posting_deferred', { messageId: record.messageId, reason: 'invocation deadline near' });
      return 'comeBack';
    }
    const decoded = decodePosting(record.body);
    if ('malformed' in decoded) {
      await this.deadLetter(record.body, `malformed posting: ${decoded.malformed}`);
      return 'done';
    }
    const id = decoded.posting.id;
    const owner = `${requestId}:${randomBytes(6).toString('base64url')}`;
    const leaseMs = this.leaseMs(deadline);
    let job: Job;
    try {
      job = await this.store.claim(id, { owner, leaseMs });
    } catch (error) {
      if (isJobboardError(error, ClaimRefusedError)) return this.refused(record, id, error);
      throw error;
    }
    this.logger.info('job_claimed', { jobId: id, type: job.type, attempt: job.attempts, owner, leaseMs });

    const type = this.registry.get(job.type);
    if (type === undefined) {
      await this.store.release(job);
      await this.deadLetter(record.body, `job type ${job.type} is unknown to this deployment`, job);
      return 'done';
    }
    if (job.typeVersion > type.version) {
      // Posted by newer code: hand it back unspent and let a newer conductor take it.
      await this.store.release(job);
      this.logger.warn('job_released', { jobId: id, type: job.type, typeVersion: job.typeVersion, knownVersion: type.version });
      await this.returnAfter(record, 30);
      return 'comeBack';
    }
    return this.run(record, job, type, deadline);
  }

  /** Runs a claimed job and applies the outcome. */
  private async run(record: PostingRecord, claimed: Job, type: JobType, deadline: number): Promise<Fate> {
    const started = this.now();
    const runLimitMs = Math.max(0, Math.min(claimed.timeoutSeconds * 1_000, deadline - started - this.options.deadlineReserveMs));
    let job = claimed;
    const renew = async () => {
      job = await this.store.heartbeat(job, this.leaseMs(deadline));
      await this.returnAfter(record, Math.ceil((this.leaseMs(deadline) + this.options.leaseMarginMs) / 1_000));
    };
    const run = await runJob(type, job, {
      runLimitMs,
      // Renew well before the lease runs out, so a live run is never taken over.
      renewEveryMs: Math.max(250, Math.floor(this.leaseMs(deadline) / 2)),
      renew,
      logger: this.logger,
    });
    const outcome = decideOutcome(job, run, { now: this.now(), random: this.random, backoff: type.defaults.backoff });
    try {
      return await this.apply(record, job, outcome, this.now() - started);
    } catch (error) {
      if (!isJobboardError(error, ClaimLostError)) throw error;
      // Someone else owns the job now; their posting carries it on. Ours is spent.
      this.logger.warn('claim_lost', { jobId: job.id, type: job.type, attempt: job.attempts, owner: job.owner, error: error.message });
      return 'done';
    }
  }

  private async apply(record: PostingRecord, job: Job, outcome: Outcome, durationMs: number): Promise<Fate> {
    const fields = { jobId: job.id, type: job.type, attempt: job.attempts, owner: job.owner, durationMs };
    switch (outcome.transition) {
      case 'consume':
        await this.store.consume(job, outcome.result);
        this.logger.info('job_consumed', fields);
        return 'done';
      case 'abandon':
        await this.store.abandon(job, outcome.error, outcome.retryAt);
        this.logger.info('job_abandoned', { ...fields, error: outcome.error, retryInSeconds: outcome.posting.delaySeconds });
        await this.returnAfter(record, outcome.posting.delaySeconds);
        return 'comeBack';
      case 'fail': {
        const failed = await this.store.fail(job, outcome.error, outcome.posting.reason);
        this.logger.info('job_failed', { ...fields, error: outcome.error, reason: outcome.posting.reason });
        await this.forwardFailed(record.body, failed);
        return 'done';
      }
    }
  }

  /** A refused claim, handled as DESIGN.md's table says. */
  private async refused(record: PostingRecord, id: string, refusal: ClaimRefusedError): Promise<Fate> {
    const fields = { jobId: id, reason: refusal.reason, state: refusal.state };
    switch (refusal.reason) {
      case 'final':
        if (refusal.job?.deadLetterReason !== undefined) {
          // Failed, but the copy for the DLQ never went out (a crash or an SQS error right after
          // the failing write): this redelivered posting takes it there.
          await this.forwardFailed(record.body, refusal.job);
          return 'done';
        }
        this.logger.info('posting_dropped', fields);
        return 'done';
      case 'missing':
        this.logger.info('posting_dropped', fields);
        return 'done';
      case 'leased':
        await this.returnAfter(record, Math.ceil((refusal.retryAfterMs ?? 1_000) / 1_000));
        return 'comeBack';
      case 'notDue': {
        const dueInSeconds = Math.ceil((refusal.retryAfterMs ?? 0) / 1_000);
        if (dueInSeconds > LIMITS.sqsMaxVisibilitySeconds) {
          // Too far off for this message; the sweeper posts the job when it falls due.
          this.logger.info('posting_dropped', { ...fields, dueInSeconds });
          return 'done';
        }
        await this.returnAfter(record, dueInSeconds);
        return 'comeBack';
      }
      case 'exhausted':
      case 'expired': {
        if (refusal.job === undefined) return 'comeBack';
        const reason = refusal.reason === 'exhausted' ? 'attempts exhausted' : 'dispatchBy passed before the job started';
        const failed = await this.store.failUnclaimed(refusal.job, refusal.reason, reason).catch((error: unknown) => {
          if (isJobboardError(error, ClaimRefusedError) || (error instanceof Error && error.name === 'InvalidStateError')) return undefined;
          throw error;
        });
        if (failed === undefined) return 'comeBack';
        this.logger.info('job_failed', { jobId: id, type: failed.type, attempt: failed.attempts, reason: refusal.reason });
        await this.forwardFailed(record.body, failed);
        return 'done';
      }
    }
  }

  /** Initial lease: the conductor's lease length bounded by the invocation's time left. */
  private leaseMs(deadline: number): number {
    const left = deadline - this.now() - this.options.deadlineReserveMs;
    return Math.max(1_000, Math.min(this.options.leaseMs, left)) + this.options.leaseMarginMs;
  }

  private async returnAfter(record: PostingRecord, seconds: number): Promise<void> {
    const visibility = Math.max(0, Math.min(LIMITS.sqsMaxVisibilitySeconds, Math.ceil(seconds)));
    await this.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: this.options.queueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: visibility }));
  }

  /**
   * Sends a failed job's posting to the DLQ, then clears the job's `deadLetterReason`. If either
   * step fails, the error brings the posting back, and the redelivery finds the reason still set
   * and tries again: the copy may arrive twice, but never not at all.
   */
  private async forwardFailed(body: string, failed: Job): Promise<void> {
    await this.deadLetter(body, failed.deadLetterReason ?? 'failed', failed);
    await this.store.deadLettered(failed);
  }

  private async deadLetter(body: string, reason: string, job?: Job): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.options.deadLetterQueueUrl,
        MessageBody: body,
        MessageAttributes: {
          reason: { DataType: 'String', StringValue: reason },
          ...(job === undefined ? {} : { jobType: { DataType: 'String', StringValue: job.type } }),
        },
      }),
    );
    this.logger.warn('posting_deadlettered', { jobId: job?.id, type: job?.type, attempt: job?.attempts, reason });
  }
}
