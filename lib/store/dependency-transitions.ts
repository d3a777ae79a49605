/**
 * Dependencies between jobs (DESIGN.md, Dependencies): a child is `waiting` while its `waitingOn`
 * set names a parent that is not final; each parent's `children` set names who to tell when it
 * ends. Pure specs.
 *
 * Who may write when:
 * - addChild: the child's post, while the parent is not final (a parent that ended meanwhile is
 *   refused, and the post tells the child itself).
 * - dropParent: whoever learns that a parent is final (its ending writer, the child's post, the
 *   sweeper), while the child is `waiting` or `suspended` and still names that parent. A second
 *   telling (a redelivered notification, a racing sweeper) finds the parent gone from the set
 *   and changes nothing: a set member is removed once, so no child is released early.
 * - releaseWaiting: after a drop, once `waitingOn` is empty (DynamoDB removes an empty set), while
 *   the child is `waiting`.
 * - failForParent: instead of a drop when the parent ended `failed`/`trashed` and the child's
 *   policy is `fail`; same condition.
 */
import type { Job } from '../model.js';
import { JobState } from '../states.js';
import { TABLE, jobKey } from '../table.js';
import { stateRefusal } from './refusals.js';
import { finalAttributes, withError } from './transition-parts.js';
import type { TransitionContext } from './transitions.js';
import type { UpdateSpec } from './write-spec.js';

const TOLD = '#state IN (:waiting, :suspended) AND contains(#waitingOn, :parent)';

export function addChild(parentId: string, childId: string): UpdateSpec {
  return {
    kind: 'update',
    operation: 'addChild',
    key: jobKey(parentId),
    set: {},
    addToSet: { children: [childId] },
    condition: 'NOT #state IN (:completed, :failed, :trashed)',
    values: { ':completed': JobState.completed, ':failed': JobState.failed, ':trashed': JobState.trashed },
    refused: stateRefusal(parentId, 'add a child to'),
  };
}

export function dropParent(childId: string, parentId: string, ctx: TransitionContext): UpdateSpec {
  return {
    kind: 'update',
    operation: 'dropParent',
    key: jobKey(childId),
    set: { updatedAt: ctx.now },
    deleteFromSet: { waitingOn: [parentId] },
    condition: TOLD,
    values: { ':waiting': JobState.waiting, ':suspended': JobState.suspended, ':parent': parentId },
    refused: stateRefusal(childId, `drop parent ${parentId} of`),
  };
}

export function releaseWaiting(childId: string, ctx: TransitionContext): UpdateSpec {
  return {
    kind: 'update',
    operation: 'releaseWaiting',
    key: jobKey(childId),
    set: { state: JobState.posted, postedAt: ctx.now, updatedAt: ctx.now },
    condition: '#state = :waiting AND attribute_not_exists(#waitingOn)',
    values: { ':waiting': JobState.waiting },
    refused: stateRefusal(childId, 'release'),
  };
}

export function failForParent(child: Job, parent: Pick<Job, 'id' | 'state'>, ctx: TransitionContext): UpdateSpec {
  const error = { name: 'ParentFailedError', message: `parent ${parent.id} ended ${parent.state}` };
  return {
    kind: 'update',
    operation: 'failForParent',
    key: jobKey(child.id),
    set: { state: JobState.failed, errors: withError(child, error, ctx.now), endedAt: ctx.now, updatedAt: ctx.now, ...finalAttributes(child, JobState.failed, ctx) },
    remove: ['waitingOn', TABLE.openIndex.partitionKey],
    condition: TOLD,
    values: { ':waiting': JobState.waiting, ':suspended': JobState.suspended, ':parent': parent.id },
    refused: stateRefusal(child.id, `fail (parent ${parent.id} ${parent.state})`),
  };
}
