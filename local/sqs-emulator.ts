/**
 * The SQS emulator (fauxqs), in process, with the postings queue and its DLQ created from the
 * shared definitions. In memory only: after a restart the local stack re-posts open jobs.
 */
import { startFauxqs } from 'fauxqs';
import { QUEUES, postingsVisibilitySeconds, queueNames } from '../lib/queues.js';

export interface SqsEmulator {
  endpoint: string;
  queueUrl: string;
  deadLetterQueueUrl: string;
  stop(): Promise<void>;
}

export interface SqsEmulatorOptions {
  port?: number;
  /** Sets the postings queue's visibility timeout to 6 × this. */
  conductorTimeoutSeconds: number;
  /** Overrides the visibility timeout (tests use short ones). */
  visibilityTimeoutSeconds?: number;
  maxReceiveCount?: number;
  queuePrefix?: string;
}

export async function startSqsEmulator(options: SqsEmulatorOptions): Promise<SqsEmulator> {
  const server = await startFauxqs({ port: options.port ?? 0, host: '127.0.0.1', logger: false });
  const names = queueNames(options.queuePrefix);
  const dlq = server.createQueue(names.deadLetter, {
    attributes: { MessageRetentionPeriod: String(QUEUES.deadLetter.retentionSeconds) },
  });
  const postings = server.createQueue(names.postings, {
    attributes: {
      MessageRetentionPeriod: String(QUEUES.postings.retentionSeconds),
      VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? postingsVisibilitySeconds(options.conductorTimeoutSeconds)),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: options.maxReceiveCount ?? QUEUES.maxReceiveCount }),
    },
  });
  return {
    endpoint: server.address,
    queueUrl: postings.queueUrl,
    deadLetterQueueUrl: dlq.queueUrl,
    stop: () => server.stop(),
  };
}
