/**
 * The filter of a bulk operation, from the job list's filter: how it reads, and how many jobs it
 * matches, counted before anything runs so the operator knows what a bulk action will touch.
 */
import type { JobState } from '../../lib/states.js';
import { ACTION_STATES, api, type BulkAction, type JobView, type OperationFilter } from './api.js';
import { formatTime } from './format.js';
import type { JobFilter } from './route.js';

/**
 * The list's `from`/`to` become the operation's `createdAfter`/`createdBefore`. (For finished
 * jobs the list bounds the end time instead; the operation speaks of creation time only.)
 */
export function toOperationFilter(filter: JobFilter): OperationFilter {
  const { board, state, type, from, to } = filter;
  return Object.fromEntries(Object.entries({ board, state, type, createdAfter: from, createdBefore: to }).filter(([, v]) => v !== undefined)) as OperationFilter;
}

/** `board mail, state failed, created after 2024-05-01 10:00:00`; `every job` when unfiltered. */
export function describeFilter(filter: OperationFilter): string {
  const parts = [
    filter.board === undefined ? undefined : `board ${filter.board}`,
    filter.state === undefined ? undefined : `state ${filter.state}`,
    filter.type === undefined ? undefined : `type ${filter.type}`,
    filter.createdAfter === undefined ? undefined : `created after ${formatTime(filter.createdAfter)}`,
    filter.createdBefore === undefined ? undefined : `created before ${formatTime(filter.createdBefore)}`,
  ].filter((part) => part !== undefined);
  return parts.length === 0 ? 'every job, on every board' : parts.join(', ');
}

export interface MatchCount {
  count: number;
  /** False when counting stopped at the cap: there are at least `count`. */
  complete: boolean;
}

/** Counting by listing stops here; an operator needs "more than 10,000", not the exact figure. */
const MAX_COUNTED = 10_000;
const PAGE = 100;

/**
 * How many jobs the operation would act on: those the filter matches in the states the action
 * moves jobs out of (retry: failed and trashed, …). A board and states alone are read from
 * `/stats` (one request, from counters that settle within seconds of the last change); a type or a
 * time bound needs the list, paged through, a state at a time.
 */
export async function countMatching(action: BulkAction, filter: OperationFilter): Promise<MatchCount> {
  const states = ACTION_STATES[action].filter((state) => filter.state === undefined || state === filter.state);
  if (filter.type === undefined && filter.createdAfter === undefined && filter.createdBefore === undefined) {
    const stats = await api.stats(filter.board);
    return { count: states.reduce((sum, state) => sum + stats[state], 0), complete: true };
  }
  // As the operation reads them: `createdAfter` inclusive, `createdBefore` exclusive.
  const after = filter.createdAfter === undefined ? -Infinity : Date.parse(filter.createdAfter);
  const before = filter.createdBefore === undefined ? Infinity : Date.parse(filter.createdBefore);
  const createdIn = (job: JobView) => Date.parse(job.createdAt) >= after && Date.parse(job.createdAt) < before;
  let count = 0;
  for (const state of states) {
    const counted = await countListed(filter, state, createdIn, MAX_COUNTED - count);
    count += counted.count;
    if (!counted.complete) return { count, complete: false };
  }
  return { count, complete: true };
}

async function countListed(filter: OperationFilter, state: JobState, keep: (job: JobView) => boolean, max: number): Promise<MatchCount> {
  let count = 0;
  let cursor: string | undefined;
  for (let listed = 0; listed < max; listed += PAGE) {
    const page = await api.listJobs({ board: filter.board, state, type: filter.type, limit: PAGE, cursor });
    count += page.jobs.filter(keep).length;
    if (page.nextCursor === null) return { count, complete: true };
    cursor = page.nextCursor;
  }
  return { count, complete: false };
}
