/**
 * What operators do to jobs (trash, retry, suspend, resume, a stop request to a running attempt),
 * and how the owner ends a run that was stopped on request. Pure specs, like `transitions.ts`.
 *
 * Operator transitions take the job as read (`seen`): its board names the index partitions a
 * finished or re-opened job moves to. Jobs never change board, so the read cannot go stale there;
 * the state is what each condition checks.
 *
 * Who may write when:
 * - trash: while `posted`, `waiting` or `suspended`, or `claimed` under an expired lease.
 * - requestStop: while `claimed` under a live lease. A later cancel overrides a suspend request,
 *   never the reverse. From then on no claim or takeover may start the job (their conditions
 *   require no `stopRequested`), so a stop requested of a dead owner's job is carried out
 *   (`trash`/`suspend`) by whoever finds its lease expired, and the job never runs again.
 * - suspend: while `posted` or `waiting`, or `claimed` under an expired lease.
 * - resume: while `suspended`.
 * - retry: while `failed` or `trashed`.
 * - stopped (cancelled or suspended run): only the owner, like every ending write.
 */
import type { ErrorInput, Job, StopRequest } from '../model.js';
import { JobState } from '../states.js';
import { TABLE, jobKey } from '../table.js';
import { openIndexAttributes } from './keys.js';
import { stateRefusal } from './refusals.js';
import { finalAttributes, finish, ownedBy, withAttempt } from './transition-parts.js';
import type { TransitionContext } from './transitions.js';
import type { UpdateSpec } from './write-spec.js';
import { boardOf } from '../boards/board.js';

/** Not running, or running under a lease that has run out: an operator may act on it directly. */
const IDLE = '#state IN (:posted, :waiting, :suspended) OR (#state = :claimed AND #leaseExpiresAt < :expiredBefore)';
const STATE_VALUES = { ':posted': JobState.posted, ':waiting': JobState.waiting, ':suspended': JobState.suspended, ':claimed': JobState.claimed };

/** A claimed job whose owner's lease ran out leaves its attempt in the history as `lost`. */
function lostAttempt(seen: Job, ctx: TransitionContext): Record<string, unknown> {
  return seen.state === JobState.claimed ? { history: withAttempt(seen, 'lost', seen.leaseExpiresAt ?? ctx.now) } : {};
}

/** An operator removes a job that is not running: `trashed`, final. */
export function trash(seen: Job, ctx: TransitionContext): UpdateSpec {
  const { now } = ctx;
  return {
    kind: 'update',
    operation: 'trash',
    key: jobKey(seen.id),
    set: { state: JobState.trashed, endedAt: now, updatedAt: now, ...lostAttempt(seen, ctx), ...finalAttributes(seen, JobState.trashed, ctx) },
    remove: ['leaseExpiresAt', 'stopRequested', TABLE.openIndex.partitionKey],
    condition: IDLE,
    values: { ...STATE_VALUES, ':expiredBefore': now - ctx.clockSkewMs },
    refused: stateRefusal(seen.id, 'trash'),
  };
}

/** An operator asks the running attempt to stop; its next lease renewal brings the request back and aborts the run. */
export function requestStop(seen: Job, stop: StopRequest, ctx: TransitionContext): UpdateSpec {
  return {
    kind: 'update',
    operation: stop === 'cancel' ? 'requestCancel' : 'requestSuspend',
    key: jobKey(seen.id),
    set: { stopRequested: stop, updatedAt: ctx.now },
    condition: '#state = :claimed AND #leaseExpiresAt >= :expiredBefore' + (stop === 'suspend' ? ' AND (attribute_not_exists(#stopRequested) OR #stopRequested = :suspend)' : ''),
    values: { ':claimed': JobState.claimed, ':expiredBefore': ctx.now - ctx.clockSkewMs, ':suspend': 'suspend' },
    refused: stateRefusal(seen.id, stop === 'cancel' ? 'cancel' : 'suspend'),
  };
}

