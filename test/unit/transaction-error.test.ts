/** A cancelled transaction is mapped, reason by reason, to the item that refused it or to a StorageError. */
import { describe, expect, it } from 'vitest';
import { marshall } from '@aws-sdk/util-dynamodb';
import { ClaimLostError, StorageError } from '../../lib/errors.js';
import type { Job } from '../../lib/model.js';
import * as transition from '../../lib/store/transitions.js';
import { transactionError } from '../../lib/dynamo/dynamo-item-table.js';

const now = 1_000_000;
const job: Job = { id: 'j1', type: 't', typeVersion: 1, payload: {}, state: 'claimed', owner: 'a', leaseExpiresAt: now, attempts: 1, maxAttempts: 3, errors: [], createdAt: 0, updatedAt: 0, timeoutSeconds: 60, version: 2, requestHash: 'h' };
const ctx = { now, clockSkewMs: 1_000, retentionDays: 7 };
const specs = [transition.heartbeat({ ...job, id: 'other' }, 1_000, ctx), transition.heartbeat(job, 1_000, ctx)];

describe('transactionError', () => {
  it('is the refusing item’s own error, built from the item the cancellation returned', () => {
    const error = transactionError(specs, [{ Code: 'None' }, { Code: 'ConditionalCheckFailed', Item: marshall({ pk: 'job#j1', ...job, owner: 'b' }) }], 'test');
    expect(error).toBeInstanceOf(ClaimLostError);
    expect(error.message).toContain('owned by b');
  });

  it('is a retryable StorageError for contention and throttling', () => {
    const error = transactionError(specs, [{ Code: 'TransactionConflict' }, { Code: 'None' }], 'test');
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).retryable).toBe(true);
    expect((transactionError(specs, [{ Code: 'ThrottlingError' }, { Code: 'ProvisionedThroughputExceeded' }], 'test') as StorageError).retryable).toBe(true);
  });

  it('is a non-retryable StorageError for a malformed request', () => {
    const error = transactionError(specs, [{ Code: 'ValidationError' }, { Code: 'None' }], 'test') as StorageError;
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('ValidationError');
  });
});
