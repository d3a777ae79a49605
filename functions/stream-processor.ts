/**
 * Lambda handler for the table's DynamoDB stream (its event source mapping: infra/stream.ts):
 * publishes each job state change to EventBridge and keeps the job counters, through lib's
 * `StreamProcessor`, the same code the local stack runs over DynamoDB Local's stream.
 *
 * The mapping has a tumbling window for one reason: only then does Lambda put the stream
 * shard's id in the event, and the counters' checkpoint is per stream shard. No state is kept
 * across invocations, but the response must carry `state` (Lambda counts a windowed response
 * without it as a failure). A record whose event could not be published is reported as the
 * one batch item failure: Lambda delivers the batch again from it, in order.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { ConfigurationError } from '../lib/errors.js';
import { EventBridgePublisher, type EventBridgePublisherOptions } from '../lib/events/eventbridge-publisher.js';
import type { ChangeRecord } from '../lib/events/state-change.js';
import { StreamProcessor } from '../lib/events/stream-processor.js';
import type { Logger } from '../lib/logger.js';
import { auditOf, type AccessAudit } from './access-audit.js';
import { dynamoClients, eventBridgeClient } from './clients.js';
import { readMetricsEnvironment, readStreamProcessorEnvironment, type StreamProcessorEnvironment } from './env.js';
import { createObservability, observed, once } from './lambda-runtime.js';
import { DynamoStreamCounters } from '../lib/dynamo/index.js';

/** A DynamoDB stream event as Lambda sends it when the mapping has a tumbling window. */
export interface StreamWindowEvent {
  Records: DynamoDBRecord[];
  /** The stream shard every record of the batch comes from. */
  shardId?: string;
  eventSourceARN?: string;
  window?: { start: string; end: string };
  state?: Record<string, string>;
  isFinalInvokeForWindow?: boolean;
  isWindowTerminatedEarly?: boolean;
}

export interface StreamWindowResponse {
  state: Record<string, string>;
  batchItemFailures: { itemIdentifier: string }[];
}

export type StreamProcessorHandler = (event: StreamWindowEvent, context?: unknown) => Promise<StreamWindowResponse>;

/** What the handler needs, built once per cold start. */
export interface StreamRuntime {
  processor: StreamProcessor;
  logger: Logger;
}

export function createStreamRuntime(
  environment: StreamProcessorEnvironment,
  logger: Logger,
  publisher: Partial<EventBridgePublisherOptions> = {},
  audit: AccessAudit | undefined = auditOf(environment.accessAudit),
): StreamRuntime {
  const { documentClient } = dynamoClients(environment, audit);
  const events = new EventBridgePublisher(eventBridgeClient(environment, audit), { ...publisher, eventBusName: environment.eventBusName, logger });
  const counters = new DynamoStreamCounters(documentClient, environment.tableName, Date.now);
  return { processor: new StreamProcessor({ publisher: events, counters, logger, publishedStates: environment.publishedStates }), logger };
}

export function createStreamProcessorHandler(runtime: () => StreamRuntime): StreamProcessorHandler {
  return async (event) => {
    // A window's last invocation may come with no records: nothing to do but answer.
    if (event.Records.length === 0) return { state: {}, batchItemFailures: [] };
    if (event.shardId === undefined || event.shardId === '') {
      throw new ConfigurationError('the stream event names no shardId: the event source mapping needs a tumbling window (infra/stream.ts), which makes Lambda send it');
    }
    const { processor, logger } = runtime();
    const outcome = await processor.process(event.shardId, event.Records.map(changeRecordOf));
    logger.info('stream_batch_processed', { streamShard: event.shardId, records: event.Records.length, published: outcome.published, counted: outcome.counted, failedSequence: outcome.failedSequence });
    return { state: {}, batchItemFailures: outcome.failedSequence === undefined ? [] : [{ itemIdentifier: outcome.failedSequence }] };
  };
}

type StreamImage = NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['NewImage']>;

/** A Lambda stream record as lib reads it: images unmarshalled. */
export function changeRecordOf(record: DynamoDBRecord): ChangeRecord {
  const data = record.dynamodb ?? {};
  if (data.SequenceNumber === undefined) throw new ConfigurationError('a stream record has no SequenceNumber');
  // aws-lambda's AttributeValue is the SDK's as JSON (binary as base64 text, which no job attribute is).
  const image = (value: StreamImage) => unmarshall(value as Record<string, AttributeValue>);
  return {
    sequence: data.SequenceNumber,
    kind: record.eventName ?? 'MODIFY',
    ...(data.OldImage === undefined ? {} : { oldImage: image(data.OldImage) }),
    ...(data.NewImage === undefined ? {} : { newImage: image(data.NewImage) }),
  };
}

const observability = once(() => createObservability(readMetricsEnvironment()));

/** The deployed handler: Powertools logging, its own clients, settings from the environment. */
export const handler: StreamProcessorHandler = observed(
  observability,
  createStreamProcessorHandler(once(() => createStreamRuntime(readStreamProcessorEnvironment(), observability().logger))),
);
