/**
 * Behaves like Lambda's SQS event source mappings: polls the queues, hands batches to the
 * handler as a real SQS event with a context that counts down the invocation's time, deletes
 * the records that succeeded, and leaves the rest to come back when their visibility runs out.
 * An invocation that throws or outlives its timeout deletes nothing, as on Lambda.
 *
 * Several queues (the priority lanes, highest first) are polled so that higher ones start first:
 * each receive tries the queues in order without waiting and takes the first non-empty one. Only
 * when all are empty does a worker long-poll them all at once; a batch such a wait brings from
 * any queue is handled (highest first) before the next ordered pass.
 */
import { randomUUID } from 'node:crypto';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { ConductorHandler } from '../functions/conductor.js';

export interface EventSourceOptions {
  sqs: SQSClient;
  /** One queue; or give `queueUrls`. */
  queueUrl?: string;
  /** Several queues, highest priority first (the lanes); takes precedence over `queueUrl`. */
  queueUrls?: readonly string[];
  handler: ConductorHandler;
  /** Records per invocation, at most 10. */
  batchSize?: number;
  /** Long-poll wait when every queue is empty; short so that stop() is prompt. */
  waitTimeSeconds?: number;
  /** Invocations running at once (Lambda's maximum concurrency). */
  concurrency?: number;
  /** The function timeout. */
  invocationTimeoutMs?: number;
  /** Called when an invocation fails as a whole (threw or timed out). */
  onInvocationError?: (error: unknown) => void;
}

export interface EventSourceStats {
  invocations: number;
  records: number;
  deleted: number;
  failedInvocations: number;
}

interface Batch {
  /** Index of the queue in priority order. */
  rank: number;
  messages: Message[];
}

export class EventSourcePoller {
  readonly stats: EventSourceStats = { invocations: 0, records: 0, deleted: 0, failedInvocations: 0 };
  private readonly queueUrls: readonly string[];
  private running = false;
  private workers: Promise<void>[] = [];

  constructor(private readonly options: EventSourceOptions) {
    this.queueUrls = options.queueUrls ?? (options.queueUrl === undefined ? [] : [options.queueUrl]);
    if (this.queueUrls.length === 0) throw new Error('EventSourcePoller needs queueUrl or queueUrls');
  }

  start(): this {
    if (this.running) return this;
    this.running = true;
    this.workers = Array.from({ length: this.options.concurrency ?? 1 }, () => this.poll());
    return this;
  }

  /**
   * Stops polling and waits for running invocations to end, or for `graceMs` at most. A receive under way is not aborted:
   * the queue may already have handed it messages, which would then sit invisible until their
   * visibility ran out. Whatever it brings is processed, so stopping takes at most one long poll.
   */
  async stop(options: { graceMs?: number } = {}): Promise<void> {
    this.running = false;
    const stopped = Promise.all(this.workers).then(() => undefined);
    if (options.graceMs === undefined) return stopped;
    // After the grace period, stop waiting: as when Lambda ends an invocation, unfinished records
    // simply come back (their postings reappear; their leases run out).
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([stopped, new Promise<void>((resolve) => (timer = setTimeout(resolve, options.graceMs)))]);
    clearTimeout(timer);
  }

  /** One worker: like one concurrent poller of the event source mapping. */
  private async poll(): Promise<void> {
    // Batches long polls brought in, and the long polls still under way, per queue.
    const received: Batch[] = [];
    const waiting = new Map<number, Promise<void>>();
    for (;;) {
      received.sort((a, b) => a.rank - b.rank);
      let batch = received.shift();
      if (batch === undefined && this.running) batch = await this.receiveInOrder();
      if (batch === undefined && this.running) {
        // Every queue is empty: long-poll each one not already being waited on, until one answers.
        for (const [rank, url] of this.queueUrls.entries()) {
          if (waiting.has(rank)) continue;
          const wait = this.receive(url, this.options.waitTimeSeconds ?? 1)
            .then((messages) => void (messages.length > 0 && received.push({ rank, messages })))
            .finally(() => waiting.delete(rank));
          waiting.set(rank, wait);
        }
        await Promise.race(waiting.values());
        continue;
      }
      if (batch !== undefined) {
        await this.invoke(batch.messages, this.queueUrls[batch.rank] as string);
        continue;
      }
      // Stopping: process whatever the long polls still under way bring, then end.
      if (waiting.size === 0 && received.length === 0) return;
      await Promise.all(waiting.values());
    }
  }

  /** The first non-empty batch, trying the queues in priority order without waiting. */
  private async receiveInOrder(): Promise<Batch | undefined> {
    // A single queue is simply long-polled.
    if (this.queueUrls.length === 1) return undefined;
    for (const [rank, url] of this.queueUrls.entries()) {
      const messages = await this.receive(url, 0);
      if (messages.length > 0) return { rank, messages };
      if (!this.running) return undefined;
    }
    return undefined;
  }

  /** One receive; an error is reported and, after a pause, counts as an empty answer. */
  private async receive(queueUrl: string, waitTimeSeconds: number): Promise<Message[]> {
    try {
      const received = await this.options.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: this.options.batchSize ?? 10,
          WaitTimeSeconds: waitTimeSeconds,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      return received.Messages ?? [];
    } catch (error) {
      if (!this.running) return [];
      this.options.onInvocationError?.(error);
      await new Promise((r) => setTimeout(r, 500));
      return [];
    }
  }

  /** One invocation: the handler's answer decides which messages are deleted. */
  private async invoke(messages: Message[], queueUrl: string): Promise<void> {
    this.stats.invocations++;
    this.stats.records += messages.length;
    const timeoutMs = this.options.invocationTimeoutMs ?? 60_000;
    const deadline = Date.now() + timeoutMs;
    const event: SQSEvent = { Records: messages.map((m) => toRecord(m, queueUrl)) };
    const context = { awsRequestId: randomUUID(), getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) };
    let timer: NodeJS.Timeout | undefined;
    let response: SQSBatchResponse | void;
    try {
      response = await Promise.race([
        this.options.handler(event, context),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`invocation timed out after ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (error) {
      this.stats.failedInvocations++;
      this.options.onInvocationError?.(error);
      return;
    } finally {
      clearTimeout(timer);
    }
    const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    const known = new Set(messages.map((m) => m.MessageId));
    // Lambda treats an unknown identifier as a failure of the whole batch.
    if ([...failed].some((id) => !known.has(id))) return;
    const succeeded = messages.filter((m) => !failed.has(m.MessageId ?? ''));
    if (succeeded.length === 0) return;
    const result = await this.options.sqs
      .send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: succeeded.map((m, n) => ({ Id: String(n), ReceiptHandle: m.ReceiptHandle ?? '' })),
        }),
      )
      .catch((error: unknown) => {
        this.options.onInvocationError?.(error);
        return undefined;
      });
    this.stats.deleted += result?.Successful?.length ?? 0;
  }
}

function toRecord(message: Message, queueUrl: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queueUrl.split('/').pop() ?? ''}`,
    awsRegion: 'us-east-1',
  };
}
