/**
 * Writing a new job: one conditional put, or, for a job with a `uniqueKey`, the put and the key's
 * item in one transaction (`unique-keys.ts` has the key's timeline). A repeated post with the same
 * `requestHash` answers the job already written.
 */
import { NotFoundError, StorageError, isJobboardError } from '../errors.js';
import type { Job } from '../model.js';
import { isFinal } from '../states.js';
import * as transition from './transitions.js';
import { claimUniqueKey, replaceUniqueKey } from './unique-keys.js';
import type { ItemTable } from './item-table.js';
import { JobExistsError, DuplicateError, UniqueKeyTakenError } from './errors.js';

export interface PostJobDependencies {
  table: ItemTable;
  get(id: string): Promise<Job>;
}

/** Rounds of "the holder is final: replace it" before a post gives up (each round another post won the key). */
const UNIQUE_ROUNDS = 3;

export async function postJob(deps: PostJobDependencies, job: Job): Promise<{ job: Job; created: boolean }> {
  try {
    if (job.uniqueKey === undefined) await deps.table.write(transition.post(job));
    else await postUnique(deps, job, job.uniqueKey);
    return { job, created: true };
  } catch (error) {
    if (!(error instanceof JobExistsError)) throw error;
    if (error.existing.requestHash === job.requestHash) return { job: error.existing, created: false };
    throw error;
  }
}

async function postUnique(deps: PostJobDependencies, job: Job, key: string): Promise<void> {
  let finishedHolder: string | undefined;
  for (let round = 0; round < UNIQUE_ROUNDS; round++) {
    const keySpec = finishedHolder === undefined ? claimUniqueKey(key, job.id) : replaceUniqueKey(key, job.id, finishedHolder);
    try {
      await deps.table.writeAll([transition.post(job), keySpec], 'postUnique');
      return;
    } catch (error) {
      if (!(error instanceof UniqueKeyTakenError) || error.holderId === undefined) throw error;
      const holder = await deps.get(error.holderId).catch((e: unknown) => {
        if (isJobboardError(e, NotFoundError)) return undefined; // removed by TTL long after it ended
        throw e;
      });
      if (holder !== undefined && !isFinal(holder.state)) throw new DuplicateError(key, holder.id);
      finishedHolder = error.holderId;
    }
  }
  throw new StorageError(`uniqueKey ${JSON.stringify(key)} changed hands ${UNIQUE_ROUNDS} times during one post; try again`, { retryable: true, jobId: job.id });
}
