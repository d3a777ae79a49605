/**
 * The posting queue on SQS: standard queues, one per lane, and one dead-letter queue. Sends go
 * out ten per request; a record is returned to the queue its event source ARN names.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { LIMITS } from '../config.js';
import { ConfigurationError, StorageError } from '../errors.js';
import type { Lane } from '../queues.js';
import { encodePosting } from './posting.js';
import { DEFAULT_LANE, type OutgoingPosting, type PostingQueue, type PostingRecord, type QueueDepth } from './posting-queue.js';

export interface SqsPostingQueueOptions {
  /** Queue URL per lane; must include `normal`. */
  lanes: Record<string, string>;
  deadLetterQueueUrl: string;
}

export class SqsPostingQueue implements PostingQueue {
  private readonly laneByQueueName = new Map<string, string>();

  constructor(
    private readonly sqs: SQSClient,
    private readonly options: SqsPostingQueueOptions,
  ) {
    if (options.lanes[DEFAULT_LANE] === undefined) throw new ConfigurationError(`option lanes must include the ${DEFAULT_LANE} lane`);
    for (const [lane, url] of Object.entries(options.lanes)) this.laneByQueueName.set(queueName(url), lane);
  }

  /** A queue with only the default lane. */
  static single(sqs: SQSClient, queueUrl: string, deadLetterQueueUrl: string): SqsPostingQueue {
    return new SqsPostingQueue(sqs, { lanes: { [DEFAULT_LANE]: queueUrl }, deadLetterQueueUrl });
  }

  /** A queue with every priority lane; lanes may share a URL (then they share that queue). */
  static forLanes(sqs: SQSClient, urls: Record<Lane, string>, deadLetterQueueUrl: string): SqsPostingQueue {
    return new SqsPostingQueue(sqs, { lanes: { ...urls }, deadLetterQueueUrl });
  }

  async send(postings: readonly OutgoingPosting[]): Promise<void> {
    const failed: string[] = [];
    const batches: OutgoingPosting[][] = [];
    const byLane = new Map<string, OutgoingPosting[]>();
    for (const posting of postings) {
      const lane = posting.lane ?? DEFAULT_LANE;
      const lanePostings = byLane.get(lane) ?? [];
      lanePostings.push(posting);
      byLane.set(lane, lanePostings);
    }
    for (const lanePostings of byLane.values()) {
      for (let i = 0; i < lanePostings.length; i += LIMITS.sqsBatchSize) batches.push(lanePostings.slice(i, i + LIMITS.sqsBatchSize));
    }
    let cause: unknown;
    await Promise.all(
      batches.map(async (batch) => {
        try {
          failed.push(...(await this.sendBatch(batch)));
        } catch (error) {
          cause = error;
          failed.push(...batch.map((p) => p.id));
        }
      }),
    );
    if (failed.length > 0) throw new StorageError(`SQS did not take postings for ${failed.join(', ')}`, { cause, jobId: failed[0] });
  }

