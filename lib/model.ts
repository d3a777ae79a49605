/**
 * The job as stored (epoch-millisecond times) and as the API shows it (ISO-8601 times).
 * The mapping between a job and its DynamoDB item lives in `store/item-codec.ts`.
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

/** A job as the store reads and writes it. Times are epoch milliseconds. */
export interface Job {
  id: string;
  type: string;
  typeVersion: number;
  payload: Record<string, unknown>;
  state: JobState;
  /** Token of the claim that owns (or last owned) the job. */
  owner?: string;
  leaseExpiresAt?: number;
  /** Claims taken so far. Never exceeds `maxAttempts`. */
  attempts: number;
  maxAttempts: number;
  errors: JobErrorRecord[];
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

/** A job as the HTTP API shows it. */
export interface JobView {
  id: string;
  type: string;
  typeVersion: number;
  state: JobState;
  payload: Record<string, unknown>;
  result: unknown;
  attempts: number;
  maxAttempts: number;
  owner: string | null;
  leaseExpiresAt: string | null;
  errors: { attempt: number; at: string; name: string; message: string }[];
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  runAt: string | null;
  dispatchBy: string | null;
  timeoutSeconds: number;
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

export function toJobView(job: Job): JobView {
  return {
    id: job.id,
    type: job.type,
    typeVersion: job.typeVersion,
    state: job.state,
    payload: job.payload,
    result: job.result ?? null,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    owner: job.owner ?? null,
    leaseExpiresAt: iso(job.leaseExpiresAt),
    errors: job.errors.map((e) => ({ attempt: e.attempt, at: new Date(e.at).toISOString(), name: e.name, message: e.message })),
    createdAt: new Date(job.createdAt).toISOString(),
    startedAt: iso(job.startedAt),
    endedAt: iso(job.endedAt),
    runAt: iso(job.waitUntil),
    dispatchBy: iso(job.dispatchBy),
    timeoutSeconds: job.timeoutSeconds,
  };
}

/** Appends an error record and keeps the newest `limit`. */
export function appendError(errors: readonly JobErrorRecord[], record: JobErrorRecord, limit: number): JobErrorRecord[] {
  return [...errors, record].slice(-limit);
}

/** Serialized size in bytes, as DynamoDB and SQS count it (UTF-8 of the JSON). */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value ?? null), 'utf8');
}
