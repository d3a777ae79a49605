/**
 * Low-level reads across the sharded indexes: one bounded page of one index partition, counts,
 * and full jobs by key (BatchGetItem). Listing, counting and the maintenance scans build on these.
 * Every read is bounded: no call follows `LastEvaluatedKey` without limit.
 */
import { BatchGetCommand, QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { NativeAttributeValue } from '@aws-sdk/util-dynamodb';
import type { Job } from '../model.js';
import { TABLE, type IndexDefinition } from '../table.js';
import { jobFromItem } from './item-codec.js';
import { toStorageError } from './writer.js';

/** One index entry: the job's item key and its position in the partition. */
export interface IndexEntry {
  pk: string;
  sortKey: string;
}

/** Which part of a partition to read, in which direction. */
export interface PartitionRange {
  /** Exclusive: entries strictly after this key in the reading direction. */
  after?: string | null;
  /** Inclusive bounds on the sort key, whatever the direction. */
  from?: string;
  to?: string;
  descending?: boolean;
  /** Only entries of this job type (a filter: the entries read still count against `maxRead`). */
  type?: string;
  /** Index entries read at most (DynamoDB `Limit`, applied before the type filter). */
  maxRead: number;
}

/** A page of one partition: the matching entries, and where reading stopped (null: the end). */
export interface PartitionPage {
  entries: IndexEntry[];
  /** Sort key of the last entry read, matching or not; null when the partition has no more. */
  lastRead: string | null;
  /** Index entries read, matching or not. */
  scanned: number;
}

/** A BatchGetItem takes at most 100 keys. */
const BATCH_GET_MAX = 100;
/** Rounds of UnprocessedKeys before a read gives up with a retryable error. */
const BATCH_GET_ROUNDS = 8;

export class IndexReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** One bounded page of an index partition. */
  async page(index: IndexDefinition, partition: string, range: PartitionRange): Promise<PartitionPage> {
    const names: Record<string, string> = { '#p': index.partitionKey, '#s': index.sortKey, '#pk': TABLE.partitionKey };
    const values: Record<string, NativeAttributeValue> = { ':p': partition };
    const bounds: string[] = [];
    // The cursor narrows one end of the range: the lower end ascending, the upper end descending.
    const lower = range.descending ? range.from : maxKey(range.from, range.after ?? undefined);
    const upper = range.descending ? minKey(range.to, range.after ?? undefined) : range.to;
    const lowerExclusive = !range.descending && range.after != null && lower === range.after;
    const upperExclusive = range.descending === true && range.after != null && upper === range.after;
    if (lower !== undefined) {
      values[':lo'] = lower;
      bounds.push(lowerExclusive ? '#s > :lo' : '#s >= :lo');
    }
    if (upper !== undefined) {
      values[':hi'] = upper;
      bounds.push(upperExclusive ? '#s < :hi' : '#s <= :hi');
    }
    // DynamoDB allows one condition on the sort key: a range with both ends is a BETWEEN (inclusive);
    // an exclusive end is then trimmed below.
    const keyCondition =
      bounds.length === 2 ? '#p = :p AND #s BETWEEN :lo AND :hi' : bounds.length === 1 ? `#p = :p AND ${bounds[0]}` : '#p = :p';
    if (range.type !== undefined) {
      names['#type'] = 'type';
      values[':type'] = range.type;
    }
    const output = await this.query(
      {
        IndexName: index.name,
        KeyConditionExpression: keyCondition,
        FilterExpression: range.type === undefined ? undefined : '#type = :type',
        ProjectionExpression: '#pk, #s',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ScanIndexForward: range.descending !== true,
        Limit: Math.max(1, range.maxRead),
      },
      'query',
    );
    const entries = (output.Items ?? [])
      .map((item) => ({ pk: String(item[TABLE.partitionKey]), sortKey: String(item[index.sortKey]) }))
      .filter((entry) => !(lowerExclusive && bounds.length === 2 && entry.sortKey === lower) && !(upperExclusive && bounds.length === 2 && entry.sortKey === upper));
    const last = output.LastEvaluatedKey?.[index.sortKey];
    return { entries, lastRead: last === undefined ? null : String(last), scanned: output.ScannedCount ?? entries.length };
  }

  /** Entries in a partition, counted on the index (no items read). */
  async count(index: IndexDefinition, partition: string): Promise<number> {
    let total = 0;
    let startKey: Record<string, NativeAttributeValue> | undefined;
    do {
      const page = await this.query(
        {
          IndexName: index.name,
          KeyConditionExpression: '#p = :p',
          ExpressionAttributeNames: { '#p': index.partitionKey },
          ExpressionAttributeValues: { ':p': partition },
          Select: 'COUNT',
          ExclusiveStartKey: startKey,
        },
        'count',
      );
      total += page.Count ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return total;
  }

  /**
   * Jobs by item key, 100 per request, retrying unprocessed keys a bounded number of times.
   * `consistent`: strongly consistent reads (twice the read units), for decisions a stale item would make unsafe.
   */
  async jobs(pks: readonly string[], attributes?: readonly string[], consistent = false): Promise<Map<string, Job>> {
    const found = new Map<string, Job>();
    const projection =
      attributes === undefined
        ? {}
        : {
            ProjectionExpression: ['#pk', ...attributes.map((_, n) => `#a${n}`)].join(', '),
            ExpressionAttributeNames: Object.fromEntries([['#pk', TABLE.partitionKey], ...attributes.map((a, n) => [`#a${n}`, a])]),
          };
    for (let i = 0; i < pks.length; i += BATCH_GET_MAX) {
      let keys: Record<string, NativeAttributeValue>[] = pks.slice(i, i + BATCH_GET_MAX).map((pk) => ({ [TABLE.partitionKey]: pk }));
      for (let round = 0; keys.length > 0; round++) {
        if (round === BATCH_GET_ROUNDS) throw toStorageError(new Error(`${keys.length} keys left unprocessed`), 'batchGet');
        const result = await this.send(() => this.client.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ...projection, ...(consistent ? { ConsistentRead: true } : {}) } } })), 'batchGet');
        for (const item of result.Responses?.[this.tableName] ?? []) found.set(String(item[TABLE.partitionKey]), jobFromItem(item));
        keys = result.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return found;
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

const maxKey = (a: string | undefined, b: string | undefined): string | undefined => (a === undefined ? b : b === undefined ? a : a > b ? a : b);
const minKey = (a: string | undefined, b: string | undefined): string | undefined => (a === undefined ? b : b === undefined ? a : a < b ? a : b);
