/**
 * Every job transition as a pure spec: one named constructor per transition, each returning the
 * one conditional write that makes it (River's style: the SQL of each state change in one place).
 * Nothing here does I/O; `job-store.ts` sends these through the writer.
 *
 * Who may write when (the conditions below enforce it):
 * - post: anyone, once per id (`attribute_not_exists`).
 * - claim: anyone, while `posted`, due, not past `dispatchBy` unstarted, with attempts left.
 * - takeOver: anyone, once the claimed job's lease (plus clock skew) has run out — conditioned on
 *   the exact `version` seen, so of two conductors taking over the same dead claim only one wins.
 * - heartbeat, consume, abandon, handBack, fail: only the owner, i.e. while `state = claimed AND
 *   owner = <token of this claim>`. A token is unique per claim, so after a takeover every write
 *   of the old claim is refused, whatever the clocks say.
 * - failUnclaimed: the conductor or the sweeper, when attempts are spent and nobody holds a live
 *   lease, or `dispatchBy` passed unstarted.
 * - operator transitions (trash, retry, suspend, resume, stop requests) and the owner's ending of
 *   a stopped run: see `operator-transitions.ts`.
 * - markPosted: the sweeper, conditioned on the `version` it read, so a claim (or anything else)
 *   landing between its read and this write makes it stand down instead of posting a duplicate.
 */
import { LIMITS } from '../config.js';
import type { ErrorInput, Job, JobErrorRecord } from '../model.js';
import { appendError } from '../model.js';
import { JobState } from '../states.js';
import { TABLE, jobKey } from '../table.js';
import { claimRefusal } from './claim-refusal.js';
import { newJobItem } from './item-codec.js';
import { jobRefusal, stateRefusal } from './refusals.js';

export * from './operator-transitions.js';
import { checkClaimRequest, finalAttributes, finish, ownedBy, withAttempt, withError } from './transition-parts.js';
import type { PutSpec, UpdateSpec } from './write-spec.js';

export { OWNER_MAX_LENGTH } from './transition-parts.js';
import { DEFAULT_BOARD } from '../boards/board.js';
import { JobExistsError } from './errors.js';

/** What every transition needs besides the job: the time, and two store options. */
export interface TransitionContext {
  /** Epoch ms. */
  now: number;
  /** A lease counts as expired only this long after its end. */
  clockSkewMs: number;
  /** Finished jobs are kept this long (TTL). */
  retentionDays: number;
}

/** A new claim: who, and for how long. */
export interface ClaimRequest {
  owner: string;
  leaseMs: number;
  /** How many scopes the claim acquires with it (its transaction's scope locks); must equal the job's. */
  scopesHeld?: number;
  /** The board whose settings the claimant checked (the posting's); the claim holds only for a job of that board. */
  board?: string;
}

/** The claim's board check: the settings the claimant applied must be the job's board's. */
function boardCondition(board: string | undefined): string {
  if (board === undefined) return '';
  // The default board is not stored on the job.
  return board === DEFAULT_BOARD ? ' AND (attribute_not_exists(#board) OR #board = :board)' : ' AND #board = :board';
}

export function post(job: Job): PutSpec {
  return {
    kind: 'put',
    operation: 'post',
    key: jobKey(job.id),
    item: newJobItem(job),
    condition: 'attribute_not_exists(#pk)',
    refused: jobRefusal((current) => (current === undefined ? new Error(`post of ${job.id} refused, yet no item exists`) : new JobExistsError(current))),
  };
}

