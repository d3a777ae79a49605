/**
 * The table port on DynamoDB, the only importer of the DynamoDB client in lib/: write specs sent
 * as one conditional write or one transaction, consistent or eventual reads of items, bounded
 * pages of an index partition. A refused condition becomes the spec's own typed error, built from
 * the item as it stood (`ReturnValuesOnConditionCheckFailure`); a cancelled transaction is mapped,
 * reason by reason, to the item that refused it. Everything else is a `StorageError` that says
 * whether trying again can help.
 */
import { ConditionalCheckFailedException, TransactionCanceledException, type AttributeValue, type CancellationReason } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
  type QueryCommandOutput,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall, type NativeAttributeValue } from '@aws-sdk/util-dynamodb';
import { StorageError } from '../errors.js';
import type { Item, ItemTable, PartitionPage, PartitionRange, ReadOptions } from '../store/item-table.js';
import { TRANSACTION_MAX_ITEMS, renderConditionOf, renderUpdate, type WriteSpec } from '../store/write-spec.js';
import { TABLE, type IndexDefinition } from '../table.js';
import { boundsOf, withinBounds } from '../store/partition-bounds.js';

/** Errors that describe the request itself, so sending it again cannot succeed. */
const NOT_RETRYABLE = new Set(['ValidationException', 'ResourceNotFoundException', 'AccessDeniedException', 'SerializationException']);

/** Cancellation reasons that say "not now" rather than "no": contention and capacity. */
const RETRYABLE_CANCELLATIONS = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);

/** A BatchGetItem takes at most 100 keys. */
const BATCH_GET_MAX = 100;
/** Rounds of UnprocessedKeys before a read gives up with a retryable error. */
const BATCH_GET_ROUNDS = 8;

