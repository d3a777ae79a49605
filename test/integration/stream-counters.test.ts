/**
 * Counters kept from the change stream: they converge to a full count, a record delivered again
 * (whole batch, from its middle, or by two racing processors) is counted once, and reading them
 * costs the same whatever the number of jobs.
 */
import { GetRecordsCommand, GetShardIteratorCommand, DescribeStreamCommand } from '@aws-sdk/client-dynamodb-streams';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestMeter } from '../../bench/request-meter.js';
import { StreamProcessor } from '../../lib/events/stream-processor.js';
import type { ChangeRecord } from '../../lib/events/state-change.js';
import { silentLogger } from '../../lib/logger.js';
import { changeRecordOf } from '../../local/stream-poller.js';
import { startTestChangeStream, streamsClient, type TestChangeStream } from '../support/change-stream.js';
import { postBody } from '../support/jobs.js';
import { createStoreFixture, jobIn, type Situation, type StoreFixture } from '../support/store.js';
import { createTestTable } from '../support/table.js';
import { waitFor } from '../support/wait.js';
import { DynamoJobStore, DynamoStreamCounters } from '../../lib/dynamo/index.js';

let f: StoreFixture;
let stream: TestChangeStream;
const plan: Situation[] = ['posted', 'claimed', 'completed', 'failed', 'trashed', 'completed'];

beforeAll(async () => {
  f = await createStoreFixture();
  stream = startTestChangeStream(f.table);
  for (const [i, situation] of [...plan, ...plan, ...plan].entries()) await jobIn(f, situation, { board: i % 2 === 0 ? 'alpha' : 'beta' });
  await f.store.suspend((await jobIn(f, 'posted', { board: 'alpha' })).id);
});
afterAll(async () => {
  await stream.stop();
  await f.close();
});

/** Every record of the table's stream so far, with its shard. */
async function streamRecords(tableName: string): Promise<{ shard: string; records: ChangeRecord[] }> {
  const streams = streamsClient();
  const arn = (await f.table.client.send(new DescribeTableCommand({ TableName: tableName }))).Table?.LatestStreamArn as string;
  const shard = (await streams.send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription?.Shards?.[0]?.ShardId as string;
  let iterator = (await streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shard, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
  const records: ChangeRecord[] = [];
  for (let empty = 0; iterator !== undefined && empty < 2; ) {
    const answer = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
    records.push(...(answer.Records ?? []).map(changeRecordOf));
    empty = (answer.Records ?? []).length === 0 ? empty + 1 : 0;
    iterator = answer.NextShardIterator;
  }
  streams.destroy();
  return { shard, records };
}

describe('counters from the stream', () => {
  it('converge to the full count of each board, every state included', async () => {
    for (const board of ['alpha', 'beta']) {
      const full = await f.store.count(board);
      expect(full.suspended + full.completed + full.claimed).toBeGreaterThan(0);
      await waitFor(async () => JSON.stringify(await stream.counters.count([board])) === JSON.stringify(full), { what: `counters of ${board} equal the full count`, timeoutMs: 20_000 });
    }
  });

  it('count a redelivered batch, or a duplicate record from its middle, once', async () => {
    const before = await stream.counters.count(['alpha', 'beta']);
    const { shard, records } = await streamRecords(f.table.tableName);
    expect(records.length).toBeGreaterThan(20);
    expect((await stream.processor.process(shard, records)).counted).toBe(0);
    expect((await stream.processor.process(shard, records.slice(7, 9))).counted).toBe(0);
    expect(await stream.counters.count(['alpha', 'beta'])).toEqual(before);
  });

  it('two processors racing over the same records count each once', async () => {
    const table = await createTestTable();
    try {
      const store = new DynamoJobStore(table.documentClient, { tableName: table.tableName });
      for (let i = 0; i < 12; i++) await postBody(store, { id: `race-${i}`, type: 'demo.echo' });
      const { shard, records } = await streamRecords(table.tableName);
      const processors = [0, 1].map(() => new StreamProcessor({ publisher: { publish: async (c) => c.length }, counters: new DynamoStreamCounters(DynamoDBDocumentClient.from(table.client), table.tableName, Date.now), logger: silentLogger }));
      const outcomes = await Promise.all(processors.map((p) => p.process(shard, records)));
      expect(outcomes.map((o) => o.counted).sort((a, b) => a - b)).toEqual([0, 12]);
      expect((await new DynamoStreamCounters(table.documentClient, table.tableName, Date.now).count(['default'])).posted).toBe(12);
    } finally {
      await table.drop();
    }
  });

  it('a batch touching more boards than one transaction holds is split and still counted once', async () => {
    const table = await createTestTable();
    try {
      const counters = new DynamoStreamCounters(table.documentClient, table.tableName, Date.now);
      const boards = Array.from({ length: 150 }, (_, i) => `b${i}`);
      const records = boards.map((board, i) => ({ sequence: String(1000 + i), deltas: [{ board, state: 'posted' as const, delta: 1 }] }));
      expect(await counters.apply('shard-x', records)).toEqual({ applied: 150, skipped: 0 });
      expect(await counters.apply('shard-x', records.slice(100))).toEqual({ applied: 0, skipped: 50 });
      expect((await counters.count(boards)).posted).toBe(150);
      expect((await counters.count(['b149'])).posted).toBe(1);
    } finally {
      await table.drop();
    }
  });
});

describe('reading the counts', () => {
  it('takes the same requests for 3 jobs as for 300', async () => {
    const table = await createTestTable();
    const meter = new RequestMeter();
    meter.attach(table.client, 'DynamoDB');
    const counters = new DynamoStreamCounters(table.documentClient, table.tableName, Date.now);
    const store = new DynamoJobStore(table.documentClient, { tableName: table.tableName }, { counts: counters });
    const change = startTestChangeStream(table);
    try {
      const postMany = async (n: number, from: number) => {
        for (let i = from; i < from + n; i++) await postBody(store, { id: `n-${i}`, type: 'demo.echo' });
      };
      const requestsOfCount = async (expected: number) => {
        await waitFor(async () => (await store.count()).posted === expected, { what: `${expected} counted`, timeoutMs: 30_000 });
        meter.reset();
        await store.count();
        return meter.snapshot().requests;
      };
      await postMany(3, 0);
      const few = await requestsOfCount(3);
      await postMany(297, 3);
      const many = await requestsOfCount(300);
      expect(many).toEqual(few);
      // The board registry, then 16 counter items in one batch read.
      expect(few).toEqual({ 'DynamoDB.GetItem': 1, 'DynamoDB.BatchGetItem': 1 });
    } finally {
      await change.stop();
      await table.drop();
    }
  });
});
