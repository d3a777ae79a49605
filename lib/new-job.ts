/**
 * The job a valid post request creates: defaults from the job type, the delay turned into
 * times, and a hash of the request so a repeated post can be told from a conflicting one.
 * Pure: the clock and the id source are passed in.
 */
import { createHash } from 'node:crypto';
import { JOB_DEFAULTS, LIMITS } from './config.js';
import type { PostRequest } from './http/post-request.js';
import type { Job } from './model.js';
import { JobState } from './states.js';
import { DEFAULT_BOARD } from './store/keys.js';

/** What the job type contributes to a new job. */
export interface JobTypeDefaults {
  typeVersion: number;
  maxAttempts?: number;
  timeoutSeconds?: number;
}

/** Stable hash of a request: two posts with the same id are the same post iff their hashes match. */
export function requestHash(request: PostRequest): string {
  return createHash('sha256').update(canonicalJson(request)).digest('base64url');
}

/** Builds the job a valid request creates at time `now`. */
export function newJob(request: PostRequest, defaults: JobTypeDefaults, now: number, newId: () => string): Job {
  const waitUntil =
    request.delaySeconds !== undefined && request.delaySeconds > 0
      ? now + request.delaySeconds * 1_000
      : request.runAt !== undefined && Date.parse(request.runAt) > now
        ? Date.parse(request.runAt)
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
    ...(request.dependsOn === undefined ? {} : { dependsOn: request.dependsOn, ...(request.onParentFailure === undefined ? {} : { onParentFailure: request.onParentFailure }) }),
    payload: request.payload,
    state: JobState.posted,
    attempts: 0,
    maxAttempts: request.maxAttempts ?? defaults.maxAttempts ?? JOB_DEFAULTS.maxAttempts,
    errors: [],
    createdAt: now,
    updatedAt: now,
    postedAt: postingTime(waitUntil, now),
    waitUntil,
    dispatchBy: request.dispatchBy === undefined ? undefined : Date.parse(request.dispatchBy),
    timeoutSeconds: request.timeoutSeconds ?? defaults.timeoutSeconds ?? JOB_DEFAULTS.timeoutSeconds,
    version: 1,
    requestHash: requestHash(request),
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
