/**
 * Reads across the sharded indexes: lists oldest first, counts per state, and the open jobs
 * the sweeper inspects. Index entries carry keys and `type` only; full jobs come from a
 * BatchGetItem of the page, which is also where the posted/claimed split is read (the open
 * index does not project `state`, so that a claim costs no index write).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand, QueryCommand, type QueryCommandInput, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { NativeAttributeValue } from '@aws-sdk/util-dynamodb';
import { LIMITS, type StoreOptions } from '../config.js';
import { ValidationError } from '../errors.js';
import type { Job } from '../model.js';
import { fromItem } from '../model.js';
import { FINAL_STATES, JobState, isFinal, isJobState, type FinalState } from '../states.js';
import { TABLE, doneShardKey, indexSortKey, openShardKey } from '../table.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { toStorageError } from './dynamo-errors.js';

export interface ListQuery {
  state?: JobState;
  type?: string;
  /** 1–100, default 50. */
  limit?: number;
  /** Opaque, from the previous page's `nextCursor`. */
  cursor?: string;
}

export interface ListPage {
  jobs: Job[];
  /** Null on the last page. */
  nextCursor: string | null;
}

export type CountByState = Record<JobState, number>;

/** One index and the partition keys whose union is one oldest-first stream of jobs. */
interface Stream {
  index: typeof TABLE.openIndex | typeof TABLE.doneIndex;
  partitions: string[];
}

interface IndexEntry {
  pk: string;
  sortKey: string;
}

const shards = (): number[] => Array.from({ length: TABLE.shardCount }, (_, i) => i);
const openStream = (): Stream => ({ index: TABLE.openIndex, partitions: shards().map(openShardKey) });
const doneStream = (states: readonly FinalState[]): Stream => ({
  index: TABLE.doneIndex,
  partitions: states.flatMap((state) => shards().map((shard) => doneShardKey(state, shard))),
});

/** A BatchGetItem takes at most 100 keys. */
const BATCH_GET_MAX = 100;
/** Rounds of UnprocessedKeys before a read gives up with a retryable error. */
const BATCH_GET_ROUNDS = 8;

