/**
 * Turns what the DynamoDB client throws into Jobboard's terms: a refused condition (with the
 * item as it stood) or a `StorageError` that says whether retrying can help.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { StorageError } from '../errors.js';

/** Errors that describe the request itself, so sending it again cannot succeed. */
const NOT_RETRYABLE = new Set(['ValidationException', 'ResourceNotFoundException', 'AccessDeniedException', 'SerializationException']);

export function isConditionFailure(error: unknown): error is ConditionalCheckFailedException {
  return error instanceof ConditionalCheckFailedException || (error instanceof Error && error.name === 'ConditionalCheckFailedException');
}

/** The item as it was when the condition failed (`ReturnValuesOnConditionCheckFailure: ALL_OLD`), or undefined if there was none. */
export function itemFromConditionFailure(error: ConditionalCheckFailedException): Record<string, unknown> | undefined {
  const item = (error as { Item?: Record<string, AttributeValue> }).Item;
  return item === undefined || Object.keys(item).length === 0 ? undefined : unmarshall(item);
}

export function toStorageError(error: unknown, operation: string, jobId?: string): StorageError {
  const name = error instanceof Error ? error.name : 'UnknownError';
  const message = error instanceof Error ? error.message : String(error);
  return new StorageError(`DynamoDB ${operation} failed: ${name}: ${message}`, {
    cause: error,
    jobId,
    retryable: !NOT_RETRYABLE.has(name) && !(error instanceof TransactionCanceledException),
  });
}
