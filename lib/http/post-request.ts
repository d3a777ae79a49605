/**
 * The body of `POST /jobs`, as the HTTP contract checks it, mapped onto the domain's `NewJob`
 * (`new-job.ts`: ISO times become epoch milliseconds). The job it creates is built there; the
 * store takes only built jobs.
 */
import * as z from 'zod/mini';
import { boardName } from '../boards/board.js';
import { LIMITS } from '../config.js';
import { ValidationError } from '../errors.js';
import { PRIORITIES } from '../model.js';
import { checkPayloadSize, requestHash, type NewJob } from '../new-job.js';
import { parseWith } from '../schema.js';

const isoTime = z.iso.datetime({ offset: true });
const scopeKey = z.string().check(z.minLength(1), z.maxLength(128));
const jobId = z.string().check(z.regex(LIMITS.idPattern, 'must be 1–128 of A-Z a-z 0-9 _ . : -'));
const wholeNumber = (min: number, max: number) => z.int().check(z.minimum(min), z.maximum(max));

export const postRequestSchema = z
  .strictObject({
    type: z.string().check(z.minLength(1), z.maxLength(200)),
    payload: z._default(z.record(z.string(), z.unknown()), {}),
    id: z.optional(jobId),
    maxAttempts: z.optional(wholeNumber(LIMITS.maxAttemptsMin, LIMITS.maxAttemptsMax)),
    delaySeconds: z.optional(wholeNumber(0, LIMITS.delaySecondsMax)),
    runAt: z.optional(isoTime),
    dispatchBy: z.optional(isoTime),
    timeoutSeconds: z.optional(wholeNumber(LIMITS.timeoutSecondsMin, LIMITS.timeoutSecondsMax)),
    board: z.optional(boardName),
    priority: z.optional(z.enum(PRIORITIES)),
    /** Up to 10 scopes: a key (at most 1 holder) or `{key, limit}`. */
    scopes: z.optional(z.array(z.union([scopeKey, z.strictObject({ key: scopeKey, limit: wholeNumber(1, LIMITS.scopeLimitMax) })])).check(z.maxLength(LIMITS.scopesMax))),
    uniqueKey: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
    /** Up to 100 ids of existing jobs this one waits for. */
    dependsOn: z.optional(z.array(jobId).check(z.minLength(1), z.maxLength(LIMITS.dependsOnMax))),
    onParentFailure: z.optional(z.enum(['fail', 'run'])),
  })
  .check(
    z.refine((body) => body.delaySeconds === undefined || body.runAt === undefined, {
      message: 'give delaySeconds or runAt, not both',
      path: ['runAt'],
    }),
    z.refine((body) => new Set((body.scopes ?? []).map((s) => (typeof s === 'string' ? s : s.key))).size === (body.scopes ?? []).length, {
      message: 'each scope key at most once',
      path: ['scopes'],
    }),
    z.refine((body) => body.dependsOn === undefined || new Set(body.dependsOn).size === body.dependsOn.length, { message: 'each parent id at most once', path: ['dependsOn'] }),
    z.refine((body) => body.id === undefined || !(body.dependsOn ?? []).includes(body.id), { message: 'a job cannot depend on itself', path: ['dependsOn'] }),
    z.refine((body) => body.onParentFailure === undefined || body.dependsOn !== undefined, { message: 'goes with dependsOn', path: ['onParentFailure'] }),
  );

/**
 * Parses and checks a post body, and maps it onto a `NewJob`; throws `ValidationError` listing
 * every problem. The request's hash is the body's as parsed (times as the client wrote them), so
 * a repeated post matches the jobs posted before the domain had a request type of its own.
 */
export function parsePostRequest(body: unknown): NewJob {
  const parsed = parseWith(postRequestSchema, body, '(body)');
  if (!parsed.success) throw new ValidationError('invalid job request', parsed.issues);
  checkPayloadSize(parsed.data.payload);
  const { runAt, dispatchBy, ...rest } = parsed.data;
  return {
    ...rest,
    ...(runAt === undefined ? {} : { runAt: Date.parse(runAt) }),
    ...(dispatchBy === undefined ? {} : { dispatchBy: Date.parse(dispatchBy) }),
    requestHash: requestHash(parsed.data),
  };
}
