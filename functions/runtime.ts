/**
 * Builds the clients and lib/ components a handler needs, once per cold start: handlers call
 * this at module scope (or lazily on first invocation) and reuse the result.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { BoardSettingsCache } from '../lib/boards/settings-cache.js';
import { EventBus, logObserver } from '../lib/events/events.js';
import { JobService } from '../lib/job-service.js';
import { JsonLogger, type Logger } from '../lib/logger.js';
import { OperationRunner, OperationService, ServiceOperationJobs, Sweeper } from '../lib/maintenance/index.js';
import { SqsPostingQueue } from '../lib/queue/sqs-posting-queue.js';
import { JobTypeRegistry, type JobType } from '../lib/registry.js';
import { Conductor } from '../lib/run/conductor.js';
import { TableJobStore, TableTaskCursors, type JobStore } from '../lib/store/index.js';
import { TableStreamCounters } from '../lib/store/stream-counters.js';
import { Lifecycle } from '../lib/lifecycle/lifecycle.js';
import { PostingSender } from '../lib/queue/posting-sender.js';
import { TableOperationStore } from '../lib/maintenance/table-operation-store.js';
import { TableScheduleStore } from '../lib/schedules/table-schedule-store.js';
import { ScheduleService } from '../lib/schedules/schedule-service.js';
import { auditOf, type AccessAudit } from './access-audit.js';
import { dynamoClients, sqsClient } from './clients.js';
import { readEnvironment, type FunctionEnvironment } from './env.js';
import { DynamoItemTable } from '../lib/dynamo/index.js';

export interface Runtime {
  environment: FunctionEnvironment;
  dynamo: DynamoDBClient;
  sqs: SQSClient;
  store: JobStore;
  /** Applies what follows each store write (holds dropped, children told, postings sent). */
  lifecycle: Lifecycle;
  registry: JobTypeRegistry;
  queue: SqsPostingQueue;
  events: EventBus;
  jobs: JobService;
  conductor: Conductor;
  sweeper: Sweeper;
  /** Periodic schedules: put/get/list/delete, and the tick the sweeper runs. */
  schedules: ScheduleService;
  /** Bulk operations: the API starts and reads them; the runner (the sweeper's task) carries them out. */
  operations: OperationService;
  operationRunner: OperationRunner;
  logger: Logger;
}

export interface RuntimeOptions {
  /** Record every AWS call (the access audit); default: as the environment says, which on AWS is never. */
  audit?: AccessAudit;
}

/** Everything a handler needs, from the environment (or the given one, for the local stack). */
export function createRuntime(jobTypes: readonly JobType<never>[], environment: FunctionEnvironment = readEnvironment(), logger: Logger = new JsonLogger(), options: RuntimeOptions = {}): Runtime {
  const audit = options.audit ?? auditOf(environment.accessAudit);
  const { dynamo, documentClient } = dynamoClients(environment, audit);
  const sqs = sqsClient(environment, audit);
  // Every transition is reported once, here; the log line is its first observer.
  const events = new EventBus([logObserver(logger)]);
  const registry = new JobTypeRegistry(jobTypes);
  const queue = SqsPostingQueue.forLanes(
    sqs,
    { high: environment.queueUrlHigh ?? environment.queueUrl, normal: environment.queueUrl, low: environment.queueUrlLow ?? environment.queueUrl },
    environment.deadLetterQueueUrl,
  );
  // One table port for every store: every item of every kind is written through it.
  const table = new DynamoItemTable(documentClient, environment.tableName);
  // Counts come from the counters the stream processor keeps: a fixed number of item reads, whatever the number of jobs.
  const counts = new TableStreamCounters(table, Date.now);
  const store = new TableJobStore(table, { tableName: environment.tableName, retentionDays: environment.retentionDays }, { events, counts });
  // What follows each write (holds dropped, children told, postings sent) is applied in one place.
  const lifecycle = new Lifecycle({ store, postings: new PostingSender(queue, logger, Date.now), logger });
  const jobs = new JobService({ store, queue, registry, logger, lifecycle });
  const operationStore = new TableOperationStore(table, { retentionDays: environment.retentionDays });
  return {
    environment,
    dynamo,
    sqs,
    store,
    lifecycle,
    registry,
    queue,
    events,
    logger,
    jobs,
    conductor: new Conductor({ store, queue, registry, events, logger, lifecycle, boards: new BoardSettingsCache(store.boards, Date.now), options: { recordConcurrency: environment.recordConcurrency } }),
    sweeper: new Sweeper({ store, queue, cursors: new TableTaskCursors(table), registry, logger, lifecycle }),
    schedules: new ScheduleService({ store: new TableScheduleStore(table), jobs, registry, logger }),
    operations: new OperationService({ store: operationStore, logger }),
    operationRunner: new OperationRunner({ operations: operationStore, jobs: new ServiceOperationJobs({ store, service: jobs, lifecycle }), logger }),
  };
}

/** Builds the runtime on first use, so a module can export a handler without reading the environment at import. */
export function lazyRuntime(jobTypes: readonly JobType<never>[]): () => Runtime {
  let runtime: Runtime | undefined;
  return () => (runtime ??= createRuntime(jobTypes));
}
