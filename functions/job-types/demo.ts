/** The example job types of the local stack (DESIGN.md gives their exact behaviour). */
import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod/mini';
import { PermanentError } from '../../lib/errors.js';
import { defineJobType, type JobType } from '../../lib/registry.js';
import { parseWith } from '../../lib/schema.js';

/** Checks a payload against a schema, returning issues for the registry. */
const issuesOf = (schema: z.ZodMiniType) => (payload: Record<string, unknown>) => {
  const parsed = parseWith(schema, payload, 'payload');
  return parsed.success ? [] : parsed.issues.map((issue) => `${issue.path}: ${issue.message}`);
};

const sleepPayload = z.object({ ms: z.int().check(z.minimum(0), z.maximum(900_000)) });
const failPayload = z.object({ message: z.optional(z.string()), permanent: z.optional(z.boolean()) });
const flakyPayload = z.object({ failTimes: z.int().check(z.minimum(0), z.maximum(100)) });

/** Result = the payload. */
export const echo = defineJobType({ name: 'demo.echo', version: 1, run: async ({ payload }) => payload });

/**
 * Waits `ms`, honouring the abort signal and heartbeating as it goes; result `{sleptMs}`. While it
 * sleeps it reports its percent done every second (the writes are coalesced to one every 2 s),
 * and 100 at the end; a sleep under a second reports nothing, so it costs no progress write.
 */
export const sleepJob = defineJobType<{ ms: number }>({
  name: 'demo.sleep',
  version: 1,
  validate: issuesOf(sleepPayload),
  run: async ({ payload, signal, heartbeat, progress }) => {
    const started = Date.now();
    let left = payload.ms;
    let sinceHeartbeat = 0;
    while (left > 0) {
      const step = Math.min(left, 1_000);
      await sleep(step, undefined, { signal });
      left -= step;
      sinceHeartbeat += step;
      if (left === 0) break;
      progress(Math.floor((100 * (payload.ms - left)) / payload.ms));
      if (sinceHeartbeat >= 5_000) {
        sinceHeartbeat = 0;
        await heartbeat();
      }
    }
    if (payload.ms > 1_000) progress(100);
    return { sleptMs: Date.now() - started };
  },
});

/** Always throws: a `PermanentError` when `permanent`. */
export const fail = defineJobType<{ message?: string; permanent?: boolean }>({
  name: 'demo.fail',
  version: 1,
  validate: issuesOf(failPayload),
  run: async ({ payload }) => {
    const message = payload.message ?? 'demo.fail always fails';
    throw payload.permanent === true ? new PermanentError(message) : new Error(message);
  },
});

/** Throws on attempts 1..failTimes, then result `{attempt}`. */
export const flaky = defineJobType<{ failTimes: number }>({
  name: 'demo.flaky',
  version: 1,
  validate: issuesOf(flakyPayload),
  run: async ({ payload, attempt }) => {
    if (attempt <= payload.failTimes) throw new Error(`demo.flaky fails attempt ${attempt} of ${payload.failTimes}`);
    return { attempt };
  },
});

export const demoJobTypes: readonly JobType<never>[] = [echo, sleepJob, fail, flaky] as readonly JobType<never>[];
