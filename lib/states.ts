/**
 * The states a job can be in. Lease expiry is never a state of its own: a `claimed` job whose
 * `leaseExpiresAt` has passed is claimable again, computed from timestamps at claim time.
 */
export const JobState = {
  /** Waiting for a conductor. In: post, abandon, retry, release. Out: claim, trash, expiry of `dispatchBy`. */
  posted: 'posted',
  /** Owned by one conductor until its lease expires. In: claim. Out: consume, abandon, fail, re-claim after the lease, trash after the lease, a requested stop. */
  claimed: 'claimed',
  /** Open, not claimable, no posting in flight: waits for its parents. In: post with unfinished parents, resume. Out: parents completed, trash, suspend. */
  waiting: 'waiting',
  /** Open, not claimable (Launchpad's SUSPENDED). In: suspend, a stopped run, `SuspendError`. Out: resume, trash. */
  suspended: 'suspended',
  /** Final: the owner recorded success. In: consume. Out: none (a job is never completed twice). */
  completed: 'completed',
  /** Final: permanent error, last attempt used, or never dispatched in time. In: fail. Out: operator retry. */
  failed: 'failed',
  /** Final: an operator removed a job that had not finished. In: trash. Out: operator retry. */
  trashed: 'trashed',
} as const;

export type JobState = (typeof JobState)[keyof typeof JobState];

/** Every state, in the order the API and stats present them. */
export const JOB_STATES: readonly JobState[] = Object.values(JobState);

/** States a job leaves only through an operator's retry. */
export const FINAL_STATES = [JobState.completed, JobState.failed, JobState.trashed] as const;
export type FinalState = (typeof FINAL_STATES)[number];

/** States of a job that still has work ahead: it sits in the open index. */
export const OPEN_STATES = [JobState.posted, JobState.claimed, JobState.waiting, JobState.suspended] as const;
export type OpenState = (typeof OPEN_STATES)[number];

export function isFinal(state: JobState): state is FinalState {
  return (FINAL_STATES as readonly JobState[]).includes(state);
}

export function isOpen(state: JobState): state is OpenState {
  return (OPEN_STATES as readonly JobState[]).includes(state);
}

export function isJobState(value: unknown): value is JobState {
  return typeof value === 'string' && (JOB_STATES as readonly string[]).includes(value);
}

/** How many jobs are in each state. */
export type CountByState = Record<JobState, number>;
