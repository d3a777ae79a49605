/**
 * Decides, in one place, what a run's ending means for the job and for its posting. Pure: the
 * conductor applies what this returns, whatever it is, through one generic path.
 */
import type { BackoffOptions } from '../config.js';
import { LIMITS } from '../config.js';
import { isPermanentError, isSuspendError } from '../errors.js';
import type { ErrorInput, Job } from '../model.js';
import { jsonBytes } from '../model.js';
import { backoffMs } from './backoff.js';

/** Why a run was stopped from outside its own code. */
export type StopReason =
  /** The job's own `timeoutSeconds` ran out. */
  | 'jobTimeout'
  /** The invocation's deadline came first: the run had time left, the conductor did not. */
  | 'invocationDeadline'
  /** An operator cancelled the running job. */
  | 'cancelled'
  /** An operator (or the job itself) suspended it. */
  | 'suspended'
  /** A lease renewal found another owner: this run no longer owns the job. */
  | 'claimLost';

/** What running the job produced. */
export type RunResult =
  | { kind: 'succeeded'; result: unknown }
  | { kind: 'threw'; error: unknown }
  | { kind: 'stopped'; reason: StopReason; afterMs: number };

/** What becomes of the posting once the job's transition is written. */
export type PostingFate =
  | { action: 'delete' }
  | { action: 'returnAfter'; delaySeconds: number }
  /** Forward a copy to the dead-letter queue (with this reason), then delete. */
  | { action: 'deadLetter'; reason: string };

/** The next transition and the posting's fate. */
export type Outcome =
  | { transition: 'consume'; result: unknown; posting: { action: 'delete' } }
  | { transition: 'abandon'; error: ErrorInput; retryAt: number; posting: { action: 'returnAfter'; delaySeconds: number } }
  | { transition: 'fail'; error: ErrorInput; posting: { action: 'deadLetter'; reason: string } }
  /** Stopped on request (or by the job's own `SuspendError`): trashed or suspended, not a failure. */
  | { transition: 'stop'; reason: 'cancelled' | 'suspended'; error?: ErrorInput; posting: { action: 'delete' } }
  /** The lease was lost: the new owner's posting carries the job on; ours is spent. */
  | { transition: 'none'; posting: { action: 'delete' } };

/** A job posted by newer code comes back after this long, for a newer conductor to take. */
export const NEWER_VERSION_RETRY_SECONDS = 30;

/** Whether a claimed job can run here, decided before it does. */
export type StartDecision =
  | { action: 'run' }
  /** Its type is unknown to this deployment: failed where an operator sees it (and retries it once the type is deployed), the attempt given back. */
  | { action: 'failUnknownType'; error: ErrorInput; posting: { action: 'deadLetter'; reason: string } }
  /** Posted by newer code: handed back unspent, for a newer conductor to take. */
  | { action: 'handBack'; posting: { action: 'returnAfter'; delaySeconds: number } };

export function decideStart(job: Pick<Job, 'type' | 'typeVersion'>, known: { version: number } | undefined): StartDecision {
  if (known === undefined) {
    const reason = `job type ${job.type} is unknown to this deployment`;
    return { action: 'failUnknownType', error: { name: 'UnknownJobTypeError', message: reason }, posting: { action: 'deadLetter', reason } };
  }
  if (job.typeVersion > known.version) return { action: 'handBack', posting: { action: 'returnAfter', delaySeconds: NEWER_VERSION_RETRY_SECONDS } };
  return { action: 'run' };
}

export function decideOutcome(job: Job, run: RunResult, context: { now: number; random: () => number; backoff: BackoffOptions }): Outcome {
  if (run.kind === 'succeeded') {
    const bytes = jsonBytes(run.result);
    if (bytes <= LIMITS.resultBytes) return { transition: 'consume', result: run.result ?? null, posting: { action: 'delete' } };
    return fail({ name: 'ResultTooLargeError', message: `result is ${bytes} bytes, more than ${LIMITS.resultBytes}` }, 'result too large');
  }
  if (run.kind === 'stopped' && run.reason === 'claimLost') return { transition: 'none', posting: { action: 'delete' } };
  if (run.kind === 'stopped' && (run.reason === 'cancelled' || run.reason === 'suspended')) return { transition: 'stop', reason: run.reason, posting: { action: 'delete' } };
  if (run.kind === 'threw' && isSuspendError(run.error)) return { transition: 'stop', reason: 'suspended', error: describeError(run.error), posting: { action: 'delete' } };
  const error: ErrorInput = run.kind === 'stopped' ? stoppedError(run.reason, run.afterMs) : describeError(run.error);
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

/** Both stops are a `TimeoutError` to the job's history; the message tells whose clock ran out. */
function stoppedError(reason: StopReason, afterMs: number): ErrorInput {
  const whose = reason === 'invocationDeadline' ? "the invocation's deadline" : "the job's timeout";
  return { name: 'TimeoutError', message: `run stopped after ${afterMs} ms by ${whose}` };
}
