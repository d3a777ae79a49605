/**
 * Decides, in one place, what a run's result means for the job and for its posting.
 * Pure: the conductor applies what this returns.
 */
import { backoffMs } from './backoff.js';
import type { BackoffOptions } from './config.js';
import { LIMITS } from './config.js';
import { isPermanentError } from './errors.js';
import type { Job } from './model.js';
import { jsonBytes } from './model.js';
import type { ErrorInput } from './store/index.js';

/** What running the job produced. */
export type RunResult =
  | { kind: 'succeeded'; result: unknown }
  | { kind: 'threw'; error: unknown }
  | { kind: 'timedOut'; afterMs: number };

/** The next transition and the posting's fate. */
export type Outcome =
  | { transition: 'consume'; result: unknown; posting: { action: 'delete' } }
  | { transition: 'abandon'; error: ErrorInput; retryAt: number; posting: { action: 'returnAfter'; delaySeconds: number } }
  | { transition: 'fail'; error: ErrorInput; posting: { action: 'deadLetter'; reason: string } };

export function decideOutcome(job: Job, run: RunResult, context: { now: number; random: () => number; backoff: BackoffOptions }): Outcome {
  if (run.kind === 'succeeded') {
    const bytes = jsonBytes(run.result);
    if (bytes <= LIMITS.resultBytes) return { transition: 'consume', result: run.result ?? null, posting: { action: 'delete' } };
    return fail({ name: 'ResultTooLargeError', message: `result is ${bytes} bytes, more than ${LIMITS.resultBytes}` }, 'result too large');
  }
  const error: ErrorInput =
    run.kind === 'timedOut' ? { name: 'TimeoutError', message: `run stopped after ${run.afterMs} ms` } : describeError(run.error);
  if (run.kind === 'threw' && isPermanentError(run.error)) return fail(error, 'permanent error');
  if (job.attempts >= job.maxAttempts) return fail(error, `attempts exhausted (${job.attempts} of ${job.maxAttempts})`);
  const delayMs = backoffMs(job.attempts, context.backoff, context.random);
  // SQS counts visibility in whole seconds; round up so the posting never returns before the job is due.
  const delaySeconds = Math.min(LIMITS.sqsMaxVisibilitySeconds, Math.ceil(delayMs / 1_000));
  return { transition: 'abandon', error, retryAt: context.now + delayMs, posting: { action: 'returnAfter', delaySeconds } };
}

function fail(error: ErrorInput, reason: string): Outcome {
  return { transition: 'fail', error, posting: { action: 'deadLetter', reason } };
}

export function describeError(error: unknown): ErrorInput {
  if (error instanceof Error) return { name: error.name || 'Error', message: error.message };
  return { name: 'Error', message: typeof error === 'string' ? error : JSON.stringify(error) ?? String(error) };
}
