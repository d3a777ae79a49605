/**
 * The maintenance tasks that look at open jobs, each a pure decision with its own options:
 * - expire: fail jobs whose `dispatchBy` passed before they ever started;
 * - promote: post delayed jobs as they fall due (SQS holds a delay of 15 minutes at most);
 * - rescue: re-post jobs whose posting seems lost: still open long after their posting became
 *   deliverable (or their lease ran out).
 *
 * The backlog rule (rescue): a posting is presumed lost only when it has been deliverable for
 * longer than `horizonMs` AND the queue has no visible messages waiting. A queue with a backlog
 * is still delivering: its old postings are waiting, not lost, and re-posting them would multiply
 * them. Behind a backlog a posting is presumed lost only after `backlogHorizonMs` (default 1 h),
 * and every re-post moves `postedAt`, so a job is re-posted at most once per horizon.
 *
 * Rescue can run a job twice: a "lost" posting may only be late. At-least-once is the contract;
 * the claim still guarantees that no two runs overlap.
 */
import type { SweeperOptions } from '../config.js';
import type { Job } from '../model.js';
import { JobState } from '../states.js';

export type SweepAction = { kind: 'none' } | { kind: 'post'; postedAt: number; delaySeconds: number } | { kind: 'expire' };

export interface SweepInput {
  now: number;
  /** True when the postings queue has no visible messages. */
  queueIdle: boolean;
  /** Start-up repair: the queue was lost, so every open job needs a posting now. */
  repostAll: boolean;
}

const NONE: SweepAction = { kind: 'none' };
/** Posted or claimed: a job whose posting may be lost (waiting and suspended ones have none in flight). */
const isRunnable = (job: Job) => job.state === JobState.posted || job.state === JobState.claimed;

/** A delayed job whose posting has not been sent for its due time (the delay exceeded SQS's 15 minutes). */
export function hasUnsentDelay(job: Job): boolean {
  return job.state === JobState.posted && job.waitUntil !== undefined && (job.postedAt === undefined || job.postedAt < job.waitUntil);
}

/** expire: a job never started by its `dispatchBy` fails. */
export function decideExpire(job: Job, now: number): SweepAction {
  return job.state === JobState.posted && job.attempts === 0 && job.dispatchBy !== undefined && job.dispatchBy <= now ? { kind: 'expire' } : NONE;
}

/** promote: an unsent delayed job is posted once it falls due within the lookahead. */
export function decidePromote(job: Job, now: number, options: Pick<SweeperOptions, 'lookaheadMs'>): SweepAction {
  if (!hasUnsentDelay(job)) return NONE;
  const waitUntil = job.waitUntil as number;
  const dueInMs = waitUntil - now;
  if (dueInMs > options.lookaheadMs) return NONE;
  return { kind: 'post', postedAt: Math.max(now, waitUntil), delaySeconds: Math.max(0, Math.ceil(dueInMs / 1_000)) };
}

/** rescue: a sent posting presumed lost (see the backlog rule) is sent again. */
export function decideRescue(job: Job, input: SweepInput, options: Pick<SweeperOptions, 'horizonMs' | 'backlogHorizonMs'>): SweepAction {
  if (!isRunnable(job) || hasUnsentDelay(job)) return NONE;
  if (input.repostAll) return { kind: 'post', postedAt: input.now, delaySeconds: 0 };
  // When the job's current posting could last have been delivered, or its owner last heard from.
  const quietSince = Math.max(job.postedAt ?? job.createdAt, job.waitUntil ?? 0, job.state === JobState.claimed ? (job.leaseExpiresAt ?? 0) : 0);
  const quietForMs = input.now - quietSince;
  const lost = quietForMs > options.horizonMs && (input.queueIdle || quietForMs > options.backlogHorizonMs);
  return lost ? { kind: 'post', postedAt: input.now, delaySeconds: 0 } : NONE;
}

/** What a sweep does with one open job: the first task with something to do decides. */
export function decideSweep(job: Job, input: SweepInput, options: Pick<SweeperOptions, 'horizonMs' | 'backlogHorizonMs' | 'lookaheadMs'>): SweepAction {
  if (!isRunnable(job)) return NONE;
  for (const action of [decideExpire(job, input.now), decidePromote(job, input.now, options), decideRescue(job, input, options)]) {
    if (action.kind !== 'none') return action;
  }
  return NONE;
}
