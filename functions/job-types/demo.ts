/** The example job types of the local stack (DESIGN.md gives their exact behaviour). */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { PermanentError } from '../../lib/errors.js';
import { defineJobType, type JobType } from '../../lib/registry.js';

/** Checks a payload against a zod schema, returning issues for the registry. */
const issuesOf = (schema: z.ZodType) => (payload: Record<string, unknown>) => {
  const parsed = schema.safeParse(payload);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`);
};

const sleepPayload = z.object({ ms: z.number().int().min(0).max(900_000) });
const failPayload = z.object({ message: z.string().optional(), permanent: z.boolean().optional() });
const flakyPayload = z.object({ failTimes: z.number().int().min(0).max(100) });

/** Result = the payload. */
export const echo = defineJobType({ name: 'demo.echo', version: 1, run: async ({ payload }) => payload });

/** Waits `ms`, honouring the abort signal and heartbeating as it goes; result `{sleptMs}`. */
export const sleepJob = defineJobType<{ ms: number }>({
  name: 'demo.sleep',
  version: 1,
  validate: issuesOf(sleepPayload),
  run: async ({ payload, signal, heartbeat }) => {
    const started = Date.now();
    let left = payload.ms;
    while (left > 0) {
      const step = Math.min(left, 5_000);
      await sleep(step, undefined, { signal });
      left -= step;
      if (left > 0) await heartbeat();
    }
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
