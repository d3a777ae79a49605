/**
 * Links children to parents and tells children when parents end (`dependency-transitions.ts`
 * has the writes and who may make them). Every step is idempotent, so the same telling may come
 * from the parent's ending writer, the child's post, or the sweeper's repair, in any order and
 * more than once: a child is released exactly when its last parent is final, never before.
 *
 * Each step writes the child (or the parent) and says what follows as data: a released child's
 * posting, or, for a child that ended `failed` because of a parent, its own children to tell (it is
 * itself a parent that ended). The lifecycle applies them, and so carries the news down.
 */
import { InvalidStateError, NotFoundError, isJobboardError } from '../errors.js';
import type { Job } from '../model.js';
import { JobState, isFinal } from '../states.js';
import { addChild, dropParent, failForParent, releaseWaiting } from './dependency-transitions.js';
import { childrenToTell, type FinishedParent, type FollowUp } from './follow-ups.js';
import type { TransitionContext } from './transitions.js';
import type { UpdateSpec } from './write-spec.js';

export type { FinishedParent };

export interface DependencyLinkDependencies {
  /** Writes one spec; returns the job as written. */
  update(spec: UpdateSpec): Promise<Job>;
  get(id: string): Promise<Job>;
  context(): TransitionContext;
  /** A child the telling released (it is `posted` now). */
  released(job: Job): void;
}

export class DependencyLinks {
  constructor(private readonly deps: DependencyLinkDependencies) {}

  /**
   * After a child's post: each parent it waits on learns of it; a parent that is final already
   * (or turns final meanwhile) is to be told to the child at once.
   */
  async link(child: Job, parents: ReadonlyMap<string, Job>): Promise<FollowUp[]> {
    const followUps: FollowUp[] = [];
    for (const parentId of child.waitingOn ?? []) {
      const parent = parents.get(parentId);
      if (parent !== undefined && isFinal(parent.state)) {
        followUps.push({ kind: 'tellChildren', parent, children: [child.id] });
        continue;
      }
      try {
        await this.deps.update(addChild(parentId, child.id));
      } catch (error) {
        if (!isJobboardError(error, InvalidStateError) && !isJobboardError(error, NotFoundError)) throw error;
        followUps.push({ kind: 'tellChildren', parent: await this.parentNow(parentId), children: [child.id] });
      }
    }
    return followUps;
  }

  /** Tells `children` that `parent` is final; what follows: released children's postings, failed children's own children. */
  async tell(parent: FinishedParent, children: readonly string[]): Promise<FollowUp[]> {
    const followUps: FollowUp[] = [];
    const released: Job[] = [];
    for (const childId of children) {
      const changed = await this.tellOne(childId, parent);
      if (changed?.state === JobState.posted) {
        this.deps.released(changed);
        released.push(changed);
      } else if (changed !== undefined) followUps.push(...childrenToTell(changed));
    }
    return released.length === 0 ? followUps : [{ kind: 'post', jobs: released }, ...followUps];
  }

  /**
   * The sweeper's repair of a `waiting` child whose parents' news may have been lost in a crash:
   * final parents are told again, unfinished ones learn of the child (again), and a child left
   * waiting on nobody is released.
   */
  async repair(child: Job, parents: ReadonlyMap<string, Job>): Promise<FollowUp[]> {
    const waitingOn = child.waitingOn ?? [];
    if (waitingOn.length === 0) {
      const released = await this.quietly(releaseWaiting(child.id, this.deps.context()));
      if (released === undefined) return [];
      this.deps.released(released);
      return [{ kind: 'post', jobs: [released] }];
    }
    const followUps: FollowUp[] = [];
    for (const parentId of waitingOn) {
      // A parent gone from the table was removed by TTL long after it ended: its outcome is unknown, so it counts as completed.
      const parent: FinishedParent = parents.get(parentId) ?? { id: parentId, state: JobState.completed };
      if (isFinal(parent.state)) followUps.push({ kind: 'tellChildren', parent, children: [child.id] });
      else if (!(parent.children ?? []).includes(child.id)) followUps.push(...(await this.link({ ...child, waitingOn: [parentId] }, parents)));
    }
    return followUps;
  }

  /** One telling: the child drops the parent (and is released if it was the last), or fails with it. */
  private async tellOne(childId: string, parent: FinishedParent): Promise<Job | undefined> {
    const child = await this.deps.get(childId).catch((error: unknown) => {
      if (isJobboardError(error, NotFoundError)) return undefined;
      throw error;
    });
    if (child === undefined || !(child.waitingOn ?? []).includes(parent.id)) return undefined;
    const ctx = this.deps.context();
    if (parent.state !== JobState.completed && (child.onParentFailure ?? 'fail') === 'fail') return this.quietly(failForParent(child, parent, ctx));
    const dropped = await this.quietly(dropParent(child.id, parent.id, ctx));
    if (dropped === undefined || dropped.state !== JobState.waiting || (dropped.waitingOn ?? []).length > 0) return dropped;
    return this.quietly(releaseWaiting(child.id, ctx));
  }

  /** A write that another telling may have made first: refused means done already. */
  private async quietly(spec: UpdateSpec): Promise<Job | undefined> {
    try {
      return await this.deps.update(spec);
    } catch (error) {
      if (isJobboardError(error, InvalidStateError) || isJobboardError(error, NotFoundError)) return undefined;
      throw error;
    }
  }

  private async parentNow(id: string): Promise<FinishedParent> {
    return this.deps.get(id).catch((error: unknown) => {
      if (isJobboardError(error, NotFoundError)) return { id, state: JobState.completed };
      throw error;
    });
  }
}
