/**
 * Reads the table's change stream from DynamoDB Local, as Lambda's event source mapping does on
 * AWS, and hands each shard's records, in order, to the same `StreamProcessor`.
 *
 * Where it stopped in each shard is kept in a file beside the data (`stream-positions.json`),
 * written after a batch is processed. A crash in between means the batch is processed again after
 * the restart: events at least once (the copy has the same `(id, version)`), counts exactly once
 * (the counters' own checkpoint skips what they already counted). DynamoDB Local keeps the
 * stream on disk with the table, so a record written just before a SIGKILL is still read after.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type DynamoDBStreamsClient,
  type Shard,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { ChangeRecord } from '../lib/events/state-change.js';
import type { StreamProcessor } from '../lib/events/stream-processor.js';
import type { Logger } from '../lib/logger.js';

export interface StreamPollerOptions {
  dynamo: DynamoDBClient;
  streams: DynamoDBStreamsClient;
  tableName: string;
  processor: StreamProcessor;
  /** File of each shard's last processed sequence number. */
  positionsFile: string;
  logger: Logger;
  /** Pause when a round found nothing new. */
  idleMs?: number;
}

interface ShardCursor {
  iterator?: string;
  /** Read to its end: the shard is closed and every record is processed. */
  finished: boolean;
}

/** How long a list of the stream's shards is used before it is read again. */
const SHARD_LIST_MAX_AGE_MS = 5_000;

/** Records per GetRecords call (the API's maximum). */
const RECORDS_PER_READ = 1_000;

export class StreamPoller {
  private positions: Record<string, string>;
  private readonly cursors = new Map<string, ShardCursor>();
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private wake: (() => void) | undefined;
  private streamArn: string | undefined;
  private knownShards: Shard[] | undefined;
  private shardsReadAt = 0;

  constructor(private readonly options: StreamPollerOptions) {
    this.positions = existsSync(options.positionsFile) ? (JSON.parse(readFileSync(options.positionsFile, 'utf8')) as Record<string, string>) : {};
  }

  start(): this {
    this.running = true;
    this.loop = this.run();
    return this;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let progressed = false;
      try {
        progressed = await this.round();
      } catch (error) {
        this.options.logger.error('stream_poll_failed', { error });
      }
      if (!progressed && this.running) await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.idleMs ?? 200);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** One pass over the shards; true when it processed any record. */
  private async round(): Promise<boolean> {
    this.streamArn ??= (await this.options.dynamo.send(new DescribeTableCommand({ TableName: this.options.tableName }))).Table?.LatestStreamArn;
    const streamArn = this.streamArn;
    if (streamArn === undefined) return false;
    // New shards appear rarely (DynamoDB splits a shard every few hours): look for them now and then, not every round.
    if (this.knownShards === undefined || Date.now() - this.shardsReadAt > SHARD_LIST_MAX_AGE_MS) {
      this.knownShards = await this.shards(streamArn);
      this.shardsReadAt = Date.now();
    }
    const shards = this.knownShards;
    let progressed = false;
    for (const shard of shards) {
      const id = shard.ShardId as string;
      const cursor = this.cursors.get(id) ?? { finished: false };
      this.cursors.set(id, cursor);
      // A child shard's records follow its parent's: read the parent to its end first.
      const parent = shard.ParentShardId === undefined ? undefined : this.cursors.get(shard.ParentShardId);
      if (cursor.finished || (parent !== undefined && !parent.finished)) continue;
      progressed = (await this.readShard(streamArn, id, cursor)) || progressed;
    }
    return progressed;
  }

  private async shards(streamArn: string): Promise<Shard[]> {
    const shards: Shard[] = [];
    let after: string | undefined;
    do {
      const { StreamDescription } = await this.options.streams.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: after }));
      shards.push(...(StreamDescription?.Shards ?? []));
      after = StreamDescription?.LastEvaluatedShardId;
    } while (after !== undefined);
    return shards;
  }

  private async readShard(streamArn: string, shardId: string, cursor: ShardCursor): Promise<boolean> {
    if (cursor.iterator === undefined) {
      const position = this.positions[shardId];
      const start = position === undefined ? { ShardIteratorType: 'TRIM_HORIZON' as const } : { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, SequenceNumber: position };
      cursor.iterator = (await this.options.streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ...start }))).ShardIterator;
    }
    if (cursor.iterator === undefined) return false;
    let answer;
    try {
      answer = await this.options.streams.send(new GetRecordsCommand({ ShardIterator: cursor.iterator, Limit: RECORDS_PER_READ }));
    } catch (error) {
      // An expired or trimmed iterator: start again from the saved position.
      cursor.iterator = undefined;
      throw error;
    }
    const records = (answer.Records ?? []).map(changeRecordOf);
    if (records.length > 0) {
      const outcome = await this.options.processor.process(shardId, records);
      const failedAt = records.findIndex((r) => r.sequence === outcome.failedSequence);
      const done = failedAt < 0 ? records : records.slice(0, failedAt);
      const last = done.at(-1)?.sequence;
      if (last !== undefined) this.savePosition(shardId, last);
      if (outcome.failedSequence !== undefined) {
        // Read again from the failed record next round.
        cursor.iterator = undefined;
        return false;
      }
    }
    cursor.iterator = answer.NextShardIterator;
    if (cursor.iterator === undefined) cursor.finished = true;
    return records.length > 0;
  }

  private savePosition(shardId: string, sequence: string): void {
    this.positions = { ...this.positions, [shardId]: sequence };
    const temporary = `${this.options.positionsFile}.tmp`;
    writeFileSync(temporary, JSON.stringify(this.positions));
    renameSync(temporary, this.options.positionsFile);
  }
}

/** A stream record as the processor reads it: images unmarshalled. */
export function changeRecordOf(record: StreamRecord): ChangeRecord {
  const data = record.dynamodb ?? {};
  const image = (value: unknown) => (value === undefined ? undefined : unmarshall(value as Parameters<typeof unmarshall>[0]));
  return {
    sequence: data.SequenceNumber ?? '0',
    kind: (record.eventName ?? 'MODIFY') as ChangeRecord['kind'],
    ...(data.OldImage === undefined ? {} : { oldImage: image(data.OldImage) }),
    ...(data.NewImage === undefined ? {} : { newImage: image(data.NewImage) }),
  };
}
