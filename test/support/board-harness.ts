/**
 * A whole board on the emulators: its own table in DynamoDB Local, its own fauxqs on a free
 * port with the postings queue and DLQ, the store, postings, conductor, sweeper and an event
 * source poller, all on real SDK clients. The clock can be moved forward (for delays and
 * horizons) while timers stay real.
 */
import { ReceiveMessageCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ConductorOptions, SweeperOptions } from '../../lib/config.js';
import { BoardSettingsCache } from '../../lib/boards/settings-cache.js';
import { EventBus, logObserver } from '../../lib/events/events.js';
import type { PostJobBody } from '../../lib/http/contract.js';
import { parsePostRequest } from '../../lib/http/post-request.js';
import { JobService } from '../../lib/job-service.js';
import { JsonLogger } from '../../lib/logger.js';
import type { Job } from '../../lib/model.js';
import { Sweeper } from '../../lib/maintenance/index.js';
import { Lifecycle } from '../../lib/lifecycle/lifecycle.js';
import { PostingSender } from '../../lib/queue/posting-sender.js';
import type { Written } from '../../lib/store/follow-ups.js';
import { SqsPostingQueue } from '../../lib/queue/sqs-posting-queue.js';
import { JobTypeRegistry, type JobType } from '../../lib/registry.js';
import { Conductor } from '../../lib/run/conductor.js';
import { type JobStore } from '../../lib/store/index.js';
import { demoJobTypes } from '../../functions/job-types/demo.js';
import { createConductorHandler } from '../../functions/conductor.js';
import type { Runtime } from '../../functions/runtime.js';
import { EventSourcePoller } from '../../local/event-source.js';
import { startSqsEmulator, type SqsEmulator } from '../../local/sqs-emulator.js';
import { sqsClient } from './aws.js';
import { createTestTable, type TestTable } from './table.js';
import { DynamoJobStore, DynamoTaskCursors } from '../../lib/dynamo/index.js';

export interface HarnessOptions {
  jobTypes?: readonly JobType<never>[];
  conductor?: Partial<ConductorOptions>;
  sweeper?: Partial<SweeperOptions>;
  /** Visibility timeout of the postings queue (default 5 s, so lost work comes back quickly). */
  visibilityTimeoutSeconds?: number;
  invocationTimeoutMs?: number;
  /** How stale the conductors' board settings may be (default 200 ms). */
  boardSettingsMaxAgeMs?: number;
  /** Wraps the real document client (fault injection); the harness's store uses what this returns. */
  wrapDocumentClient?: (real: DynamoDBDocumentClient, table: TestTable) => DynamoDBDocumentClient;
}

/** A clock that runs with real time plus an offset tests can move forward. */
export class SkewClock {
  offsetMs = 0;
  now = (): number => Date.now() + this.offsetMs;
}

export class BoardHarness {
  readonly logs: Record<string, unknown>[] = [];
  readonly clock = new SkewClock();
  store!: DynamoJobStore;
  bus!: EventBus;
  jobs!: JobService;
  conductor!: Conductor;
  sweeper!: Sweeper;
  sqs!: SQSClient;
  documentClient!: DynamoDBDocumentClient;
  queue!: SqsEmulator;
  table!: TestTable;
  registry!: JobTypeRegistry;
  /** Applies what follows each write (holds dropped, children told, postings sent). */
  lifecycle!: Lifecycle;
  /** The posting queue (the SQS adapter on this harness's emulator). */
  postings!: SqsPostingQueue;
  logger!: JsonLogger;
  private pollers: EventSourcePoller[] = [];

  constructor(private readonly options: HarnessOptions = {}) {}

  async start(): Promise<this> {
    this.table = await createTestTable();
    this.queue = await startSqsEmulator({ conductorTimeoutSeconds: 1, visibilityTimeoutSeconds: this.options.visibilityTimeoutSeconds ?? 5 });
    this.sqs = sqsClient(this.queue.endpoint);
    this.documentClient = this.options.wrapDocumentClient?.(this.table.documentClient, this.table) ?? this.table.documentClient;
    const logger = (this.logger = new JsonLogger({}, (line) => this.logs.push(JSON.parse(line) as Record<string, unknown>)));
    this.registry = new JobTypeRegistry(this.options.jobTypes ?? demoJobTypes);
    this.bus = new EventBus([logObserver(logger)]);
    const queue = (this.postings = SqsPostingQueue.single(this.sqs, this.queue.queueUrl, this.queue.deadLetterQueueUrl));
    this.store = new DynamoJobStore(this.documentClient, { tableName: this.table.tableName }, { now: this.clock.now, events: this.bus });
    this.lifecycle = new Lifecycle({ store: this.store, postings: new PostingSender(queue, logger, this.clock.now), logger });
    this.jobs = new JobService({ store: this.store, queue, registry: this.registry, logger, now: this.clock.now, lifecycle: this.lifecycle });
    this.conductor = this.newConductor();
    this.sweeper = this.newSweeper();
    return this;
  }

