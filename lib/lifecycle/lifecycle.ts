/**
 * Where a write's follow-ups are applied (`store/follow-ups.ts`): the holds of an ended claim
 * dropped, the children of a parent that ended told (and theirs, for a child that failed with it),
 * and the postings of jobs left `posted` sent, all of one settlement in one batched send. Every
 * component that writes a job through the store (the conductor, the job service, maintenance)
 * settles the write here, so there is one path and one way of failing: a follow-up that fails is
 * logged and left to its repair (a stale hold is cleared by the next claimant refused for it, a
 * child left waiting is told by the sweeper's dependency repair, a posting that never went out is
 * sent by the sweeper's rescue), and never undoes or fails the write it follows.
 */
import type { Logger } from '../logger.js';
import type { Job } from '../model.js';
import type { PostingSender } from '../queue/posting-sender.js';
import type { FollowUp, Written } from '../store/follow-ups.js';
import type { JobStore } from '../store/job-store.js';

/** Rounds of telling before the rest is left to the sweeper: a failed child's children, theirs, and so on. */
const MAX_TELLING_ROUNDS = 100;

export interface LifecycleDependencies {
  store: Pick<JobStore, 'dropHold' | 'tellChildren'>;
  postings: PostingSender;
  logger: Logger;
}

export class Lifecycle {
  constructor(private readonly deps: LifecycleDependencies) {}

  /** Applies a write's follow-ups; answers the job as the write left it. */
  async settle(written: Written): Promise<Job> {
    await this.apply(written.followUps);
    return written.job;
  }

  /** Applies follow-ups of any number of writes; never throws. */
  async apply(followUps: readonly FollowUp[]): Promise<void> {
    const toPost: Job[] = [];
    let pending = [...followUps];
    for (let round = 0; pending.length > 0; round++) {
      if (round === MAX_TELLING_ROUNDS) {
        this.deps.logger.warn('follow_ups_left', { count: pending.length, recovery: 'the sweeper tells waiting children' });
        break;
      }
      const next: FollowUp[] = [];
      await Promise.all(
        pending.map(async (followUp) => {
          switch (followUp.kind) {
            case 'post':
              toPost.push(...followUp.jobs);
              return;
            case 'dropHold':
              await this.deps.store.dropHold(followUp.key, followUp.holder).catch((error: unknown) => {
                // Refused: cleared already by a claimant. Failed: the claim has ended, so a claimant clears it.
                this.deps.logger.info('hold_not_dropped', { key: followUp.key, jobId: followUp.holder.jobId, error, recovery: 'the next claimant refused for it clears it' });
              });
              return;
            case 'tellChildren':
              try {
                next.push(...(await this.deps.store.tellChildren(followUp.parent, followUp.children)));
              } catch (error) {
                this.deps.logger.warn('children_not_told', { jobId: followUp.parent.id, children: followUp.children.slice(0, 20), error, recovery: 'the sweeper tells waiting children' });
              }
              return;
          }
        }),
      );
      pending = next;
    }
    await this.deps.postings.sendFor(toPost);
  }
}
