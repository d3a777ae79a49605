/**
 * What a bulk operation does to jobs, through the very paths their single-job routes take:
 * retry and resume are the store's conditional transitions (`operator-transitions.ts`), trash
 * and suspend go through the job service (which trashes or suspends a job nobody runs, and asks
 * a live claim's run to stop). The postings retried and resumed jobs need go out together, ten
 * per request, once per slice, rather than one request per job.
 */
import type { JobService } from '../job-service.js';
import { silentLogger, type Logger } from '../logger.js';
import type { Job } from '../model.js';
import { postingOf } from '../queue/posting-of.js';
import type { PostingQueue } from '../queue/posting-queue.js';
import { JobState } from '../states.js';
import type { JobStore, ListPage, ListQuery } from '../store/index.js';
import { NotFoundError, isJobboardError } from '../errors.js';
import type { OperationAction } from './operation.js';

/** The jobs side of an operation runner. */
export interface OperationJobs {
  list(query: ListQuery): Promise<ListPage>;
  /** The job, read consistently; undefined when there is none. */
  get(id: string): Promise<Job | undefined>;
  /** Applies the action to one job; `post`: it is `posted` now and needs a posting. Refusals throw as the single-job route's do. */
  apply(action: OperationAction, id: string): Promise<{ job: Job; post: boolean }>;
  /** Sends the postings of these jobs. A failed send is logged, not thrown: the sweeper re-posts open jobs whose posting is lost. */
  post(jobs: readonly Job[]): Promise<void>;
}

export interface ServiceOperationJobsDependencies {
  store: JobStore;
  service: Pick<JobService, 'cancel' | 'suspend'>;
  queue: PostingQueue;
  logger?: Logger;
  /** Epoch ms. */
  now?: () => number;
}

/** A resumed job needs a posting unless it went back to `waiting` or its delay is longer than a message can hold (as `JobService.resume`). */
const needsPosting = (job: Job): boolean => job.state === JobState.posted && job.postedAt !== undefined;

export class ServiceOperationJobs implements OperationJobs {
  private readonly logger: Logger;
  private readonly now: () => number;

  constructor(private readonly deps: ServiceOperationJobsDependencies) {
    this.logger = deps.logger ?? silentLogger;
    this.now = deps.now ?? Date.now;
  }

  list(query: ListQuery): Promise<ListPage> {
    return this.deps.store.list(query);
  }

  async get(id: string): Promise<Job | undefined> {
    try {
      return await this.deps.store.get(id);
    } catch (error) {
      if (isJobboardError(error, NotFoundError)) return undefined;
      throw error;
    }
  }

  async apply(action: OperationAction, id: string): Promise<{ job: Job; post: boolean }> {
    switch (action) {
      case 'retry': {
        const job = await this.deps.store.retry(id);
        return { job, post: true };
      }
      case 'resume': {
        const job = await this.deps.store.resume(id);
        return { job, post: needsPosting(job) };
      }
      case 'trash':
        return { job: (await this.deps.service.cancel(id)).job, post: false };
      case 'suspend':
        return { job: (await this.deps.service.suspend(id)).job, post: false };
    }
  }

  async post(jobs: readonly Job[]): Promise<void> {
    if (jobs.length === 0) return;
    const now = this.now();
    try {
      await this.deps.queue.send(jobs.map((job) => postingOf(job, now)));
    } catch (error) {
      this.logger.error('posting_send_failed', { count: jobs.length, ids: jobs.slice(0, 20).map((job) => job.id), error, recovery: 'the sweeper re-posts them' });
    }
  }
}
