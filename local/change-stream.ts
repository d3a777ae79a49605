/**
 * The local stack's change stream: DynamoDB Local's stream of the jobs table, read by a
 * `StreamPoller` into the `StreamProcessor` the Lambda runs, with events going to
 * `events.jsonl` and `GET /events` instead of EventBridge.
 */
import { join } from 'node:path';
import { DescribeTableCommand, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { StreamProcessor } from '../lib/events/stream-processor.js';
import type { Logger } from '../lib/logger.js';
import { IndexJobCounts } from '../lib/store/counting.js';
import { IndexReader } from '../lib/store/index-reader.js';
import { TABLE } from '../lib/table.js';
import { dynamoClients, streamsClient } from '../functions/clients.js';
import type { Runtime } from '../functions/runtime.js';
import { EventLog } from './event-log.js';
import { StreamPoller } from './stream-poller.js';
import { DynamoItemTable, DynamoStreamCounters } from '../lib/dynamo/index.js';

export interface ChangeStream {
  events: EventLog;
  stop(): Promise<void>;
}

export function startChangeStream(options: { tableName: string; dataDir: string; endpoint: string; logger: Logger; idleMs: number }): ChangeStream {
  // Clients of its own, as the stream processor is a function of its own on AWS: its requests are
  // not the job path's (the benchmark meters the job path's clients).
  const { dynamo, documentClient } = dynamoClients({ dynamoEndpoint: options.endpoint });
  const streams = streamsClient({ dynamoEndpoint: options.endpoint });
  const events = new EventLog(join(options.dataDir, 'events.jsonl'));
  const processor = new StreamProcessor({ publisher: events, counters: new DynamoStreamCounters(documentClient, options.tableName, Date.now), logger: options.logger });
  const poller = new StreamPoller({
    dynamo,
    streams,
    tableName: options.tableName,
    processor,
    positionsFile: join(options.dataDir, 'stream-positions.json'),
    logger: options.logger,
    idleMs: options.idleMs,
  }).start();
  return {
    events,
    stop: async () => {
      await poller.stop();
      streams.destroy();
      dynamo.destroy();
    },
  };
}

/**
 * A table made before the stream existed (a data directory from an older version) gets its
 * stream now, and its counters start from a full count. Nothing writes meanwhile: this runs
 * before the poller, the conductors and the API start.
 */
export async function ensureStream(runtime: Runtime, tableName: string, logger: Logger): Promise<void> {
  const { Table } = await runtime.dynamo.send(new DescribeTableCommand({ TableName: tableName }));
  if (Table?.StreamSpecification?.StreamEnabled === true) return;
  await runtime.dynamo.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: { StreamEnabled: true, StreamViewType: TABLE.streamViewType } }));
  const documentClient = DynamoDBDocumentClient.from(runtime.dynamo);
  const counters = new DynamoStreamCounters(documentClient, tableName, Date.now);
  const fullCount = new IndexJobCounts(new IndexReader(new DynamoItemTable(documentClient, tableName)), Date.now);
  for (const board of await runtime.store.boards.names()) await counters.seed(board, await fullCount.count([board]));
  logger.info('stream_enabled', { table: tableName });
}
