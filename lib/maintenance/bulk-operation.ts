/**
 * The pure decisions of a bulk operation: which passes it walks, what each slice lists, which
 * listed jobs match, what a job's failed transition counts as, and, after a crash, what became
 * of each job of the slice that was in flight.
 *
 * The snapshot rule: an operation acts only on jobs that were in their pass's state by the time
 * it was created: open jobs created at or before `createdAt` (the open index is keyed on
 * creation), finished jobs that ended at or before it (the done index is keyed on end time). A
 * job the operation retried that fails again ends after that instant, in a part of the done
 * index the walk never reaches: it cannot be retried twice by the same walk, however the walk
 * pages, and whatever it re-reads after a crash.
 */
import { ClaimLostError, InvalidStateError, NotFoundError, StorageError, isJobboardError } from '../errors.js';
import type { Job } from '../model.js';
import { isFinal, type JobState } from '../states.js';
import type { JobListQuery } from '../store/listing.js';
import { ACTION_STATES, type Operation, type OperationAction, type OperationCounts, type OperationFilter, type OperationPosition } from './operation.js';
import { boardOf } from '../boards/board.js';

/** The states an operation walks, one pass each, in order: the action's, narrowed to the filter's state. */
export function passesOf(action: OperationAction, filter: Pick<OperationFilter, 'state'>): readonly JobState[] {
  const states = ACTION_STATES[action];
  if (filter.state === undefined) return states;
  return states.includes(filter.state) ? [filter.state] : [];
}

/** The state of the pass at `position`, or undefined once every pass is walked. */
export function passState(operation: Pick<Operation, 'action' | 'filter'>, position: OperationPosition): JobState | undefined {
  return passesOf(operation.action, operation.filter)[position.pass];
}

/**
 * The list query of the slice at `position`, oldest first; undefined when the pass can hold no
 * match (its time range is empty) or there is no such pass. `from`/`to` bound creation time on
 * the open index and end time on the done index; since a job ends after it is created,
 * `createdAfter` also bounds end time from below, while `createdBefore` is checked on the items.
 */
export function sliceQuery(operation: Pick<Operation, 'action' | 'filter' | 'createdAt'>, position: OperationPosition, limit: number): JobListQuery | undefined {
  const state = passState(operation, position);
  if (state === undefined) return undefined;
  const { filter } = operation;
  const to = isFinal(state) || filter.createdBefore === undefined ? operation.createdAt : Math.min(operation.createdAt, filter.createdBefore - 1);
  if (filter.createdAfter !== undefined && filter.createdAfter > to) return undefined;
  return {
    state,
    ...(filter.board === undefined ? {} : { board: filter.board }),
    ...(filter.type === undefined ? {} : { type: filter.type }),
    ...(filter.createdAfter === undefined ? {} : { from: filter.createdAfter }),
    to,
    order: 'asc',
    limit,
    ...(position.cursor === null ? {} : { cursor: position.cursor }),
  };
}

/** Whether a job, as read, matches the operation in the pass of `state` (the filter, and the snapshot rule). */
export function matchesOperation(operation: Pick<Operation, 'filter' | 'createdAt'>, state: JobState, job: Job): boolean {
  const { filter } = operation;
  if (job.state !== state) return false;
  if (filter.board !== undefined && boardOf(job) !== filter.board) return false;
  if (filter.type !== undefined && job.type !== filter.type) return false;
  if (filter.createdAfter !== undefined && job.createdAt < filter.createdAfter) return false;
  if (filter.createdBefore !== undefined && job.createdAt >= filter.createdBefore) return false;
  return isFinal(state) ? job.endedAt !== undefined && job.endedAt <= operation.createdAt : job.createdAt <= operation.createdAt;
}

/** What a refused or failed transition counts as: `retryLater` leaves the slice to be done again. */
export type TransitionFailure = 'skipped' | 'failed' | 'retryLater';

export function transitionFailure(error: unknown): TransitionFailure {
  // The job changed (another state, another owner) or is gone since it matched: the condition refused.
  if (isJobboardError(error, InvalidStateError) || isJobboardError(error, NotFoundError) || isJobboardError(error, ClaimLostError)) return 'skipped';
  // Throttling, a timeout, an outage: nothing is known to have changed; the slice is done again later.
  if (isJobboardError(error, StorageError) && error.retryable) return 'retryLater';
  return 'failed';
}

/** What became of a job of the slice in flight when its run died (or lost its lease) before committing. */
export type PendingVerdict = 'act' | 'done' | 'skipped';

/**
 * - unchanged since the slice read it (same `version`): the transition never happened; act now.
 * - changed, and it no longer matches: the slice's transition happened (counted `done`). Another
 *   writer's change in that window is counted `done` too: without a mark on the job the two look
 *   the same. This is the one way the counts can be off, and only for jobs of an interrupted slice.
 * - changed, but it still matches (another writer touched it without moving it on): `skipped`,
 *   never acted on again, so a job is never acted on twice by one operation.
 * - gone (expired): `skipped`.
 */
export function judgePending(seenVersion: number, current: Job | undefined, stillMatches: boolean): PendingVerdict {
  if (current === undefined) return 'skipped';
  if (current.version === seenVersion) return stillMatches ? 'act' : 'skipped';
  return stillMatches ? 'skipped' : 'done';
}

export function addCounts(a: OperationCounts, b: OperationCounts): OperationCounts {
  return { matched: a.matched + b.matched, done: a.done + b.done, skipped: a.skipped + b.skipped, failed: a.failed + b.failed };
}
