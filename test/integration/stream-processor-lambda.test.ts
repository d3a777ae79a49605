/**
 * The stream processor's Lambda handler, fed events of the shape Lambda sends with a tumbling
 * window, built from the real records of DynamoDB Local's stream after real transitions. The
 * counters live in DynamoDB Local; EventBridge (no emulator) is mocked.
 */
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand, type _Record as SdkStreamRecord } from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient, PutEventsCommand, type PutEventsCommandInput } from '@aws-sdk/client-eventbridge';
import type { DynamoDBRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { ConfigurationError } from '../../lib/errors.js';
import type { JobStateChange } from '../../lib/events/state-change.js';
import { silentLogger } from '../../lib/logger.js';
import { parsePublishedStates } from '../../functions/env.js';
import { createStreamProcessorHandler, createStreamRuntime, type StreamWindowEvent } from '../../functions/stream-processor.js';
import { streamsClient } from '../support/change-stream.js';
import { createStoreFixture, jobIn, type StoreFixture } from '../support/store.js';
import { DynamoStreamCounters } from '../../lib/dynamo/index.js';

const eventBridge = mockClient(EventBridgeClient);
let f: StoreFixture;
let counters: DynamoStreamCounters;
let stream: { shardId: string; arn: string; records: DynamoDBRecord[] };

beforeAll(async () => {
  f = await createStoreFixture();
  counters = new DynamoStreamCounters(f.table.documentClient, f.table.tableName, Date.now);
  // Three jobs: one posted, one completed (posted, claimed, completed), one trashed.
  await jobIn(f, 'posted', { board: 'mail' });
  await jobIn(f, 'completed', { board: 'mail' });
  await jobIn(f, 'trashed', { board: 'mail' });
  stream = await readStream();
});
afterAll(() => f.close());
afterEach(() => eventBridge.reset());

/** The table's stream records so far, as Lambda's event carries them (the SDK's AttributeValue JSON). */
async function readStream(): Promise<{ shardId: string; arn: string; records: DynamoDBRecord[] }> {
  const streams = streamsClient();
  const arn = (await f.table.client.send(new DescribeTableCommand({ TableName: f.table.tableName }))).Table?.LatestStreamArn as string;
  const shardId = (await streams.send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription?.Shards?.[0]?.ShardId as string;
  let iterator = (await streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
  const records: SdkStreamRecord[] = [];
  for (let empty = 0; iterator !== undefined && empty < 2; ) {
    const answer = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
    records.push(...(answer.Records ?? []));
    empty = (answer.Records ?? []).length === 0 ? empty + 1 : 0;
    iterator = answer.NextShardIterator;
  }
  streams.destroy();
  // A JSON round trip, as Lambda delivers it: dates become strings, AttributeValues stay as they are.
  return { shardId, arn, records: JSON.parse(JSON.stringify(records.map((r) => ({ ...r, eventSourceARN: arn })))) as DynamoDBRecord[] };
}

function windowEvent(records: DynamoDBRecord[]): StreamWindowEvent {
  return {
    Records: records,
    window: { start: '2024-05-01T12:00:00Z', end: '2024-05-01T12:15:00Z' },
    state: {},
    shardId: stream.shardId,
    eventSourceARN: stream.arn,
    isFinalInvokeForWindow: false,
    isWindowTerminatedEarly: false,
  };
}

function handlerFor(publishedStates = 'all') {
  const runtime = createStreamRuntime(
    { tableName: f.table.tableName, eventBusName: 'jobboard-bus', publishedStates: parsePublishedStates(publishedStates), dynamoEndpoint: inject('dynamoEndpoint') },
    silentLogger,
    { sleep: async () => undefined },
  );
  return createStreamProcessorHandler(() => runtime);
}

/** Every change sent to EventBridge, in order. */
const published = () =>
  eventBridge.commandCalls(PutEventsCommand).flatMap((call) => (call.args[0].input as PutEventsCommandInput).Entries!.map((e) => JSON.parse(e.Detail!) as JobStateChange));
const acceptAll = () => eventBridge.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => ({ FailedEntryCount: 0, Entries: input.Entries!.map((_, n) => ({ EventId: `e${n}` })) }));
const mailCounts = async () => {
  const { posted, claimed, completed, trashed } = await counters.count(['mail']);
  return { posted, claimed, completed, trashed };
};

describe('stream processor handler', () => {
  it('publishes every state change in order, counts the jobs, and answers with state and no failures', async () => {
    acceptAll();
    const response = await handlerFor()(windowEvent(stream.records));
    expect(response).toEqual({ state: {}, batchItemFailures: [] });
    expect(await mailCounts()).toEqual({ posted: 1, claimed: 0, completed: 1, trashed: 1 });
    const changes = published();
    expect(changes.map((c) => `${c.previousState ?? '-'}→${c.state}`)).toEqual(['-→posted', '-→posted', 'posted→claimed', 'claimed→completed', '-→posted', 'posted→trashed']);
    expect(changes.every((c) => c.board === 'mail' && c.type === 'demo.echo')).toBe(true);
  });

  it('a batch delivered again counts nothing twice', async () => {
    acceptAll();
    const before = await mailCounts();
    expect(await handlerFor()(windowEvent(stream.records))).toEqual({ state: {}, batchItemFailures: [] });
    expect(await mailCounts()).toEqual(before);
  });

  it('an event EventBridge keeps refusing is reported as the batch item failure of its record', async () => {
    const before = await mailCounts();
    // The completed job's claim is refused every time.
    eventBridge.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => ({
      FailedEntryCount: 1,
      Entries: input.Entries!.map((e, n) => (JSON.parse(e.Detail!).state === 'claimed' ? { ErrorCode: 'InternalFailure' } : { EventId: `e${n}` })),
    }));
    const claimRecord = stream.records.find((r) => r.dynamodb?.NewImage?.state?.S === 'claimed' && r.dynamodb?.OldImage?.state?.S === 'posted');
    const response = await handlerFor()(windowEvent(stream.records));
    expect(response).toEqual({ state: {}, batchItemFailures: [{ itemIdentifier: claimRecord!.dynamodb!.SequenceNumber }] });
    expect(await mailCounts()).toEqual(before);
  });

  it('publishes only the states JOBBOARD_PUBLISHED_STATES names', async () => {
    acceptAll();
    await handlerFor('completed,trashed')(windowEvent(stream.records));
    expect(published().map((c) => c.state)).toEqual(['completed', 'trashed']);
  });

  it('answers a window’s last, empty invocation with state, and refuses records without a shard id', async () => {
    expect(await handlerFor()({ ...windowEvent([]), isFinalInvokeForWindow: true })).toEqual({ state: {}, batchItemFailures: [] });
    const { shardId: _none, ...plain } = windowEvent(stream.records);
    await expect(handlerFor()(plain)).rejects.toThrow(ConfigurationError);
  });

  it('counts from a fresh table and stream: one new post moves `posted` by one', async () => {
    acceptAll();
    await jobIn(f, 'posted', { board: 'mail' });
    const before = await mailCounts();
    stream = await readStream();
    await handlerFor()(windowEvent(stream.records));
    expect(await mailCounts()).toEqual({ ...before, posted: before.posted + 1 });
  });
});

describe('JOBBOARD_PUBLISHED_STATES', () => {
  it('is "all" when unset, or a list of known states; anything else names the variable', () => {
    expect(parsePublishedStates(undefined)).toBe('all');
    expect(parsePublishedStates('all')).toBe('all');
    expect(parsePublishedStates('failed, completed,failed')).toEqual(['failed', 'completed']);
    expect(() => parsePublishedStates('completed,done')).toThrow(/JOBBOARD_PUBLISHED_STATES.*"done"/);
    expect(() => parsePublishedStates('completed,')).toThrow(ConfigurationError);
  });
});
