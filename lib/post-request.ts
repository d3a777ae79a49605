/**
 * The body of `POST /jobs`, checked with a schema, and the new job built from it.
 * Used by the store (so nothing invalid is ever written) and by the API (for its 400s).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { JOB_DEFAULTS, LIMITS } from './config.js';
import { ValidationError, type ValidationIssue } from './errors.js';
import type { Job } from './model.js';
import { jsonBytes } from './model.js';
import { JobState } from './states.js';

const isoTime = z.iso.datetime({ offset: true });
const wholeNumber = (min: number, max: number) => z.number().int().min(min).max(max);

export const postRequestSchema = z
  .strictObject({
    type: z.string().min(1).max(200),
    payload: z.record(z.string(), z.unknown()).default({}),
    id: z.string().regex(LIMITS.idPattern, 'must be 1–128 of A-Z a-z 0-9 _ . : -').optional(),
    maxAttempts: wholeNumber(LIMITS.maxAttemptsMin, LIMITS.maxAttemptsMax).optional(),
    delaySeconds: wholeNumber(0, LIMITS.delaySecondsMax).optional(),
    runAt: isoTime.optional(),
    dispatchBy: isoTime.optional(),
    timeoutSeconds: wholeNumber(LIMITS.timeoutSecondsMin, LIMITS.timeoutSecondsMax).optional(),
  })
  .refine((body) => body.delaySeconds === undefined || body.runAt === undefined, {
    message: 'give delaySeconds or runAt, not both',
    path: ['runAt'],
  });

export type PostRequest = z.output<typeof postRequestSchema>;

/** What the job type contributes to a new job. */
export interface JobTypeDefaults {
  typeVersion: number;
  maxAttempts?: number;
  timeoutSeconds?: number;
}

/** Parses and checks a post body; throws `ValidationError` listing every problem. */
export function parsePostRequest(body: unknown): PostRequest {
  const parsed = postRequestSchema.safeParse(body);
  if (!parsed.success) {
    const details: ValidationIssue[] = parsed.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.') || '(body)',
      message: issue.message,
    }));
    throw new ValidationError('invalid job request', details);
  }
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
