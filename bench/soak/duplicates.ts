/**
 * Injects duplicate deliveries: extra postings for already-accepted jobs, sent straight to the
 * running stack's SQS queue as SQS itself might redeliver them (standard queues are
 * at-least-once). A duplicate is a true copy of the job's posting: same body (with its board, so a
 * conductor applies the board's settings to it), same priority lane queue, same message group.
 * Each lands at a random moment: before the job runs, while it runs (the claim
 * must refuse it), or after it finished (the posting must be dropped).
 *
 * The emulator lives inside the stack, so every lifetime has a new endpoint and queue; a duplicate
 * due while the stack is down waits for the next lifetime. A duplicate counts as injected only
 * once SQS acknowledged it (per batch entry), so the count is exact.
 */
import { GetQueueAttributesCommand, GetQueueUrlCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { encodePosting } from '../../lib/queue/posting.js';
import { laneQueueName, type Lane } from '../../lib/queues.js';
import type { RunningStack, SoakStack } from './stack-process.js';
import { sleep } from './time.js';

/** Whose posting to copy. */
export interface PostingOf {
  jobId: string;
  board: string;
  priority: Lane;
}

interface Due extends PostingOf {
  atMs: number;
}

interface QueueClient {
  sqs: SQSClient;
  /** Queue URL per priority lane. */
  queueUrls: Record<Lane, string>;
}

const LANES_SENT: readonly Lane[] = ['high', 'normal', 'low'];
/** SQS takes ten entries per batch. */
const BATCH = 10;
/** A refused send is tried again this much later. */
const RETRY_MS = 500;

export class DuplicateInjector {
  /** Duplicates acknowledged by SQS. */
  injected = 0;
  /** Distinct jobs that received at least one. */
  readonly jobs = new Set<string>();
  /** Sends refused or failed (retried; a stack killed mid-send explains a few). */
  sendFailures = 0;
  private pending: Due[] = [];
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private client: { lifetime: number; ready: Promise<QueueClient> } | undefined;

  constructor(private readonly stack: SoakStack) {}

  /** Schedules duplicates of a job's posting, each `delaysMs[i]` after now. */
  schedule(posting: PostingOf, delaysMs: readonly number[], now = Date.now()): void {
    for (const delay of delaysMs) this.pending.push({ ...posting, atMs: now + delay });
  }

  /** Duplicates scheduled but not yet acknowledged. */
  get outstanding(): number {
    return this.pending.length;
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    const client = this.client;
    this.client = undefined;
    await client?.ready.then((c) => c.sqs.destroy(), () => undefined);
  }

  /** Messages in the current lifetime's postings queues (every lane), visible or in flight; undefined if unknown. */
  async queueDepth(): Promise<number | undefined> {
    const stack = this.stack.current;
    if (stack === undefined) return undefined;
    try {
      const client = await this.clientFor(stack);
      let total = 0;
      for (const queueUrl of Object.values(client.queueUrls)) {
        const { Attributes } = await client.sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }),
        );
        total += Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesDelayed ?? 0);
      }
      return total;
    } catch {
      return undefined;
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      await sleep(100);
      const stack = this.stack.current;
      if (stack === undefined) continue;
      const now = Date.now();
      const due = this.pending.filter((d) => d.atMs <= now);
      if (due.length === 0) continue;
      this.pending = this.pending.filter((d) => d.atMs > now);
      for (const lane of LANES_SENT) {
        const inLane = due.filter((d) => d.priority === lane);
        for (let i = 0; i < inLane.length; i += BATCH) await this.send(stack, lane, inLane.slice(i, i + BATCH));
      }
    }
  }

  private async send(stack: RunningStack, lane: Lane, batch: Due[]): Promise<void> {
    try {
      const client = await this.clientFor(stack);
      const result = await client.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: client.queueUrls[lane],
          Entries: batch.map((d, n) => ({ Id: String(n), MessageBody: encodePosting({ id: d.jobId, board: d.board }), MessageGroupId: d.board })),
        }),
      );
      for (const entry of result.Successful ?? []) {
        const sent = batch[Number(entry.Id)];
        if (sent === undefined) continue;
        this.injected++;
        this.jobs.add(sent.jobId);
      }
      for (const entry of result.Failed ?? []) {
        const refused = batch[Number(entry.Id)];
        this.sendFailures++;
        if (refused !== undefined) this.pending.push({ ...refused, atMs: Date.now() + RETRY_MS });
      }
    } catch {
      // The stack (and its emulator) died under us: none of the batch counts; send it again later.
      this.sendFailures++;
      for (const d of batch) this.pending.push({ ...d, atMs: Date.now() + RETRY_MS });
    }
  }

  /** One SQS client per lifetime: the emulator's endpoint changes at every start. */
  private clientFor(stack: RunningStack): Promise<QueueClient> {
    if (this.client?.lifetime === stack.index) return this.client.ready;
    const previous = this.client;
    if (previous !== undefined) void previous.ready.then((c) => c.sqs.destroy(), () => undefined);
    const sqs = new SQSClient({
      endpoint: stack.sqsEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'soak', secretAccessKey: 'soak' },
      // The soak retries on its own; the SDK's retries would only slow it down against a dead emulator.
      maxAttempts: 1,
    });
    const urlOf = async (lane: Lane) => {
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: laneQueueName(lane) }));
      if (QueueUrl === undefined) throw new Error('GetQueueUrl returned no URL');
      return QueueUrl;
    };
    const ready = Promise.all(LANES_SENT.map(urlOf)).then(([high, normal, low]) => ({ sqs, queueUrls: { high, normal, low } as Record<Lane, string> }));
    // A failed lookup is forgotten, so the next call asks again.
    ready.catch(() => {
      if (this.client?.ready === ready) this.client = undefined;
      sqs.destroy();
    });
    this.client = { lifetime: stack.index, ready };
    return ready;
  }
}
