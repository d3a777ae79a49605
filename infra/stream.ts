/**
 * The change stream on AWS (DESIGN.md, Events, counts and metrics): the table's DynamoDB stream
 * feeds the stream processor function, which publishes job state changes to an EventBridge bus
 * and keeps the job counters. Here: its event source mapping, its failure queue, and the grants
 * that are its alone (the stream, the bus, the queue); its table grants are in infra/access.ts.
 */
import { Duration, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, FilterRule, StartingPosition, type EventSourceMapping, type IEventSourceDlq } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Queue, type QueueProps } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { QUEUES } from '../lib/queues.js';
import { TABLE, ITEM_KINDS } from '../lib/table.js';
import { STREAM_EVENT_SOURCE_DEFAULTS, type StreamProcessorSettings } from './props.js';

/** What the stream processor may do with its stream: what Lambda's poller calls, with the function's role. */
export const STREAM_READ_ACTIONS = ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'] as const;

/** Why the failure queue has no dead-letter queue of its own (cdk-nag AwsSolutions-SQS3). */
export const STREAM_FAILURES_REASON =
  'This queue is the stream event source mapping\'s on-failure destination: a dead-letter queue in all but name. It holds the sequence ranges of batches that could not be processed, for an operator to read; nothing consumes it automatically, so nothing could fail and need a queue of its own.';

export interface ChangeStreamOptions {
  readonly table: Table;
  readonly processor: NodejsFunction;
  readonly eventBus: IEventBus;
  readonly removalPolicy: RemovalPolicy;
  readonly encryption: Pick<QueueProps, 'encryption' | 'encryptionMasterKey'>;
  readonly settings?: StreamProcessorSettings;
}

export interface ChangeStream {
  /** Where Lambda records the sequence ranges of batches it gave up on (their events are lost; counts may be off). */
  readonly failures: Queue;
  readonly mapping: EventSourceMapping;
}

export function connectChangeStream(scope: Construct, options: ChangeStreamOptions): ChangeStream {
  const { table, processor, eventBus } = options;
  const streamArn = table.tableStreamArn;
  if (streamArn === undefined) throw new Error('the jobs table has no stream: lib/table.ts must ask for one (StreamSpecification)');
  const failures = new Queue(scope, 'StreamFailures', {
    retentionPeriod: Duration.seconds(QUEUES.deadLetter.retentionSeconds),
    ...options.encryption,
    enforceSSL: true,
    removalPolicy: options.removalPolicy,
  });
  Validations.of(failures).acknowledge({ id: 'AwsSolutions-SQS3', reason: STREAM_FAILURES_REASON });

  // Exact actions on exact resources, rather than `grantStreamRead` (ListStreams on "*") and
  // `SqsDlq` (GetQueueAttributes and GetQueueUrl besides SendMessage, which is all Lambda needs).
  processor.addToRolePolicy(new PolicyStatement({ actions: [...STREAM_READ_ACTIONS], resources: [streamArn] }));
  processor.addToRolePolicy(new PolicyStatement({ actions: ['events:PutEvents'], resources: [eventBus.eventBusArn] }));
  processor.addToRolePolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [failures.queueArn] }));
  const onFailure: IEventSourceDlq = { bind: () => ({ destination: failures.queueArn }) };

  const settings = options.settings ?? {};
  const mapping = processor.addEventSourceMapping('TableStream', {
    eventSourceArn: streamArn,
    // From the oldest record the stream holds: a new deployment counts what was written while it was being created.
    startingPosition: StartingPosition.TRIM_HORIZON,
    // Large batches: the counters cost one transaction per batch whatever its size (≤ 0.1 write unit per job when full).
    batchSize: STREAM_EVENT_SOURCE_DEFAULTS.batchSize,
    maxBatchingWindow: STREAM_EVENT_SOURCE_DEFAULTS.maxBatchingWindow,
    // The window's only purpose: with one, Lambda puts the stream shard's id in each event, and the
    // counters' checkpoint is per stream shard. No state is kept, so the longest window (fewest
    // end-of-window invocations, one per shard per window) is the cheapest.
    tumblingWindow: STREAM_EVENT_SOURCE_DEFAULTS.tumblingWindow,
    // The handler names the first record it could not publish; Lambda retries from there, in order.
    reportBatchItemFailures: true,
    // Halving a batch would redeliver records already published out of their order: no.
    bisectBatchOnError: false,
    // One batch per shard at a time: the checkpoint moves in sequence order, and a job's events stay in version order.
    parallelizationFactor: 1,
    retryAttempts: settings.retryAttempts ?? STREAM_EVENT_SOURCE_DEFAULTS.retryAttempts,
    maxRecordAge: settings.maxRecordAge ?? STREAM_EVENT_SOURCE_DEFAULTS.maxRecordAge,
    onFailure,
    // Job items only: the processor's own counter and checkpoint writes (and other kinds) never invoke it.
    filters: [FilterCriteria.filter({ dynamodb: { Keys: { [TABLE.partitionKey]: { S: FilterRule.beginsWith(ITEM_KINDS.job) } } } })],
  });
  return { failures, mapping };
}
