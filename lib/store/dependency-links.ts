/**
 * Links children to parents and tells children when parents end (`dependency-transitions.ts`
 * has the writes and who may make them). Every step is idempotent, so the same telling may come
 * from the parent's ending writer, the child's post, or the sweeper's repair, in any order and
 * more than once: a child is released exactly when its last parent is final, never before.
 *
 * A child that ends `failed` because of a parent is itself a parent that ended: its own children
 * are told in turn.
 */
import { InvalidStateError, NotFoundError, isJobboardError } from '../errors.js';
import type { Job } from '../model.js';
import { JobState, isFinal } from '../states.js';
import { addChild, dropParent, failForParent, releaseWaiting } from './dependency-transitions.js';
import type { TransitionContext } from './transitions.js';
import type { UpdateSpec } from './write-spec.js';

export interface DependencyLinkDependencies {
  /** Sends one write; returns the job as written. */
  update(spec: UpdateSpec): Promise<Job>;
  get(id: string): Promise<Job>;
  context(): TransitionContext;
  /** Children that became `posted`: their postings must go out. */
  onReleased(jobs: Job[]): Promise<void>;
}

/** What a child needs to know of a parent that is final. */
export type FinishedParent = Pick<Job, 'id' | 'state' | 'children'>;

export class DependencyLinks {
  constructor(private readonly deps: DependencyLinkDependencies) {}

  /**
   * After a child's post: each parent it waits on learns of it; a parent that is final already
   * (or turns final meanwhile) is told to the child at once.
   */
  async link(child: Job, parents: ReadonlyMap<string, Job>): Promise<void> {
    for (const parentId of child.waitingOn ?? []) {
      const parent = parents.get(parentId);
      if (parent !== undefined && isFinal(parent.state)) {
        await this.parentFinished(parent, [child.id]);
        continue;
      }
      try {
        await this.deps.update(addChild(parentId, child.id));
      } catch (error) {
        if (!isJobboardError(error, InvalidStateError) && !isJobboardError(error, NotFoundError)) throw error;
        await this.parentFinished(await this.parentNow(parentId), [child.id]);
      }
    }
  }

  /** Tells `children` (default: all the parent's) that `parent` is final, and carries the news down. */
  async parentFinished(parent: FinishedParent, children: readonly string[] = parent.children ?? []): Promise<void> {
    const released: Job[] = [];
    const told: [FinishedParent, string][] = children.map((childId) => [parent, childId]);
    for (let next = told.shift(); next !== undefined; next = told.shift()) {
      const [from, childId] = next;
      const changed = await this.tell(childId, from);
      if (changed?.state === JobState.posted) released.push(changed);
      else if (changed !== undefined && isFinal(changed.state)) told.push(...(changed.children ?? []).map((id): [FinishedParent, string] => [changed, id]));
    }
    if (released.length > 0) await this.deps.onReleased(released);
  }

  /**
   * The sweeper's repair of a `waiting` child whose parents' news may have been lost in a crash:
   * final parents are told again, unfinished ones learn of the child (again), and a child left
   * waiting on nobody is released.
   */
  async repair(child: Job, parents: ReadonlyMap<string, Job>): Promise<void> {
    const waitingOn = child.waitingOn ?? [];
    if (waitingOn.length === 0) {
      const released = await this.quietly(releaseWaiting(child.id, this.deps.context().now));
      if (released !== undefined) await this.deps.onReleased([released]);
      return;
    }
    for (const parentId of waitingOn) {
      // A parent gone from the table was removed by TTL long after it ended: its outcome is unknown, so it counts as completed.
      const parent: FinishedParent = parents.get(parentId) ?? { id: parentId, state: JobState.completed };
      if (isFinal(parent.state)) await this.parentFinished(parent, [child.id]);
      else if (!(parent.children ?? []).includes(child.id)) await this.link({ ...child, waitingOn: [parentId] }, parents);
    }
  }

  /** One telling: the child drops the parent (and is released if it was the last), or fails with it. */
  private async tell(childId: string, parent: FinishedParent): Promise<Job | undefined> {
    const child = await this.deps.get(childId).catch((error: unknown) => {
      if (isJobboardError(error, NotFoundError)) return undefined;
      throw error;
    });
    if (child === undefined || !(child.waitingOn ?? []).includes(parent.id)) return undefined;
    const ctx = this.deps.context();
    if (parent.state !== JobState.completed && (child.onParentFailure ?? 'fail') === 'fail') return this.quietly(failForParent(child, parent, ctx));
    const dropped = await this.quietly(dropParent(child.id, parent.id, ctx.now));
    if (dropped === undefined || dropped.state !== JobState.waiting || (dropped.waitingOn ?? []).length > 0) return dropped;
    return this.quietly(releaseWaiting(child.id, ctx.now));
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