export class JobQueries {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly options: StoreOptions,
  ) {}

  /**
   * Open jobs are ordered by creation, finished jobs by end time. Without a state filter the
   * list walks open jobs first, then finished ones. A page can hold fewer than `limit` jobs
   * when a posted/claimed filter had to skip many entries; `nextCursor` then still continues.
   */
  async list(query: ListQuery): Promise<ListPage> {
    const limit = query.limit ?? LIMITS.listLimitDefault;
    if (!Number.isInteger(limit) || limit < 1 || limit > LIMITS.listLimitMax) {
      throw new ValidationError(`limit must be a whole number from 1 to ${LIMITS.listLimitMax}`, [{ path: 'limit', message: 'out of range' }]);
    }
    if (query.state !== undefined && !isJobState(query.state)) {
      throw new ValidationError(`unknown state ${JSON.stringify(query.state)}`, [{ path: 'state', message: 'unknown state' }]);
    }
    const fingerprint = `${query.state ?? ''}|${query.type ?? ''}`;
    const streams = query.state === undefined ? [openStream(), doneStream(FINAL_STATES)] : isFinal(query.state) ? [doneStream([query.state])] : [openStream()];
    const openFilter = query.state !== undefined && !isFinal(query.state) ? query.state : undefined;
    let position = query.cursor === undefined ? { stream: 0, after: null as string | null } : decodeCursor(query.cursor, fingerprint);

    // Collect one job beyond the page: if it exists, there is a next page.
    const found: { job: Job; stream: number; sortKey: string }[] = [];
    let examined = 0;
    while (position.stream < streams.length && found.length <= limit && examined < this.options.listScanLimit) {
      const want = openFilter === undefined ? limit + 1 - found.length : BATCH_GET_MAX;
      const entries = await this.mergedEntries(streams[position.stream] as Stream, position.after, want, query.type);
      const jobs = await this.getJobs(entries.map((entry) => entry.pk));
      for (const entry of entries) {
        const job = jobs.get(entry.pk);
        // Skipped: removed by TTL since the index was read, or not in the filtered state.
        if (job !== undefined && (openFilter === undefined || job.state === openFilter)) found.push({ job, stream: position.stream, sortKey: entry.sortKey });
        position = { stream: position.stream, after: entry.sortKey };
        if (found.length > limit) break;
      }
      examined += entries.length;
      if (entries.length < want) position = { stream: position.stream + 1, after: null };
    }

    const page = found.slice(0, limit);
    const last = page[page.length - 1];
    const more = found.length > limit || (position.stream < streams.length && examined >= this.options.listScanLimit);
    if (!more) return { jobs: page.map((f) => f.job), nextCursor: null };
    const resumeAt = found.length > limit && last !== undefined ? { stream: last.stream, after: last.sortKey } : position;
    return { jobs: page.map((f) => f.job), nextCursor: encodeCursor(resumeAt, fingerprint) };
  }

  /** Counts per state: finished states from index counts; posted/claimed by reading the open jobs' state. */
  async count(): Promise<CountByState> {
    const counts: CountByState = { posted: 0, claimed: 0, completed: 0, failed: 0, trashed: 0 };
    await Promise.all(
      FINAL_STATES.map(async (state) => {
        const perShard = await Promise.all(doneStream([state]).partitions.map((p) => this.countPartition(TABLE.doneIndex, p)));
        counts[state] = perShard.reduce((a, b) => a + b, 0);
      }),
    );
    await Promise.all(
      openStream().partitions.map(async (partition) => {
        for await (const entries of this.partitionEntries(TABLE.openIndex, partition, {})) {
          const states = await this.getJobs(entries.map((e) => e.pk), ['state']);
          for (const job of states.values()) if (job.state === JobState.posted || job.state === JobState.claimed) counts[job.state]++;
        }
      }),
    );
    return counts;
  }

  /** Open jobs created before `createdBefore`, a page per yield, shard by shard. */
  async *openJobs(createdBefore: number): AsyncGenerator<Job[]> {
    for (const partition of openStream().partitions) {
      for await (const entries of this.partitionEntries(TABLE.openIndex, partition, { before: indexSortKey(createdBefore, '') })) {
        const jobs = await this.getJobs(entries.map((e) => e.pk));
        const open = [...jobs.values()].filter((job) => !isFinal(job.state));
        if (open.length > 0) yield open;
      }
    }
  }

  /** The first `count` entries after `after` across the stream's partitions, in sort-key order. */
  private async mergedEntries(stream: Stream, after: string | null, count: number, type: string | undefined): Promise<IndexEntry[]> {
    const perPartition = await Promise.all(
      stream.partitions.map(async (partition) => {
        const taken: IndexEntry[] = [];
        for await (const entries of this.partitionEntries(stream.index, partition, { after, type, pageSize: count })) {
          taken.push(...entries);
          if (taken.length >= count) break;
        }
        return taken.slice(0, count);
      }),
    );
    return perPartition
      .flat()
      .sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0))
      .slice(0, count);
  }

  /** Pages of one index partition in sort-key order. */
  private async *partitionEntries(
    index: Stream['index'],
    partition: string,
    range: { after?: string | null; before?: string; type?: string; pageSize?: number },
  ): AsyncGenerator<IndexEntry[]> {
    const names: Record<string, string> = { '#p': index.partitionKey, '#s': index.sortKey, '#pk': TABLE.partitionKey };
    const values: Record<string, NativeAttributeValue> = { ':p': partition };
    let keyCondition = '#p = :p';
    if (range.after != null) {
      keyCondition += ' AND #s > :after';
      values[':after'] = range.after;
    } else if (range.before !== undefined) {
      keyCondition += ' AND #s < :before';
      values[':before'] = range.before;
    }
    if (range.type !== undefined) {
      names['#type'] = 'type';
      values[':type'] = range.type;
    }
    const query = {
      IndexName: index.name,
      KeyConditionExpression: keyCondition,
      FilterExpression: range.type === undefined ? undefined : '#type = :type',
      ProjectionExpression: '#pk, #s',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      Limit: range.pageSize === undefined ? undefined : Math.max(range.pageSize, 1),
    };
    for await (const page of this.queryPages(query, 'query')) {
      const entries = (page.Items ?? []).map((item) => ({ pk: String(item[TABLE.partitionKey]), sortKey: String(item[index.sortKey]) }));
      if (entries.length > 0) yield entries;
    }
  }

  private async countPartition(index: Stream['index'], partition: string): Promise<number> {
    let total = 0;
    const query = {
      IndexName: index.name,
      KeyConditionExpression: '#p = :p',
      ExpressionAttributeNames: { '#p': index.partitionKey },
      ExpressionAttributeValues: { ':p': partition },
      Select: 'COUNT' as const,
    };
    for await (const page of this.queryPages(query, 'count')) total += page.Count ?? 0;
    return total;
  }

  /** Every page of a query on this table, following LastEvaluatedKey. */
  private async *queryPages(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>, operation: string): AsyncGenerator<QueryCommandOutput> {
    let startKey: Record<string, NativeAttributeValue> | undefined;
    do {
      const page = await this.send(() => this.client.send(new QueryCommand({ ...input, TableName: this.options.tableName, ExclusiveStartKey: startKey })), operation);
      yield page;
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
  }

  /** Items by key, 100 per request, retrying unprocessed keys a bounded number of times. */
  private async getJobs(pks: string[], attributes?: string[]): Promise<Map<string, Job>> {
    const found = new Map<string, Job>();
    for (let i = 0; i < pks.length; i += BATCH_GET_MAX) {
      let keys: Record<string, NativeAttributeValue>[] = pks.slice(i, i + BATCH_GET_MAX).map((pk) => ({ [TABLE.partitionKey]: pk }));
      for (let round = 0; keys.length > 0; round++) {
        if (round === BATCH_GET_ROUNDS) throw toStorageError(new Error(`${keys.length} keys left unprocessed`), 'batchGet');
        const projection =
          attributes === undefined
            ? {}
            : {
                ProjectionExpression: ['#pk', ...attributes.map((_, n) => `#a${n}`)].join(', '),
                ExpressionAttributeNames: Object.fromEntries([['#pk', TABLE.partitionKey], ...attributes.map((a, n) => [`#a${n}`, a])]),
              };
        const result = await this.send(
          () => this.client.send(new BatchGetCommand({ RequestItems: { [this.options.tableName]: { Keys: keys, ...projection } } })),
          'batchGet',
        );
        for (const item of result.Responses?.[this.options.tableName] ?? []) found.set(String(item[TABLE.partitionKey]), fromItem(item));
        keys = result.UnprocessedKeys?.[this.options.tableName]?.Keys ?? [];
      }
    }
    return found;
  }

  private async send<T>(request: () => Promise<T>, operation: string): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw toStorageError(error, operation);
    }
  }
}
