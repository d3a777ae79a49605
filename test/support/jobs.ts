/** Jobs built as the API builds them (parse the body, then `newJob`), for tests that post straight to a store. */
import type { Job } from '../../lib/model.js';
import { parsePostRequest } from '../../lib/http/post-request.js';
import { newJob, type JobTypeDefaults } from '../../lib/new-job.js';
import type { JobStore } from '../../lib/store/index.js';

let counter = 0;
const testId = () => `job-${++counter}-${Math.random().toString(36).slice(2, 8)}`;

/** The job a post body creates at `now` (default: the store's own clock is not known here, so the real time). */
export function buildJob(body: unknown, defaults: JobTypeDefaults = { typeVersion: 1 }, now: number = Date.now()): Job {
  return newJob(parsePostRequest(body), defaults, now, testId);
}

/** Posts a body straight to a store, bypassing the job-type check the API makes. */
export async function postBody(store: JobStore, body: unknown, defaults?: JobTypeDefaults, now?: number): Promise<{ job: Job; created: boolean }> {
  return store.post(buildJob(body, defaults, now));
}
