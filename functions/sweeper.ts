/**
 * Lambda handler run every minute by EventBridge: repairs lost postings, posts due delayed jobs,
 * expires stale ones, ticks the periodic schedules (posts each one's due slot), and carries
 * running bulk operations forward (each under a lease, from where the last run stopped).
 */
import type { Context } from 'aws-lambda';
import type { OperationRunReport, SweepReport } from '../lib/maintenance/index.js';
import type { JobType } from '../lib/registry.js';
import type { TickReport } from '../lib/schedules/schedule-tick.js';
import { lazyRuntime, type Runtime } from './runtime.js';

export type SweeperHandler = (event?: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>) => Promise<SweepReport & { schedules?: TickReport; operations?: OperationRunReport }>;

export function createSweeperHandler(jobTypes: readonly JobType<never>[], runtime: () => Runtime = lazyRuntime(jobTypes)): SweeperHandler {
  return async (_event, context) => {
    // The sweep and the operations work within the invocation's time and save where they stopped for the next tick.
    // The three run side by side: a failing one holds back neither of the others.
    const remainingMs = context?.getRemainingTimeInMillis();
    const [sweep, tick, operations] = await Promise.allSettled([runtime().sweeper.sweep({ remainingMs }), runtime().schedules.tick(Date.now()), runtime().operationRunner.run({ remainingMs })]);
    if (tick.status === 'fulfilled') runtime().logger.info('schedules_ticked', { ...tick.value });
    if (operations.status === 'fulfilled' && operations.value.operations > 0) runtime().logger.info('operations_run', { ...operations.value });
    if (sweep.status === 'rejected') throw sweep.reason;
    runtime().logger.info('sweep_finished', { ...sweep.value });
    if (tick.status === 'rejected') throw tick.reason;
    if (operations.status === 'rejected') throw operations.reason;
    return { ...sweep.value, schedules: tick.value, operations: operations.value };
  };
}
