/**
 * What a bulk operation does to jobs, through the very paths their single-job routes take:
 * retry and resume are the store's conditional transitions (`operator-transitions.ts`), trash
 * and suspend go through the job service (which trashes or suspends a job nobody runs, and asks
 * a live claim's run to stop). What the writes leave to follow (the postings of retried and
 * resumed jobs) is gathered and applied once per slice, so postings go out ten per request rather
 * than one request per job.
 */
import type { JobService } from '../job-service.js';
import type { Lifecycle } from '../lifecycle/lifecycle.js';
import type { Job } from '../model.js';
import type { FollowUp, Written } from '../store/follow-ups.js';
import type { JobStore, ListPage, JobListQuery } from '../store/index.js';
import { NotFoundError, isJobboardError } from '../errors.js';
import type { OperationAction } from './operation.js';

/** The jobs side of an operation runner. */
export interface OperationJobs {
  list(query: JobListQuery): Promise<ListPage>;
  /** The job, read consistently; undefined when there is none. */
  get(id: string): Promise<Job | undefined>;
  /** Applies the action to one job; answers what follows (a retried or resumed job's posting). Refusals throw as the single-job route's do. */
  apply(action: OperationAction, id: string): Promise<Written>;
  /** Applies what a slice's writes left to follow (postings ten per request). Never throws: the sweeper re-posts open jobs whose posting is lost. */
  settle(followUps: readonly FollowUp[]): Promise<void>;
}

export interface ServiceOperationJobsDependencies {
  store: JobStore;
  service: Pick<JobService, 'cancel' | 'suspend'>;
  lifecycle: Lifecycle;
}

export class ServiceOperationJobs implements OperationJobs {
  constructor(private readonly deps: ServiceOperationJobsDependencies) {}

  list(query: JobListQuery): Promise<ListPage> {
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

  async apply(action: OperationAction, id: string): Promise<Written> {
    switch (action) {
      case 'retry':
        return this.deps.store.retry(id);
      case 'resume':
        return this.deps.store.resume(id);
      // The job service settles these itself, as their single-job routes do.
      case 'trash':
        return { job: (await this.deps.service.cancel(id)).job, followUps: [] };
      case 'suspend':
        return { job: (await this.deps.service.suspend(id)).job, followUps: [] };
    }
  }

  settle(followUps: readonly FollowUp[]): Promise<void> {
    return this.deps.lifecycle.apply(followUps);
  }
}
