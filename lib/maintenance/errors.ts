/** The errors of bulk operations. */
import { JobboardError } from '../errors.js';

/** No operation of this id. Answers 404 like a missing job. */
export class OperationNotFoundError extends JobboardError {
  override readonly name = 'OperationNotFoundError';
  readonly code = 'NotFoundError';
  constructor(readonly operationId: string) {
    super(`operation ${operationId} does not exist`);
  }
}

/**
 * A runner may not write the operation: `held` by another runner's live lease, `ended`
 * already, `missing`, or `lost` (another runner took over, or it ended, since this one acquired it).
 */
export class OperationLeaseError extends JobboardError {
  override readonly name = 'OperationLeaseError';
  readonly code = 'OperationLeaseError';
  constructor(
    readonly operationId: string,
    readonly reason: 'held' | 'ended' | 'missing' | 'lost',
  ) {
    super(`operation ${operationId}: lease ${reason}`);
  }
}
