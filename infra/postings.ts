/**
 * The postings queues, one per priority lane (DESIGN.md, Priority), their one dead-letter queue,
 * and the conductor's event source on each lane. `normal` is the original `Postings` queue, so a
 * board deployed before lanes keeps its queue (and its logical id).
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Queue, type QueueProps } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { LANES, QUEUES, postingsVisibilitySeconds, type Lane } from '../lib/queues.js';
import { CONDUCTOR_EVENT_SOURCE_DEFAULTS, laneMaxConcurrency, type JobboardProps } from './props.js';

/** Construct ids: the normal lane keeps the id it had before lanes. */
const LANE_IDS: Readonly<Record<Lane, string>> = { high: 'HighPostings', normal: 'Postings', low: 'LowPostings' };

export interface PostingQueues {
  deadLetters: Queue;
  lanes: Record<Lane, Queue>;
}

export function createPostingQueues(
  scope: Construct,
  options: { conductorTimeout: Duration; removalPolicy: RemovalPolicy; encryption: Pick<QueueProps, 'encryption' | 'encryptionMasterKey'> },
): PostingQueues {
  const deadLetters = new Queue(scope, 'DeadLetters', {
    retentionPeriod: Duration.seconds(QUEUES.deadLetter.retentionSeconds),
    ...options.encryption,
    enforceSSL: true,
    removalPolicy: options.removalPolicy,
  });
  // A posting only points at a job in the table (the sweeper re-posts lost ones), so the queues themselves are disposable.
  const lanes = Object.fromEntries(
    LANES.map((lane) => [
      lane,
      new Queue(scope, LANE_IDS[lane], {
        visibilityTimeout: Duration.seconds(postingsVisibilitySeconds(options.conductorTimeout.toSeconds())),
        retentionPeriod: Duration.seconds(QUEUES.postings.retentionSeconds),
        deadLetterQueue: { queue: deadLetters, maxReceiveCount: QUEUES.maxReceiveCount },
        ...options.encryption,
        enforceSSL: true,
      }),
    ]),
  ) as Record<Lane, Queue>;
  return { deadLetters, lanes };
}

/**
 * One event source per lane, alike but for the concurrency each may use: the high lane gets the
 * most, so a backlog of low postings cannot hold up high ones (the lanes' pollers are separate).
 */
export function addLaneEventSources(conductor: NodejsFunction, lanes: Record<Lane, Queue>, props: JobboardProps): void {
  const concurrency = laneMaxConcurrency(props);
  for (const lane of LANES) {
    conductor.addEventSource(
      new SqsEventSource(lanes[lane], {
        batchSize: CONDUCTOR_EVENT_SOURCE_DEFAULTS.batchSize,
        maxBatchingWindow: props.conductor?.maxBatchingWindow ?? CONDUCTOR_EVENT_SOURCE_DEFAULTS.maxBatchingWindow,
        maxConcurrency: concurrency[lane],
        // Only the records the conductor could not finish come back (DESIGN.md, Conductor step 5).
        reportBatchItemFailures: true,
      }),
    );
  }
}
