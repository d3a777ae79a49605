/**
 * Processes one batch of the table's change stream (one stream shard, records in order): publishes
 * each job state change, then adds the batch's counter deltas. The Lambda stream processor and the
 * local stream poller both run this; they differ only in how records arrive and where events go.
 *
 * Delivery: at least once, in per-job version order. A record is acknowledged only after its event
 * is published, so a crash between a job's write and its publish loses nothing: the stream still
 * holds the record and the batch comes again. Counting is idempotent per record (the counter store
 * skips records at or before its checkpoint for the shard), so a batch that comes again, whole or
 * from a failed record on, never counts a record twice.
 */
import type { Logger } from '../logger.js';
import type { JobState } from '../states.js';
import { countDeltasOf, stateChangeOf, type ChangeRecord, type CountDelta, type JobStateChange } from './state-change.js';

/** Where events go: EventBridge on AWS; Server-Sent Events and a JSON-lines file locally. */
export interface StateChangePublisher {
  /** Publishes in order; answers how many of the leading changes were published (all of them unless one failed). */
  publish(changes: readonly JobStateChange[]): Promise<number>;
}

/** Counter deltas of the stream's records, applied once per record. */
export interface StreamCounters {
  /**
   * Adds the deltas of the records after the shard's checkpoint and moves the checkpoint past them.
   * Answers how many records with deltas were counted now, and how many had been counted before.
   */
  apply(streamShard: string, records: readonly CountedRecord[]): Promise<{ applied: number; skipped: number }>;
}

export interface CountedRecord {
  sequence: string;
  deltas: CountDelta[];
}

/** Which states are published: every one, or only these (a job's final states, say, to publish a third as many events). */
export type PublishedStates = 'all' | readonly JobState[];

export interface BatchOutcome {
  /** The first record whose event could not be published: the batch is retried from there. */
  failedSequence?: string;
  published: number;
  /** Records with deltas counted now (not counted before). */
  counted: number;
}

export interface StreamProcessorDependencies {
  publisher: StateChangePublisher;
  counters: StreamCounters;
  logger: Logger;
  publishedStates?: PublishedStates;
}

export class StreamProcessor {
  private readonly published: (state: JobState) => boolean;

  constructor(private readonly deps: StreamProcessorDependencies) {
    const states = deps.publishedStates ?? 'all';
    this.published = states === 'all' ? () => true : (state) => states.includes(state);
  }

  async process(streamShard: string, records: readonly ChangeRecord[]): Promise<BatchOutcome> {
    const changes: { index: number; change: JobStateChange }[] = [];
    records.forEach((record, index) => {
      const change = stateChangeOf(record);
      if (change !== undefined && this.published(change.state)) changes.push({ index, change });
    });
    let published = 0;
    try {
      published = changes.length === 0 ? 0 : await this.deps.publisher.publish(changes.map((c) => c.change));
    } catch (error) {
      this.deps.logger.error('events_publish_failed', { error, streamShard, events: changes.length });
    }
    // Counting does not wait for publishing: a retry from the failed record skips what is counted here.
    const { applied } = await this.deps.counters.apply(
      streamShard,
      records.map((record) => ({ sequence: record.sequence, deltas: countDeltasOf(record) })),
    );
    const failed = changes[published];
    if (failed !== undefined) this.deps.logger.warn('events_publish_incomplete', { streamShard, published, events: changes.length });
    return { ...(failed === undefined ? {} : { failedSequence: (records[failed.index] as ChangeRecord).sequence }), published, counted: applied };
  }
}
