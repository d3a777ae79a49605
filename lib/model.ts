/**
 * The job as stored (epoch-millisecond times) and as the API shows it (ISO-8601 times).
 * The mapping between the two, and between a job and its DynamoDB item, lives here.
 */
import type { JobState } from './states.js';
import { TABLE, doneShardKey, indexSortKey, jobKey, openShardKey, shardOf } from './table.js';

/** One failed attempt, as kept on the job (the last 10). */
export interface JobErrorRecord {
  attempt: number;
  /** Epoch ms. */
  at: number;
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

/** Attributes that exist only on the item: the key and the index keys. */
const ITEM_ONLY = new Set<string>([
  TABLE.partitionKey,
  TABLE.openIndex.partitionKey,
  TABLE.openIndex.sortKey,
  TABLE.doneIndex.partitionKey,
  TABLE.doneIndex.sortKey,
]);

/** The item a new job is written as: its key, its attributes and its open-index keys. */
export function newJobItem(job: Job): Record<string, unknown> {
  const item: Record<string, unknown> = { [TABLE.partitionKey]: jobKey(job.id) };
  for (const [key, value] of Object.entries(job)) if (value !== undefined) item[key] = value;
  return Object.assign(item, openIndexKeys(job.id, job.createdAt));
}

export function fromItem(item: Record<string, unknown>): Job {
  const job: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(item)) if (!ITEM_ONLY.has(key)) job[key] = value;
  return job as unknown as Job;
}

export function openIndexKeys(id: string, createdAt: number): Record<string, string> {
  return {
    [TABLE.openIndex.partitionKey]: openShardKey(shardOf(id)),
    [TABLE.openIndex.sortKey]: indexSortKey(createdAt, id),
  };
}

export function doneIndexKeys(id: string, state: Job['state'] & ('completed' | 'failed' | 'trashed'), endedAt: number): Record<string, string> {
  return {
    [TABLE.doneIndex.partitionKey]: doneShardKey(state, shardOf(id)),
    [TABLE.doneIndex.sortKey]: indexSortKey(endedAt, id),
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
