/**
 * A new job's dependencies, decided from its parents as read at post time (DESIGN.md,
 * Dependencies). Pure: the job service reads the parents, this says what the job starts as.
 */
import { ValidationError } from './errors.js';
import type { Job } from './model.js';
import { JobState } from './states.js';

/**
 * The job as it is written: `waiting` on every parent not yet completed (a parent that ended
 * failed or trashed is told to it right after the post, which fails it or lets it run, by its
 * policy), or `posted` when all are completed. Unknown parents are a `ValidationError`.
 */
export function waitForParents(job: Job, parents: ReadonlyMap<string, Job>): Job {
  const dependsOn = job.dependsOn ?? [];
  const unknown = dependsOn.filter((id) => !parents.has(id));
  if (unknown.length > 0) {
    throw new ValidationError(`dependsOn names jobs that do not exist: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', …' : ''}`, [
      { path: 'dependsOn', message: `unknown job${unknown.length === 1 ? '' : 's'}: ${unknown.slice(0, 5).join(', ')}` },
    ]);
  }
  const waitingOn = dependsOn.filter((id) => parents.get(id)?.state !== JobState.completed);
  if (waitingOn.length === 0) return job;
  // No posting until released: the release sends it.
  const { postedAt: _notPosted, ...waiting } = job;
  return { ...waiting, state: JobState.waiting, waitingOn };
}
