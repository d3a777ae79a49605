/**
 * The SQS emulator (fauxqs), in process, with the postings queues (one per priority lane) and
 * their DLQ created from the shared definitions. In memory only: after a restart the local stack
 * re-posts open jobs. Standard queues deliver fairly across message groups (boards), as on AWS
 * (local/fair-queues.ts).
 */
import { startFauxqs } from 'fauxqs';
import { LANES, QUEUES, postingsVisibilitySeconds, queueNames, type Lane } from '../lib/queues.js';
import { installFairQueues } from './fair-queues.js';

export interface SqsEmulator {
  endpoint: string;
  /** The normal lane's queue. */
  queueUrl: string;
  /** Every lane's queue. */
  laneUrls: Record<Lane, string>;
  deadLetterQueueUrl: string;
  stop(): Promise<void>;
}

export interface SqsEmulatorOptions {
  port?: number;
  /** Sets the postings queues' visibility timeout to 6 × this. */
  conductorTimeoutSeconds: number;
  /** Overrides the visibility timeout (tests use short ones). */
  visibilityTimeoutSeconds?: number;
  maxReceiveCount?: number;
  queuePrefix?: string;
}

/** The emulator with no queue yet (the deploy rehearsal creates the template's own). */
export async function startBareSqsEmulator(port = 0): Promise<{ endpoint: string; server: Awaited<ReturnType<typeof startFauxqs>>; stop(): Promise<void> }> {
  await installFairQueues();
  const server = await startFauxqs({ port, host: '127.0.0.1', logger: false });
  return { endpoint: server.address, server, stop: () => server.stop() };
}

export async function startSqsEmulator(options: SqsEmulatorOptions): Promise<SqsEmulator> {
  const { server } = await startBareSqsEmulator(options.port);
  const names = queueNames(options.queuePrefix);
  const dlq = server.createQueue(names.deadLetter, {
    attributes: { MessageRetentionPeriod: String(QUEUES.deadLetter.retentionSeconds) },
  });
  const attributes = {
    MessageRetentionPeriod: String(QUEUES.postings.retentionSeconds),
    VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? postingsVisibilitySeconds(options.conductorTimeoutSeconds)),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: options.maxReceiveCount ?? QUEUES.maxReceiveCount }),
  };
  const laneUrls = Object.fromEntries(LANES.map((lane) => [lane, server.createQueue(names.lanes[lane], { attributes }).queueUrl])) as Record<Lane, string>;
  return {
    endpoint: server.address,
    queueUrl: laneUrls.normal,
    laneUrls,
    deadLetterQueueUrl: dlq.queueUrl,
    stop: () => server.stop(),
  };
}