  /** A conductor on this harness's store and queue, with its own board-settings cache (tests race several). */
  newConductor(): Conductor {
    return new Conductor({
      store: this.store,
      queue: this.postings,
      registry: this.registry,
      events: this.bus,
      logger: this.logger,
      now: this.clock.now,
      lifecycle: this.lifecycle,
      boards: new BoardSettingsCache(this.store.boards, this.clock.now, this.options.boardSettingsMaxAgeMs ?? 200),
      options: { leaseMarginMs: 1_000, deadlineReserveMs: 500, minRemainingToStartMs: 1_000, ...this.options.conductor },
    });
  }

  /** A write through the store, with what follows it applied, as the conductor and the service apply it. */
  async settle(written: Promise<Written>): Promise<Job> {
    return this.lifecycle.settle(await written);
  }

  /** Posts a job as the API would: the body parsed by the contract, then the job service. */
  post(body: PostJobBody): ReturnType<JobService['post']> {
    return this.jobs.post(parsePostRequest(body));
  }

  /** A probe for `waitFor`: the job once it is completed or failed, undefined before. */
  finished(id: string): () => Promise<Job | undefined> {
    return async () => {
      const job = await this.store.get(id);
      return job.state === 'completed' || job.state === 'failed' ? job : undefined;
    };
  }

  /** A sweeper on this harness's store and queue (tests make several to race them). */
  newSweeper(options: { now?: () => number; sweeper?: Partial<SweeperOptions>; store?: JobStore } = {}): Sweeper {
    return new Sweeper({
      store: options.store ?? this.store,
      queue: this.postings,
      cursors: new DynamoTaskCursors(this.documentClient, this.table.tableName),
      registry: this.registry,
      logger: this.logger,
      now: options.now ?? this.clock.now,
      options: { ...this.options.sweeper, ...options.sweeper },
    });
  }

  /** Starts an event source poller feeding this harness's conductor. */
  startPolling(options: { concurrency?: number; conductor?: Conductor } = {}): EventSourcePoller {
    const conductor = options.conductor ?? this.conductor;
    const runtime = () => ({ conductor }) as unknown as Runtime;
    const poller = new EventSourcePoller({
      sqs: this.sqs,
      queueUrl: this.queue.queueUrl,
      handler: createConductorHandler([], runtime),
      concurrency: options.concurrency ?? 2,
      invocationTimeoutMs: this.options.invocationTimeoutMs ?? 30_000,
      waitTimeSeconds: 1,
    }).start();
    this.pollers.push(poller);
    return poller;
  }

  async stopPolling(): Promise<void> {
    await Promise.all(this.pollers.map((p) => p.stop()));
    this.pollers = [];
  }

  /** Log lines with this event name (and job id, if given). */
  events(event: string, jobId?: string): Record<string, unknown>[] {
    return this.logs.filter((l) => l.event === event && (jobId === undefined || l.jobId === jobId));
  }

  /** Messages in the DLQ, received and left there (visibility 0 would re-show them; 30 s hides them from later reads). */
  async deadLetters(): Promise<{ body: string; reason: string | undefined }[]> {
    const received = await this.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: this.queue.deadLetterQueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], VisibilityTimeout: 0, WaitTimeSeconds: 0 }),
    );
    return (received.Messages ?? []).map((m) => ({ body: m.Body ?? '', reason: m.MessageAttributes?.reason?.StringValue }));
  }

  /** The DLQ messages that `match`, or undefined while there are none (a probe for `waitFor`). */
  async deadLettersWhere(match: (letter: { body: string; reason: string | undefined }) => boolean): Promise<{ body: string; reason: string | undefined }[] | undefined> {
    const found = (await this.deadLetters()).filter(match);
    return found.length > 0 ? found : undefined;
  }

  async queueDepth(): Promise<{ visible: number; inFlight: number; delayed: number }> {
    const { Attributes = {} } = await this.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.queue.queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
      }),
    );
    return {
      visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
      delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
    };
  }

  async stop(): Promise<void> {
    await this.stopPolling();
    await this.queue.stop();
    await this.table.drop();
  }
}