export function claim(id: string, request: ClaimRequest, ctx: TransitionContext): UpdateSpec {
  checkClaimRequest(request);
  const { now } = ctx;
  return {
    kind: 'update',
    operation: 'claim',
    key: jobKey(id),
    set: { state: JobState.claimed, owner: request.owner, leaseExpiresAt: now + request.leaseMs, startedAt: now, updatedAt: now },
    add: { attempts: 1 },
    // Every claim starts a run; an attempt given back later (handBack) leaves the run counted.
    // ADD, not SET: `runs` is absent until the first run (and on items written before it existed).
    increment: { runs: 1 },
    // A claim holding semaphores sets them again (slot-claims.ts).
    remove: ['holds'],
    condition:
      '#state = :posted AND #attempts < #maxAttempts AND attribute_not_exists(#stopRequested)' +
      // A scoped job is claimed only together with its scopes (a posting may lack them).
      ' AND (attribute_not_exists(#scopes) OR size(#scopes) = :scopesHeld)' +
      boardCondition(request.board) +
      ' AND (attribute_not_exists(#waitUntil) OR #waitUntil <= :now)' +
      ' AND (attribute_not_exists(#dispatchBy) OR #dispatchBy > :now OR #attempts > :zero)',
    values: { ':posted': JobState.posted, ':now': now, ':zero': 0, ':scopesHeld': request.scopesHeld ?? 0, ':board': request.board },
    refused: jobRefusal((current) => claimRefusal(id, current, now, ctx.clockSkewMs, { scopesHeld: request.scopesHeld ?? 0, board: request.board })),
  };
}

/**
 * A claim of a job whose owner's lease ran out. The lost attempt is recorded in the same write
 * (its owner never recorded an outcome, so nobody else will).
 */
export function takeOver(seen: Job, request: ClaimRequest, ctx: TransitionContext): UpdateSpec {
  const { now } = ctx;
  const lost: JobErrorRecord = {
    attempt: seen.attempts,
    at: seen.leaseExpiresAt ?? now,
    name: 'LeaseExpiredError',
    message: `attempt ${seen.attempts} (owner ${seen.owner ?? 'unknown'}) ended without an outcome: its lease expired`,
  };
  const fresh = claim(seen.id, request, ctx);
  return {
    ...fresh,
    operation: 'takeOver',
    set: { ...fresh.set, errors: appendError(seen.errors ?? [], lost, LIMITS.errorHistory), history: withAttempt(seen, 'lost', seen.leaseExpiresAt ?? now) },
    // A dead owner's job whose stop was requested is stopped, never run again (see claimRefusal).
    condition:
      '#state = :claimed AND #version = :seenVersion AND #leaseExpiresAt < :expiredBefore AND #attempts < #maxAttempts AND attribute_not_exists(#stopRequested)' +
      ' AND (attribute_not_exists(#scopes) OR size(#scopes) = :scopesHeld)' +
      boardCondition(request.board),
    values: { ':claimed': JobState.claimed, ':seenVersion': seen.version, ':expiredBefore': now - ctx.clockSkewMs, ':scopesHeld': request.scopesHeld ?? 0, ':board': request.board },
  };
}

export function heartbeat(job: Job, leaseMs: number, ctx: TransitionContext): UpdateSpec {
  return { ...ownedBy(job, 'heartbeat'), set: { leaseExpiresAt: ctx.now + leaseMs, updatedAt: ctx.now } };
}

/** The owner records what the running attempt reports through `ctx.progress()`. */
export function progress(job: Job, value: unknown, ctx: TransitionContext): UpdateSpec {
  return { ...ownedBy(job, 'progress'), set: { progress: value, updatedAt: ctx.now } };
}

/** The owner records success: `completed`, final. The result's size is checked by the caller. */
export function consume(job: Job, result: unknown, ctx: TransitionContext): UpdateSpec {
  return finish(job, JobState.completed, { result: result ?? null, history: withAttempt(job, 'completed', ctx.now) }, 'consume', ctx);
}

/** The owner gives the job back after a retryable failure; it is claimable again at `retryAt`. */
export function abandon(job: Job, error: ErrorInput, retryAt: number, ctx: TransitionContext): UpdateSpec {
  const { now } = ctx;
  return {
    ...ownedBy(job, 'abandon'),
    set: { state: JobState.posted, errors: withError(job, error, now), history: withAttempt(job, 'abandoned', now, error), waitUntil: retryAt, postedAt: retryAt, updatedAt: now },
    remove: ['owner', 'leaseExpiresAt'],
  };
}

/** The owner hands the job back without spending the attempt (it could not run it here: its type is newer than this code). */
export function handBack(job: Job, ctx: TransitionContext): UpdateSpec {
  return {
    ...ownedBy(job, 'handBack'),
    set: { state: JobState.posted, postedAt: ctx.now, updatedAt: ctx.now },
    add: { attempts: -1 },
    remove: ['owner', 'leaseExpiresAt'],
  };
}

