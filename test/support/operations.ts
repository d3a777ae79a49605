/** Bulk operations on a board harness: the operation store, service and runners, and failed jobs made fast through the store. */
import { OperationRunner, type OperationRunnerOptions } from '../../lib/maintenance/operation-runner.js';
import { OperationService } from '../../lib/maintenance/operation-service.js';
import { ServiceOperationJobs, type OperationJobs } from '../../lib/maintenance/operation-jobs.js';
import type { Operation, OperationStore } from '../../lib/maintenance/operation.js';
import type { Job } from '../../lib/model.js';
import type { BoardHarness } from './board-harness.js';
import { buildJob } from './jobs.js';
import { DynamoOperationStore } from '../../lib/dynamo/index.js';

export interface OperationsFixture {
  store: DynamoOperationStore;
  service: OperationService;
  /** The harness's jobs, as a runner acts on them. */
  jobs: OperationJobs;
  /** A runner on the harness's clock; `wrap` replaces its store or jobs (fault injection, staged races). */
  runner(options?: Partial<OperationRunnerOptions>, wrap?: { operations?: OperationStore; jobs?: OperationJobs }): OperationRunner;
}

export function operationsOn(h: BoardHarness): OperationsFixture {
  const store = new DynamoOperationStore(h.documentClient, { tableName: h.table.tableName });
  const jobs = new ServiceOperationJobs({ store: h.store, service: h.jobs, lifecycle: h.lifecycle });
  return {
    store,
    service: new OperationService({ store, now: h.clock.now, logger: h.logger }),
    jobs,
    runner: (options = {}, wrap = {}) => new OperationRunner({ operations: wrap.operations ?? store, jobs: wrap.jobs ?? jobs, options, logger: h.logger, now: h.clock.now }),
  };
}

/** The jobs side of a runner with some methods replaced (a staged race, a dying run, slow transitions). */
export function jobsWith(base: OperationJobs, replaced: Partial<OperationJobs>): OperationJobs {
  return {
    list: (query) => base.list(query),
    get: (id) => base.get(id),
    apply: (action, id) => base.apply(action, id),
    settle: (followUps) => base.settle(followUps),
    ...replaced,
  };
}

/** `n` jobs of `demo.fail` (permanent, one attempt) brought to `failed` through the store's own transitions. */
export async function failedJobs(h: BoardHarness, n: number, body: Record<string, unknown> = {}): Promise<Job[]> {
  const jobs: Job[] = [];
  for (let start = 0; start < n; start += 20) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(20, n - start) }, async () => {
        const { job } = await h.store.post(buildJob({ type: 'demo.fail', payload: { permanent: true }, maxAttempts: 1, ...body }, { typeVersion: 1 }, h.clock.now()));
        const claimed = await h.store.claim(job.id, { owner: `owner-${job.id}`, leaseMs: 60_000 });
        return (await h.store.fail(claimed, { name: 'PermanentError', message: 'demo.fail always fails' }, 'permanent error')).job;
      }),
    );
    jobs.push(...batch);
  }
  return jobs;
}

/** Runs until the operation ends (each run may stop early on its budget or an interruption, or find another runner holding it). */
export async function runUntilEnded(runner: OperationRunner, store: OperationStore, id: string, timeoutMs = 30_000): Promise<Operation> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const report = await runner.run();
    const operation = await store.get(id);
    if (operation.state !== 'running') return operation;
    if (Date.now() > deadline) throw new Error(`operation ${id} still running after ${timeoutMs} ms`);
    // Held by another runner: look again shortly.
    if (report.operations === 0) await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Attempts of the job's history that ended `failed`: one per time it ran and failed. */
export const failures = (job: Job): number => (job.history ?? []).filter((attempt) => attempt.outcome === 'failed').length;
