/**
 * What the job counters cost in DynamoDB writes: a burst of jobs (post, claim, consume) goes into
 * a table of its own, then the local stack's stream reader (`StreamPoller`, batches of up to 1,000
 * records, as Lambda's at full batches) feeds `StreamProcessor` with `DynamoStreamCounters` on a
 * metered client. Only the counters' writes are metered here; the job path's own are section 1's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { localClientConfig } from '../functions/clients.js';
import type { ChangeRecord } from '../lib/events/state-change.js';
import { StreamProcessor, type BatchOutcome } from '../lib/events/stream-processor.js';
import { parsePostRequest } from '../lib/http/post-request.js';
import { silentLogger } from '../lib/logger.js';
import { newJob } from '../lib/new-job.js';
import { createTableInput } from '../lib/table.js';
import { StreamPoller } from '../local/stream-poller.js';
import { RequestMeter } from './request-meter.js';
import { DynamoJobStore, DynamoStreamCounters } from '../lib/dynamo/index.js';

export interface CounterCost {
  jobs: number;
  /** Stream records read, and the sizes of the batches they came in. */
  records: number;
  batches: number[];
  writeUnits: number;
  writeUnitsPerJob: number;
  /** The counters said `completed: jobs` at the end. */
  countsMatch: boolean;
}

const BOARD = 'bench-counters';

/** A processor that also notes the size of each batch it gets. */
class BatchNotingProcessor extends StreamProcessor {
  readonly batches: number[] = [];

  override process(streamShard: string, records: readonly ChangeRecord[]): Promise<BatchOutcome> {
    this.batches.push(records.length);
    return super.process(streamShard, records);
  }
}

export async function counterWriteUnits(endpoint: string, jobs: number): Promise<CounterCost> {
  const config = { endpoint, ...localClientConfig(endpoint) };
  const dynamo = new DynamoDBClient(config);
  const metered = new DynamoDBClient(config);
  const meter = new RequestMeter();
  meter.attach(metered, 'DynamoDB');
  const streams = new DynamoDBStreamsClient(config);
  const tableName = `bench-counters-${randomUUID().slice(0, 8)}`;
  const dir = mkdtempSync(join(tmpdir(), 'jobboard-bench-counters-'));
  await dynamo.send(new CreateTableCommand(createTableInput(tableName)));
  try {
    // The burst first, then one read of the stream: batches as full as the stream gives them.
    const store = new DynamoJobStore(DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } }), { tableName });
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < jobs) {
          next++;
          const { job } = await store.post(newJob(parsePostRequest({ type: 'demo.echo', board: BOARD }), { typeVersion: 1 }, Date.now(), randomUUID));
          await store.consume(await store.claim(job.id, { owner: `bench:${randomUUID()}`, leaseMs: 60_000 }), null);
        }
      }),
    );
    const counters = new DynamoStreamCounters(DynamoDBDocumentClient.from(metered), tableName, Date.now);
    const processor = new BatchNotingProcessor({ publisher: { publish: async (changes) => changes.length }, counters, logger: silentLogger });
    meter.reset();
    const poller = new StreamPoller({ dynamo, streams, tableName, processor, positionsFile: join(dir, 'positions.json'), logger: silentLogger, idleMs: 50 }).start();
    const reader = new DynamoStreamCounters(DynamoDBDocumentClient.from(dynamo), tableName, Date.now);
    let completed = 0;
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
      completed = (await reader.count([BOARD])).completed;
      if (completed >= jobs) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await poller.stop();
    const writeUnits = meter.snapshot().dynamoWriteUnits;
    const records = processor.batches.reduce((a, b) => a + b, 0);
    return { jobs, records, batches: processor.batches, writeUnits, writeUnitsPerJob: writeUnits / jobs, countsMatch: completed === jobs };
  } finally {
    await dynamo.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    for (const client of [dynamo, metered, streams]) client.destroy();
  }
}
