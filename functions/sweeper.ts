/** Lambda handler run every minute by EventBridge: repairs lost postings, posts due delayed jobs, expires stale ones. */
import type { JobType } from '../lib/registry.js';
import type { SweepReport } from '../lib/sweeper.js';
import { demoJobTypes } from './job-types/demo.js';
import { lazyRuntime, type Runtime } from './runtime.js';

export type SweeperHandler = () => Promise<SweepReport>;

export function createSweeperHandler(jobTypes: readonly JobType<never>[], runtime: () => Runtime = lazyRuntime(jobTypes)): SweeperHandler {
  return async () => {
    const report = await runtime().sweeper.sweep();
    runtime().logger.info('sweep_finished', { ...report });
    return report;
  };
}

export const handler = createSweeperHandler(demoJobTypes);
