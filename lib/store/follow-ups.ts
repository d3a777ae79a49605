/**
 * What a store write leaves to be done after it commits, as data: the store writes one item (or
 * one transaction) and says what must follow; one lifecycle module (`lib/lifecycle/`) applies it.
 * None of it is needed for the write to stand, and each has a repair if it is lost (a crash, an
 * error): a hold whose claim ended is cleared by the next claimant refused for it; a child left
 * waiting on a final parent is told by the sweeper's dependency repair; a posting that never went
 * out is sent again by the sweeper's rescue.
 */
import type { Job } from '../model.js';
import { JobState, isFinal } from '../states.js';
import type { Holder } from './semaphores.js';

/** What a child needs to know of a parent that is final. */
export type FinishedParent = Pick<Job, 'id' | 'state' | 'children'>;

export type FollowUp =
  /** The ended claim's hold on a semaphore (a board's `maxRunning` slot, a scope): free it. */
  | { kind: 'dropHold'; key: string; holder: Holder }
  /** A parent turned final: tell these children (they drop it, fail with it, or are released). */
  | { kind: 'tellChildren'; parent: FinishedParent; children: readonly string[] }
  /** Jobs that are `posted` and need a posting (new, retried, resumed, released children). */
  | { kind: 'post'; jobs: readonly Job[] };

/** A write that may have follow-ups: the job as written, and what must follow. */
export interface Written {
  job: Job;
  followUps: readonly FollowUp[];
}

/** The follow-up of a job that turned final with children waiting on it (none otherwise). */
export function childrenToTell(job: Job): FollowUp[] {
  const children = job.children ?? [];
  return children.length === 0 || !isFinal(job.state) ? [] : [{ kind: 'tellChildren', parent: job, children }];
}

/** The posting a job needs after a write that left it `posted` with a deliverable time (none for a long delay: the sweeper posts it). */
export function postingNeeded(job: Job): FollowUp[] {
  return job.state === JobState.posted && job.postedAt !== undefined ? [{ kind: 'post', jobs: [job] }] : [];
}