/** An operator sets a job that is not running aside: `suspended` until resumed. */
export function suspend(seen: Job, ctx: TransitionContext): UpdateSpec {
  return {
    kind: 'update',
    operation: 'suspend',
    key: jobKey(seen.id),
    set: { state: JobState.suspended, updatedAt: ctx.now, ...lostAttempt(seen, ctx) },
    remove: ['owner', 'leaseExpiresAt', 'stopRequested'],
    condition: '#state IN (:posted, :waiting) OR (#state = :claimed AND #leaseExpiresAt < :expiredBefore)',
    values: { ...STATE_VALUES, ':expiredBefore': ctx.now - ctx.clockSkewMs },
    refused: stateRefusal(seen.id, 'suspend'),
  };
}

/**
 * An operator puts a suspended job back: `posted`, due when it was due before (a delay still
 * ahead is kept; `postedAt` is when its new posting becomes deliverable, undefined when the delay
 * is longer than a message can hold and maintenance posts it, as at post), or `waiting` when
 * parents it waits on are still unfinished. Conditioned on `waitingOn` being as read.
 */
export function resume(seen: Job, postedAt: number | undefined, ctx: TransitionContext): UpdateSpec {
  const { now } = ctx;
  const waiting = (seen.waitingOn ?? []).length > 0;
  const target = waiting ? { state: JobState.waiting } : { state: JobState.posted, ...(postedAt === undefined ? {} : { postedAt }) };
  return {
    kind: 'update',
    operation: 'resume',
    key: jobKey(seen.id),
    set: { ...target, updatedAt: now },
    remove: waiting || postedAt === undefined ? ['postedAt'] : [],
    condition: `#state = :suspended AND ${waiting ? 'attribute_exists' : 'attribute_not_exists'}(#waitingOn)`,
    values: { ':suspended': JobState.suspended },
    refused: stateRefusal(seen.id, 'resume'),
  };
}

/**
 * The owner ends a run stopped on request. Cancelled: `trashed`, final. Suspended: `suspended`,
 * and the attempt is given back, so a resumed job has the budget it had (the history keeps the
 * attempt, with outcome `suspended`). Neither records an error: a stop is not a failure.
 */
export function stopped(job: Job, reason: 'cancelled' | 'suspended', ctx: TransitionContext, error?: ErrorInput): UpdateSpec {
  if (reason === 'cancelled') return finish(job, JobState.trashed, { history: withAttempt(job, 'cancelled', ctx.now) }, 'cancel', ctx);
  return {
    ...ownedBy(job, 'suspend'),
    set: { state: JobState.suspended, history: withAttempt(job, 'suspended', ctx.now, error), updatedAt: ctx.now },
    add: { attempts: -1 },
    remove: ['owner', 'leaseExpiresAt', 'stopRequested'],
  };
}

/**
 * An operator puts a `failed` or `trashed` job back to `posted` with a fresh attempt budget.
 * Restoring `openShard` puts it back in its board's open index; `openSortKey` never left the item.
 */
export function retry(seen: Job, ctx: TransitionContext): UpdateSpec {
  const { now } = ctx;
  return {
    kind: 'update',
    operation: 'retry',
    key: jobKey(seen.id),
    // Both open-index keys: a job that was final at birth (a child of a failed parent) never had the sort key.
    set: { state: JobState.posted, attempts: 0, postedAt: now, updatedAt: now, ...openIndexAttributes(seen.id, seen.createdAt, boardOf(seen)) },
    remove: ['owner', 'leaseExpiresAt', 'endedAt', 'expiresAt', 'result', 'waitUntil', 'dispatchBy', 'deadLetterReason', 'stopRequested', TABLE.doneIndex.partitionKey],
    condition: '#state IN (:failed, :trashed)',
    values: { ':failed': JobState.failed, ':trashed': JobState.trashed },
    refused: stateRefusal(seen.id, 'retry'),
  };
}
