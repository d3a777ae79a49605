/**
 * A bulk operation (DESIGN.md, Wave 2 > Bulk operations): one operator action (retry, trash,
 * suspend, resume) applied server side to every job a filter matches, through the same
 * conditional transition as the action's single-job route. What it is, as stored, and where it
 * is kept; the pure decisions are `bulk-operation.ts`, the task that runs it `operation-runner.ts`.
 *
 * The walk: one pass per job state the action moves jobs out of (`ACTION_STATES`, narrowed by
 * the filter's `state`), each pass a list of that state's jobs, oldest first, one page (a slice)
 * at a time. `position` says where the next slice starts. A slice in flight is recorded first
 * (`pending`: the ids and versions it is about to act on), so that a run killed between acting
 * on jobs and saving its position can tell, on the next run, which of them it had acted on.
 */
import { JobState } from '../states.js';

export const OPERATION_ACTIONS = ['retry', 'trash', 'suspend', 'resume'] as const;
export type OperationAction = (typeof OPERATION_ACTIONS)[number];

/**
 * The states each action moves a job out of, as its single-job route does (`JobService`):
 * retry from final failures, trash (or cancel, for a live claim) from every open state, suspend
 * (or a stop request) from posted, waiting and claimed, resume from suspended. Order = pass order.
 */
export const ACTION_STATES: Readonly<Record<OperationAction, readonly JobState[]>> = {
  retry: [JobState.failed, JobState.trashed],
  trash: [JobState.posted, JobState.waiting, JobState.suspended, JobState.claimed],
  suspend: [JobState.posted, JobState.waiting, JobState.claimed],
  resume: [JobState.suspended],
};

/** `running` until every pass is walked (`succeeded`) or an error it cannot retry ends it (`failed`, with `error`). */
export const OPERATION_STATES = ['running', 'succeeded', 'failed'] as const;
export type OperationState = (typeof OPERATION_STATES)[number];

/** Which jobs an operation acts on. Times are epoch ms: `createdAfter` inclusive, `createdBefore` exclusive. */
export interface OperationFilter {
  board?: string;
  state?: JobState;
  type?: string;
  createdAfter?: number;
  createdBefore?: number;
}

/** What an operator asks for (`POST /operations`), once parsed. */
export interface OperationRequest {
  action: OperationAction;
  filter: OperationFilter;
}

/**
 * - matched: jobs that matched the filter when the operation read them;
 * - done: the action was applied (for a live claim: its run was asked to stop);
 * - skipped: the job changed between the read and the write, and the condition refused;
 * - failed: the transition failed for another reason.
 */
export interface OperationCounts {
  matched: number;
  done: number;
  skipped: number;
  failed: number;
}
export const NO_COUNTS: OperationCounts = { matched: 0, done: 0, skipped: 0, failed: 0 };

/** Where the walk stands: the pass (an index into the operation's passes) and the list cursor within it (null: its start). */
export interface OperationPosition {
  pass: number;
  cursor: string | null;
}

/** A job of the slice in flight, as the slice read it. */
export interface PendingJob {
  id: string;
  version: number;
}

/** The slice in flight: the jobs it acts on and where the walk goes once it is committed. */
export interface PendingSlice {
  jobs: PendingJob[];
  next: OperationPosition;
}

export interface Operation extends OperationCounts {
  id: string;
  action: OperationAction;
  filter: OperationFilter;
  state: OperationState;
  /** Why a `failed` operation stopped. */
  error?: string;
  /** Epoch ms. Also the snapshot instant: jobs created (open) or ended (final) after it are left alone. */
  createdAt: number;
  updatedAt: number;
  endedAt?: number;
  position: OperationPosition;
  pending?: PendingSlice;
  /** The token of the runner holding the lease, and until when (epoch ms). */
  runner?: string;
  leaseExpiresAt?: number;
}

/**
 * A new operation's id: its creation time in base 36 (9 digits: sorts as a string the way the
 * times sort, until the year 5188) and 8 random hex digits. Newest first is descending order.
 */
export function operationId(nowMs: number, randomHex: string): string {
  return `${Math.max(0, Math.trunc(nowMs)).toString(36).padStart(9, '0')}-${randomHex}`;
}

/** The creation time an operation id carries (epoch ms), or undefined for an id not made by `operationId`. */
export function operationIdTime(id: string): number | undefined {
  const match = /^([0-9a-z]{9})-/.exec(id);
  return match === null ? undefined : parseInt(match[1] as string, 36);
}

/** One page of operations, newest first. */
export interface OperationPage {
  operations: Operation[];
  /** Null on the last page. */
  nextCursor: string | null;
}

/**
 * Where operations are kept. Every write but `create` is the lease holder's, conditioned on its
 * token (the DynamoDB implementation's header has the timeline).
 */
export interface OperationStore {
  /** Writes a new operation and lists it as running. */
  create(operation: Operation): Promise<Operation>;
  /** `OperationNotFoundError` when absent. */
  get(id: string): Promise<Operation>;
  /** Newest first, `limit` at a time, after the cursor of the previous page. */
  list(limit: number, cursor: string | undefined, now: number): Promise<OperationPage>;
  /** Ids of the operations listed as running, oldest first. */
  running(): Promise<string[]>;
  /** Takes the lease of a running operation that nobody holds (or whose lease ran out): `OperationLeaseError` otherwise. */
  acquire(id: string, runner: string, leaseExpiresAt: number, now: number): Promise<Operation>;
  /** Extends the lease of its holder. */
  renew(id: string, runner: string, leaseExpiresAt: number): Promise<void>;
  /** Records the slice in flight and renews the lease. */
  begin(id: string, runner: string, pending: PendingSlice, leaseExpiresAt: number): Promise<void>;
  /** Moves to `position`, adds `delta` to the counts, forgets the slice in flight, renews the lease. */
  commit(id: string, runner: string, position: OperationPosition, delta: OperationCounts, leaseExpiresAt: number, now: number): Promise<Operation>;
  /** Ends the operation (`succeeded`, or `failed` with `error`) and no longer lists it as running. */
  finish(id: string, runner: string, end: { state: Exclude<OperationState, 'running'>; error?: string }, now: number): Promise<Operation>;
  /** Gives the lease back (a refusal is ignored: someone else holds it already). */
  release(id: string, runner: string): Promise<void>;
  /** Stops listing an operation as running (it ended, or its item never got written). */
  forget(id: string): Promise<void>;
}
