/**
 * Builds the clients and lib/ components a handler needs, once per cold start: handlers call
 * this at module scope (or lazily on first invocation) and reuse the result.
 */
import { Agent } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { JobBoard } from '../lib/board.js';
import { Conductor } from '../lib/conductor.js';
import { JsonLogger } from '../lib/logger.js';
import { PostingSender } from '../lib/postings.js';
import { JobTypeRegistry, type JobType } from '../lib/registry.js';
import { JobStore } from '../lib/store/index.js';
import { Sweeper } from '../lib/sweeper.js';
import { readEnvironment, type FunctionEnvironment } from './env.js';

export interface Runtime {
  environment: FunctionEnvironment;
  dynamo: DynamoDBClient;
  sqs: SQSClient;
  store: JobStore;
  registry: JobTypeRegistry;
  postings: PostingSender;
  board: JobBoard;
  conductor: Conductor;
  sweeper: Sweeper;
  logger: JsonLogger;
}

/** Everything a handler needs, from the environment (or the given one, for the local stack). */
export function createRuntime(jobTypes: readonly JobType<never>[], environment: FunctionEnvironment = readEnvironment(), logger = new JsonLogger()): Runtime {
  const local = environment.dynamoEndpoint !== undefined ? { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {};
  const dynamo = new DynamoDBClient({
    ...local,
    ...(environment.dynamoEndpoint ? { endpoint: environment.dynamoEndpoint } : {}),
    ...(environment.dynamoMaxSockets ? { requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: environment.dynamoMaxSockets }) } } : {}),
  });
  const sqs = new SQSClient({ ...local, ...(environment.sqsEndpoint ? { endpoint: environment.sqsEndpoint } : {}) });
  const documentClient = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  const store = new JobStore(documentClient, { tableName: environment.tableName, retentionDays: environment.retentionDays });
  const registry = new JobTypeRegistry(jobTypes);
  const postings = new PostingSender(sqs, environment.queueUrl);
  const queues = { queueUrl: environment.queueUrl, deadLetterQueueUrl: environment.deadLetterQueueUrl };
  return {
    environment,
    dynamo,
    sqs,
    store,
    registry,
    postings,
    logger,
    board: new JobBoard({ store, postings, registry, sqs, logger, ...queues }),
    conductor: new Conductor({ store, sqs, registry, logger, options: { ...queues, recordConcurrency: environment.recordConcurrency } }),
    sweeper: new Sweeper({ store, sqs, postings, registry, logger, options: { queueUrl: environment.queueUrl } }),
  };
}

/** Builds the runtime on first use, so a module can export a handler without reading the environment at import. */
export function lazyRuntime(jobTypes: readonly JobType<never>[]): () => Runtime {
  let runtime: Runtime | undefined;
  return () => (runtime ??= createRuntime(jobTypes));
}
