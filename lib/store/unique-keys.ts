/**
 * Unique jobs (DESIGN.md, Scopes and unique jobs): `unique#<key>` names the job that holds the
 * key. A post with a `uniqueKey` writes the job and the key item in one transaction.
 *
 * Who may write when:
 * - claim: a post, while no item holds the key (`attribute_not_exists`): of twenty racing posts
 *   one wins, the others read the holder.
 * - replace: a post that has read the holder and found it final (or gone), conditioned on the
 *   item still naming that holder, so two posts replacing the same final holder cannot both win.
 * Nothing frees a key when its job ends: the next post finds the holder final and replaces it.
 * So a key is free once its job is final by any path (consume, fail, trash, cancel), at no cost.
 */
import type { PutSpec } from './write-spec.js';
import { itemKey } from '../table.js';
import { UniqueKeyTakenError } from './errors.js';

export function uniqueKeyItemKey(key: string): string {
  return itemKey('unique', key);
}

function keySpec(key: string, jobId: string, condition: string, values: Record<string, unknown>): PutSpec {
  return {
    kind: 'put',
    operation: 'takeUniqueKey',
    key: uniqueKeyItemKey(key),
    item: { jobId },
    condition,
    values,
    refused: (item) => new UniqueKeyTakenError(typeof item?.jobId === 'string' ? item.jobId : undefined),
  };
}

export function claimUniqueKey(key: string, jobId: string): PutSpec {
  return keySpec(key, jobId, 'attribute_not_exists(#pk)', {});
}

export function replaceUniqueKey(key: string, jobId: string, finishedHolder: string): PutSpec {
  return keySpec(key, jobId, '#jobId = :holder', { ':holder': finishedHolder });
}
