/** Shared by the tests of limits on running jobs (board slots, scopes): a job that just waits, and the peak of overlapping runs. */
import type { Job } from '../../lib/model.js';
import { defineJobType } from '../../lib/registry.js';

/** Waits `ms` and completes: long enough for runs to overlap if a limit let them. */
export const pauseJobType = defineJobType<{ ms: number }>({
  name: 'test.pause',
  version: 1,
  run: async ({ payload }) => {
    await new Promise((resolve) => setTimeout(resolve, payload.ms));
    return null;
  },
});

/** The most runs [startedAt, endedAt] that hold one instant in common (an end and a start at one instant do not overlap). */
export function maxOverlap(jobs: readonly Pick<Job, 'startedAt' | 'endedAt'>[]): number {
  const edges = jobs.flatMap((j) => [[j.startedAt ?? 0, 1] as const, [j.endedAt ?? 0, -1] as const]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let live = 0;
  let most = 0;
  for (const [, delta] of edges) most = Math.max(most, (live += delta));
  return most;
}
