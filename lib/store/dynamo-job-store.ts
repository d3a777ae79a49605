/**
 * The job store on DynamoDB: each method sends the spec of its transition (`transitions.ts`)
 * through the writer and reports the transition to the event bus. Only `lib/store/` imports the
 * DynamoDB client.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { LIMITS, resolveStoreOptions, type StoreOptions } from '../config.js';
import { ClaimRefusedError, InvalidStateError, NotFoundError, ValidationError, isJobboardError } from '../errors.js';
import { EventBus, type TransitionEvent, type TransitionName } from '../events/events.js';
import type { ErrorInput, Job, StopRequest } from '../model.js';
import { jsonBytes } from '../model.js';
import { postingTime } from '../new-job.js';
import { JobState, isFinal } from '../states.js';
import { TABLE } from '../table.js';
import { IndexJobCounts, type CountByState, type JobCounts } from './counting.js';
import { IndexReader } from './index-reader.js';
import { jobFromItem } from './item-codec.js';
import type { BoardDirectory } from '../boards/board.js';
import { releaseSlot } from './board-items.js';
import { DynamoBoardDirectory } from './dynamo-board-directory.js';
import { allShards, boardOf, jobKey, openShardKey, timeSortPrefix } from './keys.js';
import type { ClaimOptions, JobStore, OpenJobsPage } from './job-store.js';
import { claimWithSlot, type SlotClaimDependencies } from './slot-claims.js';
import { JobListing, type ListPage, type ListQuery } from './listing.js';
import { JobExistsError, leaseExpired } from './refusals.js';
import * as transition from './transitions.js';
import { ItemWriter, toStorageError } from './writer.js';
import type { UpdateSpec } from './write-spec.js';

export interface DynamoJobStoreDependencies {
  /** Epoch ms. */
  now?: () => number;
  /** Where transition events go (the log observer, metrics, …). */
  events?: EventBus;
  /** Counts per state; default: counted on the indexes. */
  counts?: JobCounts;
  /** Board names and settings; default: kept in the same table. */
  boards?: BoardDirectory;
}

export class DynamoJobStore implements JobStore {
  readonly options: StoreOptions;
  readonly boards: BoardDirectory;
  private readonly now: () => number;
  private readonly events: EventBus;
  private readonly writer: ItemWriter;
  private readonly reader: IndexReader;
  private readonly listing: JobListing;
  private readonly counts: JobCounts;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    options: Partial<StoreOptions> & { tableName: string },
    dependencies: DynamoJobStoreDependencies = {},
  ) {
    this.options = resolveStoreOptions(options);
    this.now = dependencies.now ?? Date.now;
    this.events = dependencies.events ?? new EventBus();
    this.writer = new ItemWriter(client, this.options.tableName);
    this.boards = dependencies.boards ?? new DynamoBoardDirectory(client, this.options.tableName, this.now);
    this.reader = new IndexReader(client, this.options.tableName);
    this.listing = new JobListing(this.reader, this.options);
    this.counts = dependencies.counts ?? new IndexJobCounts(this.reader, this.now);
  }

  async post(job: Job): Promise<{ job: Job; created: boolean }> {
    // The board is registered before any of its jobs is written, so a listing of boards never misses one.
    await this.boards.register(boardOf(job));
    try {
      await this.writer.write(transition.post(job));
      this.report('job_posted', job);
      return { job, created: true };
    } catch (error) {
      if (!(error instanceof JobExistsError)) throw error;
      if (error.existing.requestHash === job.requestHash) return { job: error.existing, created: false };
      throw error;
    }
  }

  async get(id: string): Promise<Job> {
    try {
      const { Item } = await this.client.send(new GetCommand({ TableName: this.options.tableName, Key: { [TABLE.partitionKey]: jobKey(id) }, ConsistentRead: true }));
      if (Item === undefined) throw new NotFoundError(id);
      return jobFromItem(Item);
    } catch (error) {
      if (error instanceof NotFoundError) throw error;
      throw toStorageError(error, 'get', jobKey(id));
    }
  }

  async findOwner(id: string): Promise<string | null> {
    const job = await this.get(id);
    // The same instant as the claim's: a lease is live until leaseExpiresAt + clockSkewMs, and only after it can another claim take over.
    return job.state === JobState.claimed && !leaseExpired(job, this.now(), this.options.clockSkewMs) ? (job.owner ?? null) : null;
  }

  async claim(id: string, request: transition.ClaimRequest, options: ClaimOptions = {}): Promise<Job> {
    const ctx = this.context();
    const write = (spec: UpdateSpec) =>
      options.slotBoard === undefined ? this.update(spec) : claimWithSlot(this.slotDependencies(), spec, id, request.owner, options.slotBoard);
    try {
      return this.reported('job_claimed', await write(transition.claim(id, request, ctx)), { leaseMs: request.leaseMs });
    } catch (error) {
      // The common path is one write from `posted`. A claim whose lease ran out is taken over with
      // a second write, conditioned on the version the refusal showed (the rare path: a dead owner).
      const seen = isJobboardError(error, ClaimRefusedError) && error.reason !== 'boardBusy' ? error.job : undefined;
      if (seen === undefined || !leaseExpired(seen, ctx.now, ctx.clockSkewMs) || seen.attempts >= seen.maxAttempts || seen.stopRequested !== undefined) throw error;
      const job = await write(transition.takeOver(seen, request, ctx));
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
    const failed = await this.update(transition.failUnclaimed(seen, reason, deadLetterReason, this.context()));
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
    return this.reported('job_trashed', await this.update(transition.trash(await this.get(id), this.context())));
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
    return this.reported('job_trashed', await this.update(transition.trash(seen, ctx)), { stopRequested: seen.stopRequested });
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

  async list(query: ListQuery = {}): Promise<ListPage> {
    return this.listing.list(query, await this.boardsOf(query.board));
  }

  async count(board?: string): Promise<CountByState> {
    return this.counts.count(await this.boardsOf(board));
  }

  /** The board asked for, or every board. */
  private async boardsOf(board: string | undefined): Promise<string[]> {
    return board === undefined ? this.boards.names() : [board];
  }

  async openPartitions(): Promise<string[]> {
    const boards = await this.boards.names();
    return boards.flatMap((board) => allShards().map((shard) => openShardKey(shard, board)));
  }

  async openJobsPage(partition: string, after: string | null, createdBefore: number, maxRead: number): Promise<OpenJobsPage> {
    // `to` is inclusive; one millisecond earlier keeps "before" strict.
    const page = await this.reader.page(TABLE.openIndex, partition, { after, to: `${timeSortPrefix(createdBefore - 1)}$`, maxRead });
    const jobs = await this.reader.jobs(page.entries.map((entry) => entry.pk));
    return { jobs: [...jobs.values()].filter((job) => !isFinal(job.state)), next: page.lastRead };
  }

  private async update(spec: UpdateSpec): Promise<Job> {
    return jobFromItem(await this.writer.write(spec));
  }

  /**
   * The owner's ending write, then its board slot's release. The release may fail (or the process
   * die before it): the slot then names a claim that has ended, and the next claimant refused for
   * a full board clears it.
   */
  private async ended(job: Job, spec: UpdateSpec): Promise<Job> {
    const written = await this.update(spec);
    if (job.holdsSlot === true && job.owner !== undefined) await this.writer.write(releaseSlot(boardOf(job), job.owner)).catch(() => undefined);
    return written;
  }

  private slotDependencies(): SlotClaimDependencies {
    return { writer: this.writer, reader: this.reader, get: (id) => this.get(id), now: this.now, clockSkewMs: this.options.clockSkewMs };
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
