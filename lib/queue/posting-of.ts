/** The posting a job needs: on its priority's lane, grouped (SQS fair queues) by its board. */
import type { Job } from '../model.js';
import { DEFAULT_LANE, type OutgoingPosting } from './posting-queue.js';
import { boardOf } from '../boards/board.js';

/** `postedAt` in the future becomes the message's delay (SQS holds up to 15 minutes). */
export function postingOf(job: Job, now: number): OutgoingPosting {
  const board = boardOf(job);
  return {
    id: job.id,
    board,
    groupId: board,
    ...(job.scopes === undefined ? {} : { scopes: job.scopes }),
    lane: job.priority ?? DEFAULT_LANE,
    delaySeconds: Math.max(0, Math.ceil(((job.postedAt ?? now) - now) / 1_000)),
  };
}
