/**
 * The errors of the store: refusals of writes, explained from the item as it stood.
 */
import { ClaimRefusedError, ConflictError, JobboardError, type ValidationIssue } from '../errors.js';
import type { Job } from '../model.js';
import type { Holder, SemaphoreRequest } from './semaphores.js';

/** A post whose id is taken. `existing` lets the store answer a repeated post with the original. */
export class JobExistsError extends ConflictError {
  constructor(readonly existing: Job) {
    super(`job ${existing.id} already exists with a different request`, { jobId: existing.id, state: existing.state });
  }
}

/** A claim refused by a semaphore: its board is paused or full, or its scope is held. `holders`: who held it. */
export class SemaphoreBusyError extends ClaimRefusedError {
  constructor(
    readonly request: SemaphoreRequest,
    readonly holders: readonly Holder[],
    readonly paused: boolean,
    jobId: string,
  ) {
    const what = request.kind === 'board' ? `board ${request.board} ${paused ? 'is paused' : 'runs its maxRunning jobs'}` : `scope ${request.key} is held`;
    super(request.kind === 'board' ? 'boardBusy' : 'scopeBusy', `${what} (${holders.length} holder${holders.length === 1 ? '' : 's'})`, 1_000, { jobId });
  }
}

/** 409: another unfinished job holds the key. `details` names it. */
export class DuplicateError extends JobboardError {
  override readonly name = 'DuplicateError';
  readonly code = 'DuplicateError';
  readonly details: readonly ValidationIssue[];
  constructor(
    readonly uniqueKey: string,
    readonly existingId: string,
  ) {
    super(`job ${existingId} holds uniqueKey ${JSON.stringify(uniqueKey)} and has not finished`, { jobId: existingId });
    this.details = [{ path: 'uniqueKey', message: `held by job ${existingId}` }];
  }
}

/** A key's item names another job: the post must look at that job before it may take the key. */
export class UniqueKeyTakenError extends Error {
  override readonly name = 'UniqueKeyTakenError';
  constructor(readonly holderId: string | undefined) {
    super(`the unique key is held by job ${holderId ?? '(unknown)'}`);
  }
}

/** Another processor moved the shard's checkpoint since this one read it. */
export class CheckpointMovedError extends Error {
  override readonly name = 'CheckpointMovedError';
}
