/**
 * The job store's interface: every change to a job's state is one method, and each method is one
 * conditional write (see `transitions.ts` for who may write when). A write whose effects go on
 * after it commits (holds to drop, children to tell, postings to send) answers them as data
 * (`Written`, `follow-ups.ts`); the lifecycle (`lib/lifecycle/`) applies them. Consumers (the
 * conductor, the job service, maintenance) type against this interface; `TableJobStore`
 * implements it on the table port, and `test/support/store-conformance.ts` holds the suite it
 * must pass on DynamoDB and in memory.
 *
 * Ownership: a claim sets `owner` to a token unique to that claim and `leaseExpiresAt`. Until the
 * lease (plus clock skew) has passed, no other claim can succeed. After it, a new claim may take
 * over; from then on every write conditioned on the old token is refused with `ClaimLostError`.
 * An owner whose lease ran out but whom nobody replaced may still finish: the token, not the
 * clock, decides ownership, so no two owners can ever both write.
 */
import type { BoardDirectory } from '../boards/board.js';
import type { StoreOptions } from '../config.js';
import type { ErrorInput, Job, StopRequest } from '../model.js';
import type { ListPage, JobListQuery } from './listing.js';
import type { SemaphoreRequest } from './semaphores.js';
import type { ClaimRequest } from './transitions.js';
import type { FinishedParent, FollowUp, Written } from './follow-ups.js';
import type { Holder } from './semaphores.js';
import type { CountByState } from '../states.js';

/** A page of open jobs from one shard, for maintenance scans. */
export interface OpenJobsPage {
  jobs: Job[];
  /** Where the shard's next page starts; null when the shard is done. */
  next: string | null;
}

export interface ClaimOptions {
  /**
   * Semaphores to take in the claim's transaction: the board's `maxRunning` slot (when the board
   * has a limit) and the job's scopes (the posting says them; if it does not, the store learns
   * them from the refused claim and claims again).
   */
  semaphores?: readonly SemaphoreRequest[];
}

export interface JobStore {
  readonly options: StoreOptions;
  /** Board names and settings, kept beside the jobs. */
  readonly boards: BoardDirectory;

  /**
   * Writes a new job built by the caller (`posted`, or `waiting` on parents). A repeated id with
   * the same `requestHash` returns the existing job (`created: false`); with another, a
   * `ConflictError`. A new posted job's posting follows.
   */
  post(job: Job): Promise<Written & { created: boolean }>;
  /** The job, read consistently; `NotFoundError` if there is none. */
  get(id: string): Promise<Job>;
  /**
   * The owner token of a live claim, or null when nobody holds the job. The instant that counts is
   * the claim's: a lease is live until `leaseExpiresAt + clockSkewMs`, so `findOwner` names the
   * owner exactly as long as `claim` refuses to take over.
   */
  findOwner(id: string): Promise<string | null>;

  /**
   * Makes `owner` the job's owner and counts an attempt: from `posted` when due, or taking over a
   * claim whose lease (plus clock skew) has run out, recording the lost attempt. Refusal:
   * `ClaimRefusedError` with the reason and the job as it stood.
   */
  claim(id: string, request: ClaimRequest, options?: ClaimOptions): Promise<Job>;
  /** Extends the owner's lease to `now + leaseMs`; returns the job as it now stands. */
  heartbeat(job: Job, leaseMs: number): Promise<Job>;
  /** The owner records the running attempt's progress (a number 0–100 or a small object). */
  reportProgress(job: Job, progress: unknown): Promise<Job>;
  /** The owner records success: `completed`, final. A result over the limit is a `ValidationError`. */
  consume(job: Job, result: unknown): Promise<Written>;
  /** The owner gives the job back after a retryable failure; claimable again at `retryAt`. */
  abandon(job: Job, error: ErrorInput, retryAt: number): Promise<Written>;
  /** The owner hands the job back without spending the attempt (its type is newer than this code). */
  handBack(job: Job): Promise<Written>;
  /**
   * The owner records a permanent failure, or the last attempt's: `failed`, final. The job keeps
   * `deadLetterReason` until `deadLettered` records that its posting's copy is in the DLQ.
   * `attemptSpent: false` gives the attempt back (the job never ran here).
   */
  fail(job: Job, error: ErrorInput, deadLetterReason: string, options?: { attemptSpent?: boolean }): Promise<Written>;
  /** Fails a job nobody owns (attempts used up, or `dispatchBy` passed unstarted). */
  failUnclaimed(seen: Job, reason: 'exhausted' | 'expired', deadLetterReason?: string): Promise<Written>;
  /** Records that a failed job's dead-letter copy is sent. Done already is not an error. */
  deadLettered(job: Job): Promise<void>;