  async returnAfter(record: PostingRecord, seconds: number): Promise<void> {
    await this.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: this.urlOfRecord(record), ReceiptHandle: record.receiptHandle, VisibilityTimeout: visibilitySeconds(seconds) }));
  }

  async returnAllAfter(records: readonly PostingRecord[], seconds: number): Promise<void> {
    const byQueue = new Map<string, PostingRecord[]>();
    for (const record of records) byQueue.set(this.urlOfRecord(record), [...(byQueue.get(this.urlOfRecord(record)) ?? []), record]);
    const requests = [...byQueue].flatMap(([url, queued]) =>
      Array.from({ length: Math.ceil(queued.length / LIMITS.sqsBatchSize) }, (_, n) => ({ url, batch: queued.slice(n * LIMITS.sqsBatchSize, (n + 1) * LIMITS.sqsBatchSize) })),
    );
    const failed = await Promise.all(
      requests.map(async ({ url, batch }) => {
        const entries = batch.map((record, n) => ({ Id: String(n), ReceiptHandle: record.receiptHandle, VisibilityTimeout: visibilitySeconds(seconds) }));
        const answer = await this.sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: url, Entries: entries }));
        return (answer.Failed ?? []).length;
      }),
    );
    const count = failed.reduce((a, b) => a + b, 0);
    if (count > 0) throw new StorageError(`SQS did not change the visibility of ${count} of ${records.length} postings`);
  }

  async deadLetter(body: string, reason: string, jobType?: string): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.options.deadLetterQueueUrl,
        MessageBody: body,
        MessageAttributes: {
          reason: { DataType: 'String', StringValue: reason },
          ...(jobType === undefined ? {} : { jobType: { DataType: 'String', StringValue: jobType } }),
        },
      }),
    );
  }

  async depth(): Promise<QueueDepth> {
    const depths = await Promise.all(
      Object.values(this.options.lanes).map(async (url) => {
        const { Attributes = {} } = await this.sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: url,
            AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
          }),
        );
        return {
          visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
          inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
          delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
        };
      }),
    );
    return depths.reduce((sum, d) => ({ visible: sum.visible + d.visible, inFlight: sum.inFlight + d.inFlight, delayed: sum.delayed + d.delayed }));
  }

  /**
   * Postings of finished jobs are simply dropped by the conductor; a retried job needs no
   * redrive. This is for postings that never became jobs' runs (storage down, unknown type).
   */
  async redrive(max: number): Promise<{ moved: number }> {
    const target = this.options.lanes[DEFAULT_LANE] as string;
    let moved = 0;
    while (moved < max) {
      const { Messages = [] } = await this.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: this.options.deadLetterQueueUrl, MaxNumberOfMessages: Math.min(10, max - moved), WaitTimeSeconds: 0 }),
      );
      if (Messages.length === 0) break;
      const sent = await this.sqs.send(new SendMessageBatchCommand({ QueueUrl: target, Entries: Messages.map((m, n) => ({ Id: String(n), MessageBody: m.Body ?? '' })) }));
      const ok = new Set((sent.Successful ?? []).map((s) => Number(s.Id)));
      const done = Messages.filter((_, n) => ok.has(n));
      if (done.length > 0) {
        await this.sqs.send(
          new DeleteMessageBatchCommand({ QueueUrl: this.options.deadLetterQueueUrl, Entries: done.map((m, n) => ({ Id: String(n), ReceiptHandle: m.ReceiptHandle ?? '' })) }),
        );
      }
      moved += done.length;
      if (done.length < Messages.length) break;
    }
    return { moved };
  }

  /** Sends up to ten postings of one lane; returns the ids SQS refused. */
  private async sendBatch(batch: readonly OutgoingPosting[]): Promise<string[]> {
    const url = this.laneUrl(batch[0]?.lane);
    const delay = (p: OutgoingPosting) => Math.max(0, Math.min(LIMITS.sqsMaxDelaySeconds, Math.ceil(p.delaySeconds ?? 0)));
    if (batch.length === 1) {
      const [only] = batch as [OutgoingPosting];
      await this.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: encodePosting(only), DelaySeconds: delay(only) || undefined, MessageGroupId: only.groupId }));
      return [];
    }
    const result = await this.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: batch.map((p, n) => ({ Id: String(n), MessageBody: encodePosting(p), DelaySeconds: delay(p) || undefined, MessageGroupId: p.groupId })),
      }),
    );
    return (result.Failed ?? []).map((entry) => batch[Number(entry.Id)]?.id ?? '?');
  }

  private laneUrl(lane: string | undefined): string {
    const url = this.options.lanes[lane ?? DEFAULT_LANE];
    if (url === undefined) throw new StorageError(`no queue for lane ${lane}`, { retryable: false });
    return url;
  }

  /** The queue a record came from: its ARN's last part is the queue's name. */
  private urlOfRecord(record: PostingRecord): string {
    const name = record.eventSourceARN?.split(':').pop();
    const lane = name === undefined ? undefined : this.laneByQueueName.get(name);
    return this.laneUrl(lane ?? DEFAULT_LANE);
  }
}

/** A visibility SQS accepts: whole seconds from 0 to 12 hours. */
function visibilitySeconds(seconds: number): number {
  return Math.max(0, Math.min(LIMITS.sqsMaxVisibilitySeconds, Math.ceil(seconds)));
}

/** The queue name at the end of a queue URL. */
function queueName(url: string): string {
  return url.split('/').pop() ?? url;
}
