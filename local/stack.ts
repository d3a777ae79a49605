/**
 * The whole system on one machine, running the very handlers Lambda runs: DynamoDB Local (data
 * on disk), the SQS emulator in process, the HTTP API, an event-source poller feeding the
 * conductor, the sweeper on a timer, bulk operations on a shorter one, and the change stream
 * (events and counters).
 *
 * The emulator's queue is in memory, so after a crash it starts empty: at start every open job
 * is posted again (start-up repair). Jobs a killed stack had claimed are taken over once their
 * lease runs out: leases are a minute (renewed as a run goes on), whatever the invocation timeout.
 */
import { CreateTableCommand, DescribeTableCommand, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { join, resolve } from 'node:path';
import { createApiHandler } from '../functions/api.js';
import { createConductorHandler } from '../functions/conductor.js';
import type { LocalStackEnvironment } from '../functions/env.js';
import { demoJobTypes } from '../functions/job-types/demo.js';
import { createRuntime, type Runtime } from '../functions/runtime.js';
import { JsonLogger, type LogSink } from '../lib/logger.js';
import { LANES } from '../lib/queues.js';
import type { JobType } from '../lib/registry.js';
import { createTableInput } from '../lib/table.js';
import { ensureStream, startChangeStream } from './change-stream.js';
import { startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local.js';
import { EventSourcePoller } from './event-source.js';
import { startHttpServer } from './http-server.js';
import { startSqsEmulator, type SqsEmulator } from './sqs-emulator.js';

export const LOCAL_TABLE_NAME = 'jobboard-jobs';

/** Each local sweep works as long as a sweeper Lambda with a one-minute timeout would. */
const LOCAL_SWEEP_BUDGET_MS = 60_000;

/** How often the local stack looks for running bulk operations. */
const LOCAL_OPERATION_INTERVAL_MS = 1_000;

export interface LocalStack {
  url: string;
  runtime: Runtime;
  dynamo: DynamoDbLocal;
  queue: SqsEmulator;
  poller: EventSourcePoller;
  stop(): Promise<void>;
}

export async function startLocalStack(env: LocalStackEnvironment, options: { jobTypes?: readonly JobType<never>[]; sink?: LogSink } = {}): Promise<LocalStack> {
  const logger = new JsonLogger({}, options.sink);
  const jobTypes = options.jobTypes ?? demoJobTypes;
  const stopping: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stopping.reverse()) await stop().catch(() => undefined);
  };
  try {
    const dynamo = await startDynamoDbLocal({ dataDir: resolve(join(env.dataDir, 'dynamodb')) });
    stopping.push(() => dynamo.stop());
    const queue = await startSqsEmulator({ conductorTimeoutSeconds: env.conductorTimeoutSeconds });
    stopping.push(() => queue.stop());

    const quiet = new JsonLogger({}, () => undefined);
    const runtime = createRuntime(
      jobTypes,
      {
        tableName: LOCAL_TABLE_NAME,
        queueUrl: queue.laneUrls.normal,
        queueUrlHigh: queue.laneUrls.high,
        queueUrlLow: queue.laneUrls.low,
        deadLetterQueueUrl: queue.deadLetterQueueUrl,
        dynamoEndpoint: dynamo.endpoint,
        sqsEndpoint: queue.endpoint,
        dynamoMaxSockets: env.dynamoMaxSockets,
      },
      env.logTransitions ? logger : quiet,
    );
    // Steps stop in reverse order: the clients close only after the server and the poller have stopped.
    stopping.push(async () => {
      runtime.dynamo.destroy();
      runtime.sqs.destroy();
    });
    await ensureTable(runtime);
    await ensureStream(runtime, LOCAL_TABLE_NAME, logger);
    // The queue is new and empty: post every open job again, before serving anything.
    const repaired = await runtime.sweeper.sweep({ repostAll: true });
    if (repaired.posted > 0) logger.info('startup_repair', { reposted: repaired.posted });

    // Events and counters from the table's stream, before any job moves: nothing is missed.
    const changeStream = startChangeStream({ tableName: LOCAL_TABLE_NAME, dataDir: env.dataDir, endpoint: dynamo.endpoint, logger, idleMs: env.streamIdleMs });
    stopping.push(() => changeStream.stop());

    const poller = new EventSourcePoller({
      sqs: runtime.sqs,
      // Highest priority first: each receive takes the first lane with postings waiting.
      queueUrls: LANES.map((lane) => queue.laneUrls[lane]),
      handler: createConductorHandler(jobTypes, () => runtime),
      concurrency: env.conductorConcurrency,
      invocationTimeoutMs: env.conductorTimeoutSeconds * 1_000,
      onInvocationError: (error) => logger.error('invocation_failed', { error }),
    }).start();
    // Ctrl-C should not wait out a long job: after a few seconds its invocation is left behind,
    // and the job is recovered from its lease after the next start.
    stopping.push(() => poller.stop({ graceMs: 3_000 }));

    const sweepTimer = setInterval(() => {
      runtime.sweeper.sweep({ remainingMs: LOCAL_SWEEP_BUDGET_MS }).catch((error: unknown) => logger.error('sweep_failed', { error }));
      // Periodic schedules tick with the sweeper, as on AWS.
      runtime.schedules.tick(Date.now()).catch((error: unknown) => logger.error('schedule_tick_failed', { error }));
    }, env.sweepIntervalSeconds * 1_000);
    stopping.push(async () => clearInterval(sweepTimer));

    // Bulk operations on their own short timer, one run at a time, so a POST /operations starts
    // within a second rather than at the next sweep (AWS: the sweeper's minute). A run killed
    // mid-slice leaves its lease to run out; the next start takes over from the recorded slice.
    let operationsRunning = false;
    const operationTimer = setInterval(() => {
      if (operationsRunning) return;
      operationsRunning = true;
      runtime.operationRunner
        .run({ remainingMs: LOCAL_SWEEP_BUDGET_MS })
        .catch((error: unknown) => logger.error('operations_failed', { error }))
        .finally(() => (operationsRunning = false));
    }, LOCAL_OPERATION_INTERVAL_MS);
    stopping.push(async () => clearInterval(operationTimer));

    const http = await startHttpServer({ handler: createApiHandler(jobTypes, () => runtime), port: env.port, apiToken: env.apiToken, events: changeStream.events });
    stopping.push(() => http.stop());
    return { url: http.url, runtime, dynamo, queue, poller, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function ensureTable(runtime: Runtime): Promise<void> {
  try {
    await runtime.dynamo.send(new CreateTableCommand(createTableInput(LOCAL_TABLE_NAME)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await runtime.dynamo.send(new DescribeTableCommand({ TableName: LOCAL_TABLE_NAME }));
}
