/**
 * The job as stored (epoch-millisecond times). How the API shows it is `http/job-view.ts`; how
 * DynamoDB holds it, `store/item-codec.ts`.
 */
import type { JobState } from './states.js';

/** One failed attempt, as kept on the job (the last 10). */
export interface JobErrorRecord {
  attempt: number;
  /** Epoch ms. */
  at: number;
  name: string;
  message: string;
}

/** An error as recorded on a job. */
export interface ErrorInput {
  name: string;
  message: string;
}

/** How one attempt ended. `lost`: its lease ran out and another claim took over (or the job failed for it). */
export type AttemptOutcome = 'completed' | 'abandoned' | 'failed' | 'lost' | 'cancelled' | 'suspended';

/** One attempt, as the job's history keeps it (the last 20). Times are epoch ms. */
export interface AttemptRecord {
  attempt: number;
  owner: string;
  startedAt: number;
  endedAt: number;
  outcome: AttemptOutcome;
  error?: ErrorInput;
}

/** A stop an operator asked of a running attempt (DESIGN.md, Stopping work). */
export type StopRequest = 'cancel' | 'suspend';

/** A scope a job holds while it runs: at most `limit` jobs of the same key run at once. */
export interface Scope {
  key: string;
  limit: number;
}

/** Which queue a job's postings travel on; higher lanes start first. */
export const PRIORITIES = ['high', 'normal', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** A job as the store reads and writes it. Times are epoch milliseconds. */
export interface Job {
  id: string;
  type: string;
  typeVersion: number;
  payload: Record<string, unknown>;
  state: JobState;
  /** The board it belongs to; absent on jobs written before boards, which belong to `default`. */
  board?: string;
  /** Absent means `normal`. */
  priority?: Priority;
  /** Set while a stop of the running attempt is requested; the renewal that brings it back aborts the run. */
  stopRequested?: StopRequest;
  /** The semaphores (board slot, scopes) the current claim holds, by item key; released after the ending write. */
  holds?: string[];
  /** Scopes: no two claims holding one of a scope's `limit` places run at once (amboy's scopes). */
  scopes?: Scope[];
  /** At most one unfinished job per key. */
  uniqueKey?: string;
  /** The parents it was posted with. */
  dependsOn?: string[];
  /** The parents not yet final; the job is `waiting` while any is left. */
  waitingOn?: string[];
  /** When a parent ends failed or trashed: `fail` (default) the job too, or `run` it anyway. */
  onParentFailure?: 'fail' | 'run';
  /** Jobs that wait for this one; told when it turns final. */
  children?: string[];
  /** Token of the claim that owns (or last owned) the job. */
  owner?: string;
  leaseExpiresAt?: number;
  /** Claims that spent an attempt. Never exceeds `maxAttempts`. */
  attempts: number;
  /**
   * Runs started, whether or not they spent an attempt (a job handed back to newer code, or one
   * retried by an operator, runs again without the attempt counting). Absent until the first run.
   */
  runs?: number;
  maxAttempts: number;
  errors: JobErrorRecord[];
  /** The last attempts, oldest first; absent until an attempt has ended. */
  history?: AttemptRecord[];
  /** What the running (or last) attempt reported through `ctx.progress()`. */
  progress?: unknown;
  result?: unknown;
  createdAt: number;
  updatedAt: number;
  /** When the job's current posting becomes deliverable; absent while a long delay has not been posted yet. */
  postedAt?: number;
  startedAt?: number;
  endedAt?: number;
  /** Not claimable before this time (delay or backoff). */
  waitUntil?: number;
  /** Failed if not started by this time. */
  dispatchBy?: number;
  timeoutSeconds: number;
  /** Incremented on every write. */
  version: number;
  /** Hash of the post request, to tell a repeated post from a conflicting one. */
  requestHash: string;
  /** TTL, epoch seconds: set when the job turns final. */
  expiresAt?: number;
  /**
   * Set when the job fails, and removed once its posting's copy is in the dead-letter queue: the
   * reason that copy carries. A posting redelivered while it is set sends the copy that a crash or
   * an SQS error kept from going out.
   */
  deadLetterReason?: string;
}

/** Appends an error record and keeps the newest `limit`. */
export function appendError(errors: readonly JobErrorRecord[], record: JobErrorRecord, limit: number): JobErrorRecord[] {
  return [...errors, record].slice(-limit);
}

/** Appends an attempt record and keeps the newest `limit`. */
export function appendAttempt(history: readonly AttemptRecord[] | undefined, record: AttemptRecord, limit: number): AttemptRecord[] {
  return [...(history ?? []), record].slice(-limit);
}

/** Serialized size in bytes, as DynamoDB and SQS count it (UTF-8 of the JSON). */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value ?? null), 'utf8');
}