export interface FailOptions {
  /** The reason the posting's dead-letter copy will carry; kept on the job until the copy is sent. */
  deadLetterReason: string;
  /** False when the job never ran here (its type is unknown to this deployment): the attempt is given back. */
  attemptSpent?: boolean;
}

/** The owner records a permanent failure, or the last attempt's: `failed`, final. */
export function fail(job: Job, error: ErrorInput, options: FailOptions, ctx: TransitionContext): UpdateSpec {
  // An attempt given back (the job never ran here) is no attempt: it leaves no history.
  const history = options.attemptSpent === false ? {} : { history: withAttempt(job, 'failed', ctx.now, error) };
  const spec = finish(job, JobState.failed, { errors: withError(job, error, ctx.now), deadLetterReason: options.deadLetterReason, ...history }, 'fail', ctx);
  return options.attemptSpent === false ? { ...spec, add: { attempts: -1 } } : spec;
}

/**
 * Fails a job nobody owns: its attempts are used up (the last owner's lease ran out), or its
 * `dispatchBy` passed before it started. `seen` is the job as a refused claim returned it.
 */
export function failUnclaimed(seen: Job, reason: 'exhausted' | 'expired', deadLetterReason: string | undefined, ctx: TransitionContext): UpdateSpec {
  const { now } = ctx;
  const error: ErrorInput =
    reason === 'exhausted'
      ? { name: 'AttemptsExhaustedError', message: `attempt ${seen.attempts} of ${seen.maxAttempts} stopped without an outcome (lease expired)` }
      : { name: 'DispatchExpiredError', message: `not started by ${new Date(seen.dispatchBy ?? now).toISOString()}` };
  return {
    kind: 'update',
    operation: `failUnclaimed(${reason})`,
    key: jobKey(seen.id),
    set: {
      state: JobState.failed,
      errors: withError(seen, error, now),
      endedAt: now,
      updatedAt: now,
      ...(deadLetterReason === undefined ? {} : { deadLetterReason }),
      // The last owner's lease ran out without an outcome: that attempt was lost.
      ...(seen.state === JobState.claimed ? { history: withAttempt(seen, 'lost', seen.leaseExpiresAt ?? now) } : {}),
      ...finalAttributes(seen, JobState.failed, ctx),
    },
    remove: ['leaseExpiresAt', TABLE.openIndex.partitionKey],
    condition:
      reason === 'exhausted'
        ? '#attempts >= #maxAttempts AND (#state = :posted OR (#state = :claimed AND #leaseExpiresAt < :expiredBefore))'
        : '#state = :posted AND #attempts = :zero AND #dispatchBy <= :now',
    values: { ':posted': JobState.posted, ':claimed': JobState.claimed, ':expiredBefore': now - ctx.clockSkewMs, ':zero': 0, ':now': now },
    refused: stateRefusal(seen.id, `fail (${reason})`),
  };
}

/**
 * Records that a failed job's posting is in the dead-letter queue: removes `deadLetterReason`.
 * Conditioned on the failure `job` describes (its `endedAt`), so it never clears the reason of a
 * later failure after a retry.
 */
export function deadLettered(job: Job): UpdateSpec {
  return {
    kind: 'update',
    operation: 'deadLettered',
    key: jobKey(job.id),
    set: {},
    remove: ['deadLetterReason'],
    condition: '#state = :failed AND attribute_exists(#deadLetterReason) AND #endedAt = :endedAt',
    values: { ':failed': JobState.failed, ':endedAt': job.endedAt ?? null },
    refused: stateRefusal(job.id, 'record the dead-letter copy of'),
  };
}

/**
 * Records that a new posting goes out for `seen` (sweeper, start-up repair). Conditioned on the
 * `version` seen: any write since (a claim, another sweeper's mark) makes this one stand down.
 */
export function markPosted(seen: Job, postedAt: number, ctx: TransitionContext): UpdateSpec {
  return {
    kind: 'update',
    operation: 'markPosted',
    key: jobKey(seen.id),
    set: { postedAt, updatedAt: ctx.now },
    condition: '#state IN (:posted, :claimed) AND #version = :seenVersion',
    values: { ':posted': JobState.posted, ':claimed': JobState.claimed, ':seenVersion': seen.version },
    refused: stateRefusal(seen.id, 're-post'),
  };
}
