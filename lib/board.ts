/**
 * The operations producers and operators use: post, get, list, count, trash, retry, redrive.
 * Each is a store transition plus the posting that must follow it.
 *
 * Post writes the job first, then sends its posting. If the send fails the job is still
 * accepted: it is durable in DynamoDB and the sweeper re-posts it. Answering an error instead
 * would make a client without an id post a second job on retry.
 */
import { randomUUID } from 'node:crypto';
import { JobboardError } from './errors.js';
import { silentLogger, type Logger } from './logger.js';
import type { Job } from './model.js';
import { newJob, parsePostRequest } from './post-request.js';
import type { PostingQueue } from './queue/posting-queue.js';
import type { JobTypeRegistry } from './registry.js';
import type { CountByState, JobStore, ListPage, ListQuery } from './store/index.js';

export interface JobBoardDependencies {
  store: JobStore;
  queue: PostingQueue;
  registry: JobTypeRegistry;
  logger?: Logger;
  /** Epoch ms. */
  now?: () => number;
  /** Makes ids for jobs posted without one. */
  newId?: () => string;
}

/** One job's answer within a batch post. */
export type PostResult = { job: Job; created: boolean } | { error: JobboardError };

export class JobBoard {
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly newId: () => string;

  constructor(private readonly deps: JobBoardDependencies) {
    this.logger = deps.logger ?? silentLogger;
    this.now = deps.now ?? Date.now;
    this.newId = deps.newId ?? randomUUID;
  }

  /** Validates against the job type, writes the job, then posts it. `created` is false for a repeated post. */
  async post(body: unknown): Promise<{ job: Job; created: boolean }> {
    const { job, created } = await this.write(body);
    if (created && job.postedAt !== undefined) await this.sendPostings([job]);
    return { job, created };
  }

  /** Validates a post against its job type and writes it, without posting it yet. */
  private async write(body: unknown): Promise<{ job: Job; created: boolean }> {
    const typeName = body !== null && typeof body === 'object' ? (body as Record<string, unknown>).type : undefined;
    const payload = body !== null && typeof body === 'object' ? (body as Record<string, unknown>).payload : undefined;
    // The job type and its payload check come first; then the request's shape (fields, limits).
    const type = typeName === undefined ? undefined : this.deps.registry.validatePayload(typeName, payload ?? {});
    const request = parsePostRequest(body);
    const defaults = type === undefined ? { typeVersion: 1 } : { typeVersion: type.version, ...type.defaults };
    return this.deps.store.post(newJob(request, defaults, this.now(), this.newId));
  }

  /**
   * Posts several jobs: each is validated and written on its own (one bad job does not sink the
   * rest), and the postings of the new ones go out ten per SQS request.
   */
  async postMany(bodies: readonly unknown[]): Promise<PostResult[]> {
    const results = await Promise.all(
      bodies.map(async (body): Promise<PostResult> => {
        try {
          const { job, created } = await this.write(body);
          return { job, created };
        } catch (error) {
          // Each job answers for itself; a storage error here means: not known to be written, post it again.
          if (error instanceof JobboardError) return { error };
          throw error;
        }
      }),
    );
    const outgoing = results.flatMap((r) => ('job' in r && r.created && r.job.postedAt !== undefined ? [r.job] : []));
    await this.sendPostings(outgoing);
    return results;
  }

  get(id: string): Promise<Job> {
    return this.deps.store.get(id);
  }

  list(query: ListQuery): Promise<ListPage> {
    return this.deps.store.list(query);
  }

  count(): Promise<CountByState> {
    return this.deps.store.count();
  }

  trash(id: string): Promise<Job> {
    return this.deps.store.trash(id);
  }

  async retry(id: string): Promise<Job> {
    const job = await this.deps.store.retry(id);
    await this.sendPostings([job]);
    return job;
  }

  /** Moves up to `max` postings from the dead-letter queue back to the postings queue. */
  async redriveDeadLetters(max = 1_000): Promise<{ moved: number }> {
    const result = await this.deps.queue.redrive(max);
    this.logger.info('dead_letters_redriven', result);
    return result;
  }

  /** Sends postings; a failed send is logged, not thrown: the jobs are durable and the sweeper re-posts them. */
  private async sendPostings(jobs: readonly Job[]): Promise<void> {
    if (jobs.length === 0) return;
    const now = this.now();
    try {
      await this.deps.queue.send(jobs.map((job) => ({ id: job.id, delaySeconds: Math.max(0, Math.ceil(((job.postedAt ?? now) - now) / 1_000)) })));
    } catch (error) {
      for (const job of jobs) this.logger.error('posting_send_failed', { jobId: job.id, error, recovery: 'the sweeper re-posts it' });
    }
  }
}
