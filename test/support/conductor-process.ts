/**
 * A conductor in its own process, for crash tests: polls the queue and runs jobs until killed.
 * Usage: tsx conductor-process.ts '<json config>'
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createConductorHandler } from '../../functions/conductor.js';
import type { Runtime } from '../../functions/runtime.js';
import { demoJobTypes } from '../../functions/job-types/demo.js';
import { BoardSettingsCache } from '../../lib/boards/settings-cache.js';
import { EventBus, logObserver } from '../../lib/events/events.js';
import { JsonLogger } from '../../lib/logger.js';
import { SqsPostingQueue } from '../../lib/queue/sqs-posting-queue.js';
import { JobTypeRegistry } from '../../lib/registry.js';
import { Conductor } from '../../lib/run/conductor.js';
import { EventSourcePoller } from '../../local/event-source.js';
import { dynamoClient, sqsClient } from './aws.js';
import { DynamoJobStore } from '../../lib/dynamo/index.js';

export interface ConductorProcessConfig {
  dynamoEndpoint: string;
  sqsEndpoint: string;
  tableName: string;
  queueUrl: string;
  deadLetterQueueUrl: string;
  leaseMs: number;
  /** Dies (SIGKILL to itself) right before its first write that tells a child its parent ended. */
  dieBeforeRelease?: boolean;
}

const config = JSON.parse(process.argv[2] ?? '{}') as ConductorProcessConfig;
const sqs = sqsClient(config.sqsEndpoint);
const logger = new JsonLogger({ process: 'child' });
const events = new EventBus([logObserver(logger)]);
const documentClient = DynamoDBDocumentClient.from(dynamoClient(config.dynamoEndpoint));
if (config.dieBeforeRelease === true) {
  // A crash at the worst moment for dependencies: the parent's consume is written, its child not yet told.
  documentClient.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { UpdateExpression?: string };
      if (input.UpdateExpression?.includes('DELETE #waitingOn')) process.kill(process.pid, 'SIGKILL');
      return next(args);
    },
    { step: 'initialize', name: 'dieBeforeRelease' },
  );
}
const store = new DynamoJobStore(documentClient, { tableName: config.tableName }, { events });
const conductor = new Conductor({
  store,
  queue: SqsPostingQueue.single(sqs, config.queueUrl, config.deadLetterQueueUrl),
  registry: new JobTypeRegistry(demoJobTypes),
  events,
  logger,
  boards: new BoardSettingsCache(store.boards, Date.now, 200),
  options: { leaseMs: config.leaseMs, leaseMarginMs: 1_000, deadlineReserveMs: 500 },
});
new EventSourcePoller({ sqs, queueUrl: config.queueUrl, handler: createConductorHandler([], () => ({ conductor }) as unknown as Runtime), invocationTimeoutMs: 60_000 }).start();
