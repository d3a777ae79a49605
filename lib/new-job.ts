/**
 * A new job, as the domain asks for it (`NewJob`: what `POST /jobs` says, what a schedule's slot
 * or a library caller asks for), and the job such a request creates: defaults from the job type,
 * the delay turned into times, and a hash of the request so a repeated post can be told from a
 * conflicting one. Pure: the clock and the id source are passed in. The HTTP contract maps its
 * body onto a `NewJob` (`http/post-request.ts`).
 */
import { createHash } from 'node:crypto';
import { JOB_DEFAULTS, LIMITS } from './config.js';
import { ValidationError } from './errors.js';
import { jsonBytes, type Job, type Priority, type Scope } from './model.js';
import { JobState } from './states.js';
import { DEFAULT_BOARD } from './boards/board.js';

/** A job to post. Times are epoch milliseconds. */
export interface NewJob {
  type: string;
  payload: Record<string, unknown>;
  /** Makes the post idempotent; generated otherwise. */
  id?: string;
  maxAttempts?: number;
  /** Not claimable before `delaySeconds` from now, or before `runAt` (give one of them). */
  delaySeconds?: number;
  runAt?: number;
  /** Failed if not started by then. */
  dispatchBy?: number;
  timeoutSeconds?: number;
  board?: string;
  priority?: Priority;
  /** A key (at most one holder) or `{key, limit}`. */
  scopes?: readonly (string | Scope)[];
  uniqueKey?: string;
  dependsOn?: readonly string[];
  onParentFailure?: 'fail' | 'run';
  /**
   * Tells a repeated post from a conflicting one: the same id with the same hash is the same post.
   * Default: a hash of this request. The HTTP API passes the hash of the body as it came.
   */
  requestHash?: string;
}

/** What the job type contributes to a new job. */
export interface JobTypeDefaults {
  typeVersion: number;
  maxAttempts?: number;
  timeoutSeconds?: number;
}

/** Stable hash of a request (any JSON value, key order aside): two posts with the same id are the same post iff their hashes match. */
export function requestHash(request: unknown): string {
  return createHash('sha256').update(canonicalJson(request)).digest('base64url');
}

/** A payload over the size limit is a `ValidationError` naming `payload`. */
export function checkPayloadSize(payload: unknown): void {
  const bytes = jsonBytes(payload);
  if (bytes > LIMITS.payloadBytes) {
    throw new ValidationError(`payload is ${bytes} bytes, more than ${LIMITS.payloadBytes}`, [
      { path: 'payload', message: `at most ${LIMITS.payloadBytes} bytes serialized` },
    ]);
  }
}

/** Builds the job a valid request creates at time `now`. */
export function newJob(request: NewJob, defaults: JobTypeDefaults, now: number, newId: () => string): Job {
  const waitUntil =
    request.delaySeconds !== undefined && request.delaySeconds > 0
      ? now + request.delaySeconds * 1_000
      : request.runAt !== undefined && request.runAt > now
        ? request.runAt
        : undefined;
  return {
    id: request.id ?? newId(),
    type: request.type,
    typeVersion: defaults.typeVersion,
    // The default board is left out: an absent board is the default one, and every byte counts
    // toward the 1 KB that keeps a job at one write unit per write.
    ...(request.board === undefined || request.board === DEFAULT_BOARD ? {} : { board: request.board }),
    ...(request.priority === undefined || request.priority === 'normal' ? {} : { priority: request.priority }),
    ...(request.scopes === undefined || request.scopes.length === 0 ? {} : { scopes: request.scopes.map((s) => (typeof s === 'string' ? { key: s, limit: 1 } : s)) }),
    ...(request.uniqueKey === undefined ? {} : { uniqueKey: request.uniqueKey }),
    ...(request.dependsOn === undefined ? {} : { dependsOn: [...request.dependsOn], ...(request.onParentFailure === undefined ? {} : { onParentFailure: request.onParentFailure }) }),
    payload: request.payload,
    state: JobState.posted,
    attempts: 0,
    maxAttempts: request.maxAttempts ?? defaults.maxAttempts ?? JOB_DEFAULTS.maxAttempts,
    errors: [],
    createdAt: now,
    updatedAt: now,
    postedAt: postingTime(waitUntil, now),
    waitUntil,
    dispatchBy: request.dispatchBy,
    timeoutSeconds: request.timeoutSeconds ?? defaults.timeoutSeconds ?? JOB_DEFAULTS.timeoutSeconds,
    version: 1,
    requestHash: request.requestHash ?? requestHash(request),
  };
}

/**
 * When a job due at `waitUntil` gets its posting: now, or its due time when a message's delay
 * can reach it. A delay longer than SQS can hold is posted later by the sweeper (undefined).
 */
export function postingTime(waitUntil: number | undefined, now: number): number | undefined {
  if (waitUntil === undefined || waitUntil <= now) return now;
  return waitUntil - now <= LIMITS.sqsMaxDelaySeconds * 1_000 ? waitUntil : undefined;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
