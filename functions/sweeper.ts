/**
 * Lambda handler run every minute by EventBridge: repairs lost postings, posts due delayed jobs,
 * expires stale ones, and ticks the periodic schedules (posts each one's due slot).
 */
import type { Context } from 'aws-lambda';
import type { SweepReport } from '../lib/maintenance/index.js';
import type { JobType } from '../lib/registry.js';
import type { TickReport } from '../lib/schedules/schedule-tick.js';
import { lazyRuntime, type Runtime } from './runtime.js';

export type SweeperHandler = (event?: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>) => Promise<SweepReport & { schedules?: TickReport }>;

export function createSweeperHandler(jobTypes: readonly JobType<never>[], runtime: () => Runtime = lazyRuntime(jobTypes)): SweeperHandler {
  return async (_event, context) => {
    // The sweep works within the invocation's time and saves where it stopped for the next tick.
    // The schedule tick runs beside it: a failing sweep does not hold back periodic jobs, nor the other way round.
    const [sweep, tick] = await Promise.allSettled([runtime().sweeper.sweep({ remainingMs: context?.getRemainingTimeInMillis() }), runtime().schedules.tick(Date.now())]);
    if (tick.status === 'fulfilled') runtime().logger.info('schedules_ticked', { ...tick.value });
    if (sweep.status === 'rejected') throw sweep.reason;
    runtime().logger.info('sweep_finished', { ...sweep.value });
    if (tick.status === 'rejected') throw tick.reason;
    return { ...sweep.value, schedules: tick.value };
  };
}