  /**
   * An operator removes a job that is not running: `posted`, `waiting`, `suspended`, or `claimed`
   * with an expired lease. A job claimed under a live lease is an `InvalidStateError` with state
   * `claimed`: ask its run to stop with `requestStop` instead.
   */
  trash(id: string): Promise<Written>;
  /** An operator sets a `posted` or `waiting` job (or one claimed under an expired lease) aside: `suspended`. */
  suspend(id: string): Promise<Job>;
  /** An operator puts a `suspended` job back to `posted` (its posting follows), or `waiting` while parents are unfinished. */
  resume(id: string): Promise<Written>;
  /**
   * An operator asks the attempt running under a live lease to stop (`cancel` or `suspend`). The
   * job shows `stopRequested`; the owner's next renewal aborts the run, which then ends through
   * `stopRun`. If the owner dies, the stop is carried out (`carryOutStop`) once its lease runs out.
   */
  requestStop(id: string, stop: StopRequest): Promise<Job>;
  /**
   * The owner ends a run stopped on request: `trashed` (cancelled) or `suspended` (the attempt
   * given back). `error`: what the job said when it suspended itself, kept in its history.
   */
  stopRun(job: Job, reason: 'cancelled' | 'suspended', error?: ErrorInput): Promise<Written>;
  /** Carries out the stop requested of a job nobody runs (`seen` as a refused claim returned it). */
  carryOutStop(seen: Job): Promise<Written>;
  /** An operator puts a `failed` or `trashed` job back to `posted` with a fresh attempt budget; its posting follows. */
  retry(id: string): Promise<Written>;
  /** Records a new posting for `seen`, unless the job changed since it was read. False when it had. */
  markPosted(seen: Job, postedAt: number): Promise<boolean>;

  /** Jobs in order, filtered, one bounded page at a time. */
  list(query?: JobListQuery): Promise<ListPage>;
  /** How many jobs are in each state, on one board or on all. */
  count(board?: string): Promise<CountByState>;
  /** The jobs of these ids that exist. */
  getMany(ids: readonly string[]): Promise<Map<string, Job>>;
  /** After a child's post: its unfinished parents learn of it; parents final already are to be told to it. */
  linkChild(child: Job, parents: ReadonlyMap<string, Job>): Promise<FollowUp[]>;
  /** Maintenance: re-tells a `waiting` child about its parents (`parents` as read now), in case a crash lost the news. */
  repairWaiting(child: Job, parents: ReadonlyMap<string, Job>): Promise<FollowUp[]>;
  /** Tells children that their parent is final: each drops it, fails with it, or is released. */
  tellChildren(parent: FinishedParent, children: readonly string[]): Promise<FollowUp[]>;
  /** Frees a semaphore (a board slot, a scope) held by an ended claim. */
  dropHold(key: string, holder: Holder): Promise<void>;
  /** Every open-index partition (each board's shards), in a stable order, for maintenance scans. */
  openPartitions(): Promise<string[]>;
  /** Open jobs of one open-index partition created before `createdBefore`, oldest first, from `after` on. */
  openJobsPage(partition: string, after: string | null, createdBefore: number, maxRead: number): Promise<OpenJobsPage>;
}
