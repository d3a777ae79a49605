/**
 * Builds the clients and lib/ components a handler needs, once per cold start: handlers call
 * this at module scope (or lazily on first invocation) and reuse the result.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { BoardSettingsCache } from '../lib/boards/settings-cache.js';
import type { Job } from '../lib/model.js';
import { postingOf } from '../lib/queue/posting-of.js';
import { EventBus, logObserver } from '../lib/events/events.js';
import { JobService } from '../lib/job-service.js';
import { JsonLogger, type Logger } from '../lib/logger.js';
import { OperationRunner, OperationService, ServiceOperationJobs, Sweeper } from '../lib/maintenance/index.js';
import { SqsPostingQueue } from '../lib/queue/sqs-posting-queue.js';
import { JobTypeRegistry, type JobType } from '../lib/registry.js';
import { Conductor } from '../lib/run/conductor.js';
import { type JobStore } from '../lib/store/index.js';
import { ScheduleService } from '../lib/schedules/schedule-service.js';
import { auditOf, type AccessAudit } from './access-audit.js';
import { dynamoClients, sqsClient } from './clients.js';
import { readEnvironment, type FunctionEnvironment } from './env.js';
import { DynamoJobStore, DynamoTaskCursors, DynamoStreamCounters, DynamoOperationStore, DynamoScheduleStore } from '../lib/dynamo/index.js';

export interface Runtime {
  environment: FunctionEnvironment;
  dynamo: DynamoDBClient;
  sqs: SQSClient;
  store: JobStore;
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
  // Children released by a parent's end get their postings here; if the send fails, the sweeper re-posts them.
  const onReleased = (jobs: Job[]) => queue.send(jobs.map((job) => postingOf(job, Date.now())));
  // Counts come from the counters the stream processor keeps: a fixed number of item reads, whatever the number of jobs.
  const counts = new DynamoStreamCounters(documentClient, environment.tableName, Date.now);
  const store = new DynamoJobStore(documentClient, { tableName: environment.tableName, retentionDays: environment.retentionDays }, { events, onReleased, counts });
  const jobs = new JobService({ store, queue, registry, logger });
  const operationStore = new DynamoOperationStore(documentClient, { tableName: environment.tableName, retentionDays: environment.retentionDays });
  return {
    environment,
    dynamo,
    sqs,
    store,
    registry,
    queue,
    events,
    logger,
    jobs,
    conductor: new Conductor({ store, queue, registry, events, logger, boards: new BoardSettingsCache(store.boards, Date.now), options: { recordConcurrency: environment.recordConcurrency } }),
    sweeper: new Sweeper({ store, queue, cursors: new DynamoTaskCursors(documentClient, environment.tableName), registry, logger }),
    schedules: new ScheduleService({ store: new DynamoScheduleStore(documentClient, environment.tableName), jobs, registry, logger }),
    operations: new OperationService({ store: operationStore, logger }),
    operationRunner: new OperationRunner({ operations: operationStore, jobs: new ServiceOperationJobs({ store, service: jobs, queue, logger }), logger }),
  };
}

/** Builds the runtime on first use, so a module can export a handler without reading the environment at import. */
export function lazyRuntime(jobTypes: readonly JobType<never>[]): () => Runtime {
  let runtime: Runtime | undefined;
  return () => (runtime ??= createRuntime(jobTypes));
}
