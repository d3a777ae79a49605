/**
 * The pieces the transition specs share: the owner's condition, the final attributes of a
 * finished job, the error and attempt records a write appends, and the check of a claim request.
 */
import { LIMITS } from '../config.js';
import { ClaimLostError, ValidationError, type ValidationIssue } from '../errors.js';
import type { AttemptOutcome, ErrorInput, Job, JobErrorRecord } from '../model.js';
import { appendAttempt, appendError } from '../model.js';
import type { FinalState } from '../states.js';
import { JobState } from '../states.js';
import { TABLE, jobKey } from '../table.js';
import { doneIndexAttributes } from './keys.js';
import { ownerRefusal } from './refusals.js';
import type { TransitionContext, ClaimRequest } from './transitions.js';
import type { UpdateSpec } from './write-spec.js';
import { boardOf } from '../boards/board.js';

/** Longest owner token accepted. */
export const OWNER_MAX_LENGTH = 256;

/**
 * A claim the store can honour: an owner token that can be compared, and a lease that ends in the
 * future. An empty token or a lease of 0, a negative or NaN lease would make a claim that is
 * expired (or unconditioned) the moment it is written, yet costs an attempt.
 */
export function checkClaimRequest(request: ClaimRequest): void {
  const issues: ValidationIssue[] = [];
  if (typeof request.owner !== 'string' || request.owner.length === 0 || request.owner.length > OWNER_MAX_LENGTH) {
    issues.push({ path: 'owner', message: `must be a string of 1–${OWNER_MAX_LENGTH} characters` });
  }
  if (typeof request.leaseMs !== 'number' || !Number.isFinite(request.leaseMs) || request.leaseMs <= 0) {
    issues.push({ path: 'leaseMs', message: 'must be a finite number of milliseconds above 0' });
  }
  if (issues.length > 0) throw new ValidationError(`invalid claim: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`, issues);
}

/**
 * Condition and refusal shared by every write of the job's current owner. A job object without
 * an owner token never came from a claim: no write of it can be the owner's.
 */
export function ownedBy(job: Job, operation: string): UpdateSpec {
  if (typeof job.owner !== 'string' || job.owner.length === 0) {
    throw new ClaimLostError(`${operation} refused: the job object for ${job.id} carries no owner token (only a claim's owner may ${operation} it)`, { jobId: job.id, state: job.state });
  }
  return {
    kind: 'update',
    operation,
    key: jobKey(job.id),
    set: {},
    condition: '#state = :claimed AND #owner = :owner',
    values: { ':claimed': JobState.claimed, ':owner': job.owner },
    refused: ownerRefusal(job, operation),
  };
}

export function finish(job: Job, state: FinalState, extra: Record<string, unknown>, operation: string, ctx: TransitionContext): UpdateSpec {
  return {
    ...ownedBy(job, operation),
    set: { state, endedAt: ctx.now, updatedAt: ctx.now, ...extra, ...finalAttributes(job, state, ctx) },
    // A stop requested too late to matter: the run's own outcome stands.
    remove: ['leaseExpiresAt', 'stopRequested', TABLE.openIndex.partitionKey],
  };
}

/** A finished job leaves the open index, enters its board's done index, and gets its TTL. */
export function finalAttributes(job: Pick<Job, 'id' | 'board'>, state: FinalState, ctx: TransitionContext): Record<string, unknown> {
  return { ...doneIndexAttributes(job.id, state, ctx.now, boardOf(job)), expiresAt: Math.ceil(ctx.now / 1_000 + ctx.retentionDays * 86_400) };
}

export function withError(job: Job, error: ErrorInput, now: number): JobErrorRecord[] {
  const record = { attempt: job.attempts, at: now, name: error.name, message: error.message.slice(0, 2_000) };
  return appendError(job.errors ?? [], record, LIMITS.errorHistory);
}

/** The job's history with the attempt it holds now, ended at `endedAt` with `outcome`. */
export function withAttempt(job: Job, outcome: AttemptOutcome, endedAt: number, error?: ErrorInput): Job['history'] {
  const record = {
    attempt: job.attempts,
    owner: job.owner ?? 'unknown',
    startedAt: job.startedAt ?? endedAt,
    endedAt,
    outcome,
    ...(error === undefined ? {} : { error: { name: error.name, message: error.message.slice(0, 500) } }),
  };
  return appendAttempt(job.history, record, LIMITS.attemptHistory);
}
