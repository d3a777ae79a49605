/**
 * The posting-queue port: what the rest of lib/ needs of a queue, in its own words. The SQS
 * adapter (`sqs-posting-queue.ts`) is the only implementation and the only importer of the SQS
 * client in lib/.
 *
 * Lanes are the queues postings travel on (one per priority, later); a record remembers the lane
 * it came from, so that returning it changes the visibility on the queue that holds it.
 */

/** The lane every posting takes until lanes are chosen per job. */
export const DEFAULT_LANE = 'normal';

/** One posting to send. */
export interface OutgoingPosting {
  id: string;
  /** Up to 15 minutes; longer delays are posted later by maintenance. */
  delaySeconds?: number;
  /** The lane to send it on (default: `normal`). */
  lane?: string;
  /** Fair-queue group (the board), where the queue supports it. */
  groupId?: string;
  /** The job's board, carried in the body. */
  board?: string;
}

/** A received posting, as the event source hands it over. */
export interface PostingRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  /** Which queue it came from (an SQS queue ARN); absent means the default lane. */
  eventSourceARN?: string;
  /** SQS's attributes; `ApproximateReceiveCount` says how often it has been delivered. */
  attributes?: { ApproximateReceiveCount?: string };
}

export interface QueueDepth {
  visible: number;
  inFlight: number;
  delayed: number;
}

export interface PostingQueue {
  /** Sends every posting, batched; throws `StorageError` naming the ids that were not sent. */
  send(postings: readonly OutgoingPosting[]): Promise<void>;
  /** Makes a received record visible again after `seconds` (0: at once), on the queue it came from. */
  returnAfter(record: PostingRecord, seconds: number): Promise<void>;
  /** The same for several records, batched (ten per request per queue); throws if any was not changed. */
  returnAllAfter(records: readonly PostingRecord[], seconds: number): Promise<void>;
  /** Sends a copy of a message body to the dead-letter queue, with the reason and the job's type. */
  deadLetter(body: string, reason: string, jobType?: string): Promise<void>;
  /** Messages waiting in all lanes. */
  depth(): Promise<QueueDepth>;
  /** Moves up to `max` messages from the dead-letter queue back to the default lane. */
  redrive(max: number): Promise<{ moved: number }>;
}
