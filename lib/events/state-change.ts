/**
 * The table's change stream, read as job history: a stream record (the item before and after
 * one write) becomes a `Job State Change` event and counter deltas. Both are pure functions of
 * the two images, so the Lambda stream processor and the local stream poller map records the
 * same way, and a record delivered twice maps to the same event (a consumer drops the copy by
 * `(id, version)`).
 */
import { JOB_STATES, type JobState } from '../states.js';
import { TABLE, ITEM_KINDS } from '../table.js';
import { DEFAULT_BOARD } from '../boards/board.js';

/** One stream record, images unmarshalled (plain JS values). */
export interface ChangeRecord {
  /** The stream's sequence number: decimal digits, ordered within one stream shard. */
  sequence: string;
  kind: 'INSERT' | 'MODIFY' | 'REMOVE';
  oldImage?: Record<string, unknown>;
  newImage?: Record<string, unknown>;
}

/** The detail of a `Job State Change` event (DESIGN.md, Events, counts and metrics). */
export interface JobStateChange {
  id: string;
  board: string;
  type: string;
  state: JobState;
  /** null for a new job. */
  previousState: JobState | null;
  /** Attempts taken so far (claims). */
  attempt: number;
  /** The job's write counter: events of one job arrive in this order; `(id, version)` names an event. */
  version: number;
  /** When the write happened (ISO-8601). */
  at: string;
}

/** What a job image tells about counting and events; undefined for items of other kinds. */
interface JobImage {
  id: string;
  board: string;
  type: string;
  state: JobState;
  attempts: number;
  version: number;
  updatedAt: number;
}

function jobImage(image: Record<string, unknown> | undefined): JobImage | undefined {
  if (image === undefined) return undefined;
  const pk = image[TABLE.partitionKey];
  if (typeof pk !== 'string' || !pk.startsWith(ITEM_KINDS.job)) return undefined;
  const state = image.state;
  if (typeof state !== 'string' || !(JOB_STATES as readonly string[]).includes(state)) return undefined;
  return {
    id: String(image.id ?? pk.slice(ITEM_KINDS.job.length)),
    board: typeof image.board === 'string' ? image.board : DEFAULT_BOARD,
    type: String(image.type ?? ''),
    state: state as JobState,
    attempts: Number(image.attempts ?? 0),
    version: Number(image.version ?? 0),
    updatedAt: Number(image.updatedAt ?? image.createdAt ?? 0),
  };
}

/**
 * The event a record stands for, or undefined when it changes no job's state: lease renewals,
 * progress, stop requests and other item kinds are not state changes. A claim that takes over a
 * lost lease keeps the state `claimed` but starts a new attempt, so it is one.
 * A removal (TTL expiry of a finished job) is not an event: the job did not change.
 */
export function stateChangeOf(record: ChangeRecord): JobStateChange | undefined {
  const after = jobImage(record.newImage);
  if (after === undefined || record.kind === 'REMOVE') return undefined;
  const before = record.kind === 'INSERT' ? undefined : jobImage(record.oldImage);
  const changed = before === undefined || before.state !== after.state || (after.state === 'claimed' && after.attempts !== before.attempts);
  if (!changed) return undefined;
  return {
    id: after.id,
    board: after.board,
    type: after.type,
    state: after.state,
    previousState: before?.state ?? null,
    attempt: after.attempts,
    version: after.version,
    at: new Date(after.updatedAt).toISOString(),
  };
}

/** A change to the number of jobs in one state on one board. */
export interface CountDelta {
  board: string;
  state: JobState;
  delta: number;
}

/** How a record moves the counts: a new job adds one, a state change moves one, a removal takes one away. */
export function countDeltasOf(record: ChangeRecord): CountDelta[] {
  const before = record.kind === 'INSERT' ? undefined : jobImage(record.oldImage);
  const after = record.kind === 'REMOVE' ? undefined : jobImage(record.newImage);
  if (before !== undefined && after !== undefined && before.state === after.state && before.board === after.board) return [];
  const deltas: CountDelta[] = [];
  if (before !== undefined) deltas.push({ board: before.board, state: before.state, delta: -1 });
  if (after !== undefined) deltas.push({ board: after.board, state: after.state, delta: 1 });
  return deltas;
}

/** Deltas summed per board and state, zero sums left out: one counter write per board per batch. */
export function sumDeltas(deltas: Iterable<CountDelta>): Map<string, Map<JobState, number>> {
  const sums = new Map<string, Map<JobState, number>>();
  for (const { board, state, delta } of deltas) {
    const byState = sums.get(board) ?? new Map<JobState, number>();
    byState.set(state, (byState.get(state) ?? 0) + delta);
    sums.set(board, byState);
  }
  for (const [board, byState] of sums) {
    for (const [state, sum] of byState) if (sum === 0) byState.delete(state);
    if (byState.size === 0) sums.delete(board);
  }
  return sums;
}

/** Orders stream sequence numbers (decimal strings of any length). */
export function compareSequences(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
