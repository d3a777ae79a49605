/**
 * The one place postings are built and sent after a write: for jobs the write left `posted`, or
 * postings a repair built itself (with their delays). A failed send is logged, never thrown: the
 * jobs are durable in the table, and the sweeper's rescue sends a posting that never went out, so
 * a write that succeeded must not be answered as a failure (a client without an id would post a
 * second job on retry).
 */
import type { Logger } from '../logger.js';
import type { Job } from '../model.js';
import { postingOf } from './posting-of.js';
import type { OutgoingPosting, PostingQueue } from './posting-queue.js';

export interface SendReport {
  sent: number;
  /** Jobs whose posting did not go out (the sweeper re-posts them). */
  failed: number;
}

export class PostingSender {
  constructor(
    private readonly queue: PostingQueue,
    private readonly logger: Logger,
    /** Epoch ms. */
    private readonly now: () => number,
  ) {}

  /** Sends the postings of jobs that are `posted`, ten per request. */
  sendFor(jobs: readonly Job[]): Promise<SendReport> {
    const now = this.now();
    return this.send(jobs.map((job) => postingOf(job, now)));
  }

  /** Sends postings built by the caller (a repair's, with their delays). */
  async send(postings: readonly OutgoingPosting[]): Promise<SendReport> {
    if (postings.length === 0) return { sent: 0, failed: 0 };
    try {
      await this.queue.send(postings);
      return { sent: postings.length, failed: 0 };
    } catch (error) {
      // One line per job, so a job's story (a log query by jobId) shows its posting was not sent.
      for (const posting of postings) this.logger.error('posting_send_failed', { jobId: posting.id, error, recovery: 'the sweeper re-posts it' });
      return { sent: 0, failed: postings.length };
    }
  }
}
