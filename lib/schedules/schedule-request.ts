/**
 * The body of `PUT /schedules/{name}` and the name in its path, as the HTTP contract checks
 * them (DESIGN.md, Periodic jobs). A PUT replaces the schedule's settings as a whole: a field
 * left out takes its default.
 */
import * as z from 'zod/mini';
import { LIMITS } from '../config.js';
import { ValidationError } from '../errors.js';
import { parseWith } from '../schema.js';
import { cronProblem, DEFAULT_TIMEZONE, isTimezone, OVERLAP_POLICIES, SCHEDULE_NAME_PATTERN, type ScheduleSpec } from './schedule.js';
import { PRIORITIES } from '../model.js';
import { boardName } from '../boards/board.js';
import { checkPayloadSize } from '../new-job.js';

const wholeNumber = (min: number, max: number) => z.int().check(z.minimum(min), z.maximum(max));

/** A schedule's name: 1–64 of `A-Z a-z 0-9 _ -`. */
export const scheduleName = z.string().check(z.regex(SCHEDULE_NAME_PATTERN, 'must be 1–64 of A-Z a-z 0-9 _ -'));
export const scheduleParamsSchema = z.strictObject({ name: scheduleName });

/** The longest `every`: one year. */
export const EVERY_SECONDS_MAX = 31_536_000;

export const scheduleRequestSchema = z
  .strictObject({
    type: z.string().check(z.minLength(1), z.maxLength(200)),
    payload: z.optional(z.record(z.string(), z.unknown())),
    board: z.optional(boardName),
    priority: z.optional(z.enum(PRIORITIES)),
    maxAttempts: z.optional(wholeNumber(LIMITS.maxAttemptsMin, LIMITS.maxAttemptsMax)),
    timeoutSeconds: z.optional(wholeNumber(LIMITS.timeoutSecondsMin, LIMITS.timeoutSecondsMax)),
    /** `m h dom mon dow` (5 fields), in `timezone`. */
    cron: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
    /** Seconds between slots, at least 1. */
    every: z.optional(wholeNumber(1, EVERY_SECONDS_MAX)),
    timezone: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
    overlap: z.optional(z.enum(OVERLAP_POLICIES)),
    paused: z.optional(z.boolean()),
  })
  .check(
    z.refine((body) => body.cron !== undefined || body.every !== undefined, { message: 'give cron or every', path: ['cron'] }),
    z.refine((body) => body.cron === undefined || body.every === undefined, { message: 'give cron or every, not both', path: ['every'] }),
    z.refine((body) => body.timezone === undefined || isTimezone(body.timezone), { message: 'not a known IANA timezone (e.g. Europe/Paris, UTC)', path: ['timezone'] }),
  );

export type ScheduleRequest = z.output<typeof scheduleRequestSchema>;

/** Parses and checks a PUT body into a schedule's settings; throws `ValidationError` listing every problem. */
export function parseScheduleRequest(body: unknown): ScheduleSpec {
  const parsed = parseWith(scheduleRequestSchema, body, '(body)');
  if (!parsed.success) throw new ValidationError('invalid schedule', parsed.issues);
  const request = parsed.data;
  const timezone = request.timezone ?? DEFAULT_TIMEZONE;
  const problem = request.cron === undefined ? undefined : cronProblem(request.cron, timezone);
  if (problem !== undefined) throw new ValidationError(`invalid cron expression ${JSON.stringify(request.cron)}`, [{ path: 'cron', message: problem }]);
  const payload = request.payload ?? {};
  checkPayloadSize(payload);
  return {
    type: request.type,
    payload,
    ...(request.board === undefined ? {} : { board: request.board }),
    ...(request.priority === undefined ? {} : { priority: request.priority }),
    ...(request.maxAttempts === undefined ? {} : { maxAttempts: request.maxAttempts }),
    ...(request.timeoutSeconds === undefined ? {} : { timeoutSeconds: request.timeoutSeconds }),
    ...(request.cron === undefined ? {} : { cron: request.cron.trim().split(/\s+/).join(' ') }),
    ...(request.every === undefined ? {} : { everySeconds: request.every }),
    timezone,
    overlap: request.overlap ?? 'skip',
    paused: request.paused ?? false,
  };
}