export class DynamoItemTable implements ItemTable {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  async write(spec: Exclude<WriteSpec, { kind: 'conditionCheck' }>): Promise<Item> {
    const Key = { [TABLE.partitionKey]: spec.key };
    try {
      switch (spec.kind) {
        case 'put':
          await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...spec.item, ...Key }, ...sendable(renderConditionOf(spec)), ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }));
          return { ...spec.item, ...Key };
        case 'update': {
          const { Attributes } = await this.client.send(
            new UpdateCommand({ TableName: this.tableName, Key, ...sendable(renderUpdate(spec)), ReturnValues: 'ALL_NEW', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
          );
          return Attributes ?? {};
        }
        case 'delete': {
          const { Attributes } = await this.client.send(
            new DeleteCommand({ TableName: this.tableName, Key, ...sendable(renderConditionOf(spec)), ReturnValues: 'ALL_OLD', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
          );
          return Attributes ?? {};
        }
      }
    } catch (error) {
      if (isConditionFailure(error)) throw spec.refused(itemOf((error as { Item?: Record<string, AttributeValue> }).Item));
      throw toStorageError(error, spec.operation, spec.key);
    }
  }

  async writeAll(specs: readonly WriteSpec[], operation: string): Promise<void> {
    if (specs.length === 0) return;
    if (specs.length > TRANSACTION_MAX_ITEMS) throw new StorageError(`${operation}: ${specs.length} items exceed a transaction's ${TRANSACTION_MAX_ITEMS}`, { retryable: false });
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: specs.map((spec) => this.transactItem(spec)) }));
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (reasons === undefined) throw toStorageError(error, operation);
      throw transactionError(specs, reasons, operation, error);
    }
  }

  async read(key: string, options: ReadOptions = {}): Promise<Item | undefined> {
    try {
      const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { [TABLE.partitionKey]: key }, ...projection(options), ...(options.consistent === true ? { ConsistentRead: true } : {}) }));
      return Item;
    } catch (error) {
      throw toStorageError(error, 'read', key);
    }
  }

  async readMany(keys: readonly string[], options: ReadOptions = {}): Promise<Map<string, Item>> {
    const found = new Map<string, Item>();
    const unique = [...new Set(keys)];
    for (let i = 0; i < unique.length; i += BATCH_GET_MAX) {
      let pending: Record<string, NativeAttributeValue>[] = unique.slice(i, i + BATCH_GET_MAX).map((key) => ({ [TABLE.partitionKey]: key }));
      for (let round = 0; pending.length > 0; round++) {
        if (round === BATCH_GET_ROUNDS) throw toStorageError(new Error(`${pending.length} keys left unprocessed`), 'batchGet');
        const request = { Keys: pending, ...projection(options), ...(options.consistent === true ? { ConsistentRead: true } : {}) };
        const result = await this.send(() => this.client.send(new BatchGetCommand({ RequestItems: { [this.tableName]: request } })), 'batchGet');
        for (const item of result.Responses?.[this.tableName] ?? []) found.set(String(item[TABLE.partitionKey]), item);
        pending = result.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return found;
  }

  async page(index: IndexDefinition, partition: string, range: PartitionRange): Promise<PartitionPage> {
    const bounds = boundsOf(range);
    const names: Record<string, string> = { '#p': index.partitionKey, '#s': index.sortKey, '#pk': TABLE.partitionKey };
    const values: Record<string, NativeAttributeValue> = { ':p': partition };
    const conditions: string[] = [];
    if (bounds.lower !== undefined) {
      values[':lo'] = bounds.lower;
      conditions.push(bounds.lowerExclusive ? '#s > :lo' : '#s >= :lo');
    }
    if (bounds.upper !== undefined) {
      values[':hi'] = bounds.upper;
      conditions.push(bounds.upperExclusive ? '#s < :hi' : '#s <= :hi');
    }
    // DynamoDB allows one condition on the sort key: a range with both ends is a BETWEEN (inclusive);
    // an exclusive end is then trimmed from the answer.
    const keyCondition = conditions.length === 2 ? '#p = :p AND #s BETWEEN :lo AND :hi' : conditions.length === 1 ? `#p = :p AND ${conditions[0]}` : '#p = :p';
    if (range.type !== undefined) {
      names['#type'] = 'type';
      values[':type'] = range.type;
    }
    const output = await this.query(
      {
        IndexName: index.name,
        KeyConditionExpression: keyCondition,
        ...(range.type === undefined ? {} : { FilterExpression: '#type = :type' }),
        ProjectionExpression: '#pk, #s',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ScanIndexForward: range.descending !== true,
        Limit: Math.max(1, range.maxRead),
      },
      'query',
    );
    const entries = (output.Items ?? []).map((item) => ({ pk: String(item[TABLE.partitionKey]), sortKey: String(item[index.sortKey]) })).filter((entry) => withinBounds(entry.sortKey, bounds));
    const last = output.LastEvaluatedKey?.[index.sortKey];
    return { entries, lastRead: last === undefined ? null : String(last), scanned: output.ScannedCount ?? entries.length };
  }

  async count(index: IndexDefinition, partition: string): Promise<number> {
    let total = 0;
    let startKey: Record<string, NativeAttributeValue> | undefined;
    do {
      const page = await this.query(
        { IndexName: index.name, KeyConditionExpression: '#p = :p', ExpressionAttributeNames: { '#p': index.partitionKey }, ExpressionAttributeValues: { ':p': partition }, Select: 'COUNT', ExclusiveStartKey: startKey },
        'count',
      );
      total += page.Count ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return total;
  }

  private transactItem(spec: WriteSpec): NonNullable<TransactWriteCommandInput['TransactItems']>[number] {
    const Key = { [TABLE.partitionKey]: spec.key };
    const base = { TableName: this.tableName, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const };
    switch (spec.kind) {
      case 'put':
        return { Put: { ...base, Item: { ...spec.item, ...Key }, ...sendable(renderConditionOf(spec)) } };
      case 'update':
        return { Update: { ...base, Key, ...sendable(renderUpdate(spec)) } };
      case 'delete':
        return { Delete: { ...base, Key, ...sendable(renderConditionOf(spec)) } };
      case 'conditionCheck':
        return { ConditionCheck: { ...base, Key, ...sendable(renderConditionOf(spec)), ConditionExpression: spec.condition } };
    }
  }

  private query(input: Omit<QueryCommandInput, 'TableName'>, operation: string): Promise<QueryCommandOutput> {
    return this.send(() => this.client.send(new QueryCommand({ ...input, TableName: this.tableName })), operation);
  }

  private async send<T>(request: () => Promise<T>, operation: string): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw toStorageError(error, operation);
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

/** A ProjectionExpression of the key and these attributes, or nothing. */
function projection(options: ReadOptions): { ProjectionExpression?: string; ExpressionAttributeNames?: Record<string, string> } {
  const attributes = options.attributes;
  if (attributes === undefined) return {};
  return {
    ProjectionExpression: ['#pk', ...attributes.map((_, n) => `#a${n}`)].join(', '),
    ExpressionAttributeNames: Object.fromEntries([['#pk', TABLE.partitionKey], ...attributes.map((a, n) => [`#a${n}`, a])]),
  };
}

type Maps = 'ExpressionAttributeNames' | 'ExpressionAttributeValues';

/** DynamoDB rejects an empty ExpressionAttributeValues (or names) map. */
function sendable<T extends { ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues: Record<string, unknown> }>(rendered: T): Omit<T, Maps> & Partial<Pick<T, Maps>> {
  const out: Omit<T, Maps> & Partial<Pick<T, Maps>> = { ...rendered };
  if (Object.keys(rendered.ExpressionAttributeValues).length === 0) delete out.ExpressionAttributeValues;
  if (Object.keys(rendered.ExpressionAttributeNames).length === 0) delete out.ExpressionAttributeNames;
  return out;
}
