/**
 * Refused writes, explained from the item as it stood when the condition failed. Pure: the
 * item comes from `ReturnValuesOnConditionCheckFailure: ALL_OLD` (or a transaction's
 * `CancellationReasons`), never from a second read.
 */
import { ClaimLostError, InvalidStateError, NotFoundError } from '../errors.js';
import type { Job } from '../model.js';
import { JobState, isFinal } from '../states.js';
import { jobFromItem } from './item-codec.js';
import type { Refusal } from './write-spec.js';

/** Adapts a refusal written in terms of jobs to the raw item the writer hands over. */
export function jobRefusal(explain: (current: Job | undefined) => Error): Refusal {
  return (item) => explain(item === undefined ? undefined : jobFromItem(item));
}

/** A write of the job's owner was refused: the job is gone, or someone else owns it now. */
export function ownerRefusal(job: Job, operation: string): Refusal {
  return jobRefusal((current) =>
    current === undefined
      ? new NotFoundError(job.id)
      : new ClaimLostError(`${operation} refused: job ${job.id} is ${current.state}${current.owner === job.owner ? '' : `, owned by ${current.owner ?? 'nobody'}`}`, {
          jobId: job.id,
          state: current.state,
          owner: current.owner,
        }),
  );
}

/** An operator's (or the sweeper's) transition was refused: the job is missing or in another state. */
export function stateRefusal(id: string, action: string): Refusal {
  return jobRefusal((current) => {
    if (current === undefined) return new NotFoundError(id);
    const why = isFinal(current.state) ? `it is already ${current.state}` : current.state === JobState.claimed ? 'it is claimed under a live lease' : `it is ${current.state}`;
    return new InvalidStateError(`cannot ${action} job ${id}: ${why}`, { jobId: id, state: current.state, owner: current.owner });
  });
}

/** True when the claimed job's lease has run out, clock skew included: another claim may take over. */
export function leaseExpired(job: Job, now: number, clockSkewMs: number): boolean {
  return job.state === JobState.claimed && (job.leaseExpiresAt ?? 0) < now - clockSkewMs;
}
