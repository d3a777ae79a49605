import type { Job } from './model.js';
import type { JobState } from './states.js';

/** Context every Jobboard error may carry, so a log line or an HTTP body can say which job. */
export interface JobboardErrorContext {
  jobId?: string;
  state?: JobState;
  owner?: string;
  cause?: unknown;
}

/**
 * Base of every error Jobboard raises on purpose. `code` is stable and is what the HTTP API
 * returns; `retryable` says whether trying the same thing again later can succeed.
 */
export abstract class JobboardError extends Error {
  abstract readonly code: string;
  readonly retryable: boolean = false;
  readonly jobId: string | undefined;
  readonly state: JobState | undefined;
  readonly owner: string | undefined;

  constructor(message: string, context: JobboardErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.jobId = context.jobId;
    this.state = context.state;
    this.owner = context.owner;
  }
}

/** One problem found in a request, pointing at the field. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** The input is malformed or breaks a limit. Nothing was written. */
export class ValidationError extends JobboardError {
  override readonly name = 'ValidationError';
  readonly code = 'ValidationError';
  readonly details: readonly ValidationIssue[];
  constructor(message: string, details: readonly ValidationIssue[] = [], context: JobboardErrorContext = {}) {
    super(message, context);
    this.details = details;
  }
}

/** The job does not exist. */
export class NotFoundError extends JobboardError {
  override readonly name = 'NotFoundError';
  readonly code = 'NotFoundError';
  constructor(jobId: string) {
    super(`job ${jobId} does not exist`, { jobId });
  }
}

/** No board of this name has had a job or a setting. Answers 404 like a missing job. */
export class BoardNotFoundError extends JobboardError {
  override readonly name = 'BoardNotFoundError';
  readonly code = 'NotFoundError';
  constructor(readonly board: string) {
    super(`board ${board} does not exist`);
  }
}

/** A job with this id exists and was posted with a different request. */
export class ConflictError extends JobboardError {
  override readonly name = 'ConflictError';
  readonly code = 'ConflictError';
}

/** The transition is not allowed from the job's current state (for example trashing a completed job). */
export class InvalidStateError extends JobboardError {
  override readonly name = 'InvalidStateError';
  readonly code = 'InvalidStateError';
}

/** The writer no longer owns the job: its lease was taken over, or the job moved on. Nothing was changed. */
export class ClaimLostError extends JobboardError {
  override readonly name = 'ClaimLostError';
  readonly code = 'ClaimLostError';
}

/** Why a claim was refused, read from the item as it was when the condition failed. */
export type ClaimRefusalReason =
  /** No such job: an orphan posting. */
  | 'missing'
  /** The job is completed, failed or trashed: a duplicate posting. */
  | 'final'
  /** Another conductor holds a live lease. `retryAfterMs` says when it runs out. */
  | 'leased'
  /** `attempts` reached `maxAttempts`. */
  | 'exhausted'
  /** `waitUntil` lies ahead. `retryAfterMs` says when it falls due. */
  | 'notDue'
  /** `dispatchBy` passed before the job ever started. */
  | 'expired'
  /** `waiting` or `suspended`: not claimable until resumed or released; the posting is spent. */
  | 'inactive'
  /** A cancel or suspend was requested and nobody runs the job any more: carry the stop out instead. */
  | 'stopRequested'
  /** Its board is paused, or runs `maxRunning` jobs already. `retryAfterMs` says when to look again. */
  | 'boardBusy'
  /** A scope it needs is held by as many jobs as the scope's limit. */
  | 'scopeBusy'
  /** The claim did not bring the scopes the job has (a posting without them): claim again with them. */
  | 'scopesMissing'
  /** The claimant checked another board's settings than the job's (a posting naming the wrong board). */
  | 'otherBoard';

/** A claim was refused. `job` is the item as it stood, so the caller needs no extra read. */
export class ClaimRefusedError extends JobboardError {
  override readonly name = 'ClaimRefusedError';
  readonly code = 'ClaimRefusedError';
  constructor(
    readonly reason: ClaimRefusalReason,
    message: string,
    readonly retryAfterMs: number | undefined,
    context: JobboardErrorContext = {},
    /** The job as it stood when the claim was refused (absent when it does not exist). */
    readonly job?: Job,
  ) {
    super(message, context);
  }
}

/** DynamoDB or SQS did not answer as hoped (throttling, timeout, outage). Try again later; nothing is known to have changed. */
export class StorageError extends JobboardError {
  override readonly name = 'StorageError';
  readonly code = 'StorageError';
  override readonly retryable: boolean;
  constructor(message: string, context: JobboardErrorContext & { retryable?: boolean } = {}) {
    super(message, context);
    this.retryable = context.retryable ?? true;
  }
}

/** Configuration is wrong. Raised at construction, naming the bad option. */
export class ConfigurationError extends JobboardError {
  override readonly name = 'ConfigurationError';
  readonly code = 'ConfigurationError';
}

/**
 * Thrown by job code to fail the job at once, without further attempts.
 * Matched by `name` as well as by class (see {@link isPermanentError}) because a bundle may hold two copies.
 */
export class PermanentError extends Error {
  override readonly name = 'PermanentError';
  readonly code = 'PermanentError';
}

/**
 * Thrown by job code (or by `ctx.suspend()`) to end the attempt with the job `suspended`: it
 * waits for an operator's resume, and the attempt does not count (Launchpad's SuspendJobException).
 * Matched by `name` as well as by class, like {@link PermanentError}.
 */
export class SuspendError extends Error {
  override readonly name = 'SuspendError';
  readonly code = 'SuspendError';
}

export function isSuspendError(error: unknown): boolean {
  return error instanceof SuspendError || (error instanceof Error && error.name === 'SuspendError');
}

/** True for any `PermanentError`, including one from another copy of this module. */
export function isPermanentError(error: unknown): boolean {
  return error instanceof PermanentError || (error instanceof Error && error.name === 'PermanentError');
}

/** True for a Jobboard error of the given class, including one from another copy of this module. */
export function isJobboardError<T extends JobboardError>(
  error: unknown,
  type: abstract new (...args: never[]) => T,
): error is T {
  return error instanceof type || (error instanceof Error && error.name === type.name);
}
