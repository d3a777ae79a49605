/**
 * Postings: the SQS messages that tell conductors a job may be claimable. A posting carries
 * the job id only; the job itself lives in DynamoDB (messages are small and may be duplicated).
 */
import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { LIMITS } from './config.js';
import { StorageError } from './errors.js';

export interface Posting {
  id: string;
}

/** The message body of a posting. */
export function encodePosting(posting: Posting): string {
  return JSON.stringify({ id: posting.id });
}

/** The posting in a message body, or a reason why the body is not one. */
export function decodePosting(body: string): { posting: Posting } | { malformed: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { malformed: 'body is not JSON' };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { malformed: 'body is not a JSON object' };
  const id = (parsed as Record<string, unknown>).id;
  if (typeof id !== 'string' || !LIMITS.idPattern.test(id)) return { malformed: 'body has no valid "id"' };
  return { posting: { id } };
}

/** One posting to send, delayed by up to 15 minutes. */
export interface OutgoingPosting {
  id: string;
  delaySeconds?: number;
}

/** Sends postings to the postings queue, ten per request when there are several. */
export class PostingSender {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  /** Sends every posting; throws `StorageError` naming the ids that were not sent. */
  async send(postings: readonly OutgoingPosting[]): Promise<void> {
    const failed: string[] = [];
    const batches: OutgoingPosting[][] = [];
    for (let i = 0; i < postings.length; i += LIMITS.sqsBatchSize) batches.push(postings.slice(i, i + LIMITS.sqsBatchSize));
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

  /** Sends up to ten; returns the ids SQS refused. */
  private async sendBatch(batch: readonly OutgoingPosting[]): Promise<string[]> {
    const delay = (p: OutgoingPosting) => Math.max(0, Math.min(LIMITS.sqsMaxDelaySeconds, Math.ceil(p.delaySeconds ?? 0)));
    if (batch.length === 1) {
      const [only] = batch as [OutgoingPosting];
      await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: encodePosting(only), DelaySeconds: delay(only) || undefined }));
      return [];
    }
    const result = await this.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: this.queueUrl,
        Entries: batch.map((p, n) => ({ Id: String(n), MessageBody: encodePosting(p), DelaySeconds: delay(p) || undefined })),
      }),
    );
    return (result.Failed ?? []).map((entry) => batch[Number(entry.Id)]?.id ?? '?');
  }
}
