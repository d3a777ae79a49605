/**
 * The change stream of a test table, read as the local stack reads it: a `StreamPoller` over
 * DynamoDB Local's stream into a `StreamProcessor`, events into an `EventLog` in a temp dir.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { StreamProcessor, type StateChangePublisher } from '../../lib/events/stream-processor.js';
import { silentLogger } from '../../lib/logger.js';
import { EventLog } from '../../local/event-log.js';
import { StreamPoller } from '../../local/stream-poller.js';
import { dynamoClient } from './aws.js';
import type { TestTable } from './table.js';
import { DynamoStreamCounters } from '../../lib/dynamo/index.js';

export interface TestChangeStream {
  events: EventLog;
  counters: DynamoStreamCounters;
  processor: StreamProcessor;
  streams: DynamoDBStreamsClient;
  stop(): Promise<void>;
}

export function streamsClient(endpoint: string = inject('dynamoEndpoint')): DynamoDBStreamsClient {
  return new DynamoDBStreamsClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}

export function startTestChangeStream(table: TestTable, options: { publisher?: StateChangePublisher; idleMs?: number } = {}): TestChangeStream {
  const dir = mkdtempSync(join(tmpdir(), 'jobboard-stream-'));
  const events = new EventLog(join(dir, 'events.jsonl'));
  // Clients of its own, as the stream processor has on AWS: a test metering the table's client sees only its own requests.
  const dynamo = dynamoClient(inject('dynamoEndpoint'));
  const counters = new DynamoStreamCounters(DynamoDBDocumentClient.from(dynamo), table.tableName, Date.now);
  const processor = new StreamProcessor({ publisher: options.publisher ?? events, counters, logger: silentLogger });
  const streams = streamsClient();
  const poller = new StreamPoller({
    dynamo,
    streams,
    tableName: table.tableName,
    processor,
    positionsFile: join(dir, 'positions.json'),
    logger: silentLogger,
    idleMs: options.idleMs ?? 50,
  }).start();
  return {
    events,
    counters,
    processor,
    streams,
    stop: async () => {
      await poller.stop();
      streams.destroy();
      dynamo.destroy();
    },
  };
}
