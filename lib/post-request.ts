/**
 * The body of `POST /jobs`, checked with a schema, and the new job built from it.
 * Used by the store (so nothing invalid is ever written) and by the API (for its 400s).
 */
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { JOB_DEFAULTS, LIMITS } from './config.js';
import { ValidationError } from './errors.js';
import type { Job } from './model.js';
import { jsonBytes } from './model.js';
import { parseWith } from './schema.js';
import { JobState } from './states.js';

const isoTime = z.iso.datetime({ offset: true });
const wholeNumber = (min: number, max: number) => z.int().check(z.minimum(min), z.maximum(max));

export const postRequestSchema = z
  .strictObject({
    type: z.string().check(z.minLength(1), z.maxLength(200)),
    payload: z._default(z.record(z.string(), z.unknown()), {}),
    id: z.optional(z.string().check(z.regex(LIMITS.idPattern, 'must be 1–128 of A-Z a-z 0-9 _ . : -'))),
    maxAttempts: z.optional(wholeNumber(LIMITS.maxAttemptsMin, LIMITS.maxAttemptsMax)),
    delaySeconds: z.optional(wholeNumber(0, LIMITS.delaySecondsMax)),
    runAt: z.optional(isoTime),
    dispatchBy: z.optional(isoTime),
    timeoutSeconds: z.optional(wholeNumber(LIMITS.timeoutSecondsMin, LIMITS.timeoutSecondsMax)),
  })
  .check(
    z.refine((body) => body.delaySeconds === undefined || body.runAt === undefined, {
      message: 'give delaySeconds or runAt, not both',
      path: ['runAt'],
    }),
  );

export type PostRequest = z.output<typeof postRequestSchema>;

/** What the job type contributes to a new job. */
export interface JobTypeDefaults {
  typeVersion: number;
  maxAttempts?: number;
  timeoutSeconds?: number;
}

/** Parses and checks a post body; throws `ValidationError` listing every problem. */
export function parsePostRequest(body: unknown): PostRequest {
  const parsed = parseWith(postRequestSchema, body, '(body)');
  if (!parsed.success) throw new ValidationError('invalid job request', parsed.issues);
  const bytes = jsonBytes(parsed.data.payload);
  if (bytes > LIMITS.payloadBytes) {
    throw new ValidationError(`payload is ${bytes} bytes, more than ${LIMITS.payloadBytes}`, [
      { path: 'payload', message: `at most ${LIMITS.payloadBytes} bytes serialized` },
    ]);
  }
  return parsed.data;
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
    payload: request.payload,
    state: JobState.posted,
    attempts: 0,
    maxAttempts: request.maxAttempts ?? defaults.maxAttempts ?? JOB_DEFAULTS.maxAttempts,
    errors: [],
    createdAt: now,
    updatedAt: now,
    // A delay longer than SQS can hold is posted later by the sweeper; until then postedAt is absent.
    postedAt: waitUntil === undefined ? now : waitUntil - now <= LIMITS.sqsMaxDelaySeconds * 1_000 ? waitUntil : undefined,
    waitUntil,
    dispatchBy: request.dispatchBy === undefined ? undefined : Date.parse(request.dispatchBy),
    timeoutSeconds: request.timeoutSeconds ?? defaults.timeoutSeconds ?? JOB_DEFAULTS.timeoutSeconds,
    version: 1,
    requestHash: requestHash(request),
  };
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
