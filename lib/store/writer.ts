/**
 * Sends write specs to DynamoDB: one conditional write, or several items in one transaction.
 * A refused condition becomes the spec's own typed error, built from the item as it stood; a
 * cancelled transaction is mapped, reason by reason, to the item that refused it. Everything
 * else is a `StorageError` that says whether trying again can help.
 */
import { ConditionalCheckFailedException, TransactionCanceledException, type AttributeValue, type CancellationReason } from '@aws-sdk/client-dynamodb';
import { PutCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { StorageError } from '../errors.js';
import { TABLE } from '../table.js';
import { renderPut, renderUpdate, type WriteSpec } from './write-spec.js';

/** Errors that describe the request itself, so sending it again cannot succeed. */
const NOT_RETRYABLE = new Set(['ValidationException', 'ResourceNotFoundException', 'AccessDeniedException', 'SerializationException']);

/** Cancellation reasons that say "not now" rather than "no": contention and capacity. */
const RETRYABLE_CANCELLATIONS = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);

/** A transaction holds at most 100 items. */
export const TRANSACTION_MAX_ITEMS = 100;

export class ItemWriter {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Sends one spec; returns the item as written (ALL_NEW for updates, the item for puts). */
  async write(spec: WriteSpec): Promise<Record<string, unknown>> {
    try {
      if (spec.kind === 'put') {
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...spec.item, [TABLE.partitionKey]: spec.key },
            ...withoutEmptyValues(renderPut(spec)),
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return spec.item;
      }
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [TABLE.partitionKey]: spec.key },
          ...withoutEmptyValues(renderUpdate(spec)),
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return Attributes ?? {};
    } catch (error) {
      if (isConditionFailure(error)) throw spec.refused(itemOf((error as { Item?: Record<string, AttributeValue> }).Item));
      throw toStorageError(error, spec.operation, spec.key);
    }
  }

  /**
   * Sends the specs as one transaction: all are written or none. When a condition refuses, the
   * first refusing spec's error is thrown (built from its item as it stood); contention and
   * throttling cancellations are retryable `StorageError`s.
   */
  async writeAll(specs: readonly WriteSpec[], operation: string): Promise<void> {
    if (specs.length === 0) return;
    if (specs.length > TRANSACTION_MAX_ITEMS) throw new StorageError(`${operation}: ${specs.length} items exceed a transaction's ${TRANSACTION_MAX_ITEMS}`, { retryable: false });
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: specs.map((spec) =>
            spec.kind === 'put'
              ? { Put: { TableName: this.tableName, Item: { ...spec.item, [TABLE.partitionKey]: spec.key }, ...withoutEmptyValues(renderPut(spec)), ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } }
              : { Update: { TableName: this.tableName, Key: { [TABLE.partitionKey]: spec.key }, ...withoutEmptyValues(renderUpdate(spec)), ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
          ),
        }),
      );
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (reasons === undefined) throw toStorageError(error, operation);
      throw transactionError(specs, reasons, operation, error);
    }
  }
}

/**
 * The error a cancelled transaction means: the first item refused by its condition (its spec
 * explains why), else a `StorageError`, retryable when every reason is contention or capacity.
 */
export function transactionError(specs: readonly WriteSpec[], reasons: readonly CancellationReason[], operation: string, cause?: unknown): Error {
  const refusedAt = reasons.findIndex((reason) => reason.Code === 'ConditionalCheckFailed');
  const spec = specs[refusedAt];
  if (spec !== undefined) return spec.refused(itemOf(reasons[refusedAt]?.Item));
  const codes = reasons.map((reason) => reason.Code ?? 'None').filter((code) => code !== 'None');
  const retryable = codes.length > 0 && codes.every((code) => RETRYABLE_CANCELLATIONS.has(code));
  return new StorageError(`DynamoDB ${operation} transaction cancelled: ${codes.join(', ') || 'no reason given'}`, { cause, retryable });
}

export function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException || (error instanceof Error && error.name === 'ConditionalCheckFailedException');
}

function cancellationReasons(error: unknown): CancellationReason[] | undefined {
  const isCancel = error instanceof TransactionCanceledException || (error instanceof Error && error.name === 'TransactionCanceledException');
  return isCancel ? ((error as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? []) : undefined;
}

/** An item as DynamoDB returned it on a refusal, or undefined if there was none. */
function itemOf(item: Record<string, AttributeValue> | undefined): Record<string, unknown> | undefined {
  return item === undefined || Object.keys(item).length === 0 ? undefined : unmarshall(item);
}

export function toStorageError(error: unknown, operation: string, key?: string): StorageError {
  const name = error instanceof Error ? error.name : 'UnknownError';
  const message = error instanceof Error ? error.message : String(error);
  return new StorageError(`DynamoDB ${operation} failed: ${name}: ${message}`, {
    cause: error,
    jobId: key?.startsWith('job#') ? key.slice(4) : undefined,
    retryable: !NOT_RETRYABLE.has(name),
  });
}

/** DynamoDB rejects an empty ExpressionAttributeValues map. */
function withoutEmptyValues<T extends { ExpressionAttributeValues: Record<string, unknown> }>(rendered: T): T | Omit<T, 'ExpressionAttributeValues'> {
  if (Object.keys(rendered.ExpressionAttributeValues).length > 0) return rendered;
  const { ExpressionAttributeValues: _unused, ...rest } = rendered;
  return rest;
}
