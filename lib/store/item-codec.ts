/**
 * The item codec: a job ↔ its DynamoDB item. The item is the job's attributes plus what exists
 * only in storage: the key and the index keys. Other item kinds have codecs of their own.
 */
import type { Job } from '../model.js';
import { TABLE, jobKey, kindOfKey } from '../table.js';
import { isFinal } from '../states.js';
import { doneIndexAttributes, openIndexAttributes } from './keys.js';
import { boardOf } from '../boards/board.js';

/** Attributes that exist only on the item: the key and the index keys. */
const ITEM_ONLY = new Set<string>([
  TABLE.partitionKey,
  TABLE.openIndex.partitionKey,
  TABLE.openIndex.sortKey,
  TABLE.doneIndex.partitionKey,
  TABLE.doneIndex.sortKey,
]);

/**
 * Kept as DynamoDB string sets, so that a parent can be taken out of `waitingOn` (and a child
 * added to `children`) by one idempotent `DELETE`/`ADD`. DynamoDB holds no empty set: an empty
 * list is simply absent.
 */
const STRING_SETS = ['waitingOn', 'children'] as const;

/** The item a new job is written as: its key, its attributes and its open-index keys. */
export function newJobItem(job: Job): Record<string, unknown> {
  const item: Record<string, unknown> = { [TABLE.partitionKey]: jobKey(job.id) };
  for (const [key, value] of Object.entries(job)) if (value !== undefined) item[key] = value;
  for (const name of STRING_SETS) {
    const members = job[name];
    if (members === undefined || members.length === 0) delete item[name];
    else item[name] = new Set(members);
  }
  // Final at birth (a child of a parent that had already failed): straight into the done index.
  return Object.assign(item, isFinal(job.state) ? doneIndexAttributes(job.id, job.state, job.endedAt ?? job.createdAt, boardOf(job)) : openIndexAttributes(job.id, job.createdAt, job.board));
}

/** The job an item holds. An item of another kind is a programming error, not data to coerce. */
export function jobFromItem(item: Record<string, unknown>): Job {
  const pk = item[TABLE.partitionKey];
  if (typeof pk === 'string' && kindOfKey(pk) !== 'job') throw new TypeError(`item ${pk} is not a job`);
  const job: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(item)) if (!ITEM_ONLY.has(key)) job[key] = value instanceof Set ? [...(value as Set<unknown>)].sort() : value;
  return job as unknown as Job;
}
