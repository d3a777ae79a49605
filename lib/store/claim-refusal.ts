/**
 * Why a claim was refused, decided from the item as it stood when the condition failed.
 * Pure, so every branch is tested without a database.
 */
import { ClaimRefusedError } from '../errors.js';
import type { Job } from '../model.js';
import { JobState, isFinal } from '../states.js';
import { boardOf } from '../boards/board.js';

/** What the refused claim brought: its scopes, and the board whose settings its claimant checked. */
export interface ClaimBrought {
  scopesHeld?: number;
  board?: string;
}

export function claimRefusal(id: string, job: Job | undefined, now: number, clockSkewMs: number, brought: ClaimBrought = {}): ClaimRefusedError {
  const scopesHeld = brought.scopesHeld ?? 0;
  if (job === undefined) return new ClaimRefusedError('missing', `job ${id} does not exist`, undefined, { jobId: id });
  const context = { jobId: id, state: job.state, owner: job.owner };
  if (isFinal(job.state)) return new ClaimRefusedError('final', `job ${id} is already ${job.state}`, undefined, context, job);
  if (job.state === JobState.waiting || job.state === JobState.suspended) {
    return new ClaimRefusedError('inactive', `job ${id} is ${job.state}`, undefined, context, job);
  }
  if (job.state === JobState.claimed && (job.leaseExpiresAt ?? 0) >= now - clockSkewMs) {
    const retryAfterMs = (job.leaseExpiresAt ?? now) + clockSkewMs - now + 1;
    return new ClaimRefusedError('leased', `job ${id} is claimed by ${job.owner} under a live lease`, retryAfterMs, context, job);
  }
  // Posted or abandoned after a stop was asked of it, or its owner died: stopped, never started again.
  if (job.stopRequested !== undefined) {
    return new ClaimRefusedError('stopRequested', `job ${id} has a ${job.stopRequested} request`, undefined, context, job);
  }
  if (job.attempts >= job.maxAttempts) {
    return new ClaimRefusedError('exhausted', `job ${id} has used all ${job.maxAttempts} attempts`, undefined, context, job);
  }
  if (job.waitUntil !== undefined && job.waitUntil > now) {
    return new ClaimRefusedError('notDue', `job ${id} is not due before ${new Date(job.waitUntil).toISOString()}`, job.waitUntil - now, context, job);
  }
  if (brought.board !== undefined && boardOf(job) !== brought.board) {
    return new ClaimRefusedError('otherBoard', `job ${id} is on board ${boardOf(job)}, not ${brought.board}`, undefined, context, job);
  }
  if ((job.scopes?.length ?? 0) !== scopesHeld) {
    return new ClaimRefusedError('scopesMissing', `job ${id} has ${job.scopes?.length ?? 0} scopes; the claim brought ${scopesHeld}`, undefined, context, job);
  }
  if (job.dispatchBy !== undefined && job.dispatchBy <= now && job.attempts === 0) {
    return new ClaimRefusedError('expired', `job ${id} was not dispatched by ${new Date(job.dispatchBy).toISOString()}`, undefined, context, job);
  }
  // The condition failed, yet the item as returned would pass it: a clock or schema mismatch.
  return new ClaimRefusedError('leased', `job ${id} could not be claimed (version ${job.version}); try again`, 1_000, context, job);
}
