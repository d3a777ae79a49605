/** Lambda handler run every minute by EventBridge: repairs lost postings, posts due delayed jobs, expires stale ones. */
import type { Context } from 'aws-lambda';
import type { SweepReport } from '../lib/maintenance/index.js';
import type { JobType } from '../lib/registry.js';
import { lazyRuntime, type Runtime } from './runtime.js';

export type SweeperHandler = (event?: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>) => Promise<SweepReport>;

export function createSweeperHandler(jobTypes: readonly JobType<never>[], runtime: () => Runtime = lazyRuntime(jobTypes)): SweeperHandler {
  return async (_event, context) => {
    // The sweep works within the invocation's time and saves where it stopped for the next tick.
    const report = await runtime().sweeper.sweep({ remainingMs: context?.getRemainingTimeInMillis() });
    runtime().logger.info('sweep_finished', { ...report });
    return report;
  };
}
