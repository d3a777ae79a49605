/**
 * The shapes the HTTP API speaks (DESIGN.md, "HTTP API"). Type-only: the CLI is a plain HTTP
 * client and imports nothing from the server's code at run time.
 */
import type { JobView } from '../lib/model.js';
import type { JobState } from '../lib/states.js';

export type { JobView, JobState };

/** The states, in the order the API and `stats` present them. */
export const STATES: readonly JobState[] = ['posted', 'claimed', 'completed', 'failed', 'trashed'];

/** States a job leaves only through an operator's retry. `wait` stops at these. */
export const FINAL_STATES: readonly JobState[] = ['completed', 'failed', 'trashed'];

/** Body of `POST /jobs`. */
export interface PostJobBody {
  type: string;
  payload?: Record<string, unknown>;
  id?: string;
  maxAttempts?: number;
  delaySeconds?: number;
  runAt?: string;
  dispatchBy?: string;
  timeoutSeconds?: number;
}

/** Most jobs one `POST /jobs/batch` takes. */
export const MAX_BATCH_JOBS = 100;

/** One job's answer inside `POST /jobs/batch`: what `POST /jobs` would have answered. */
export type BatchItemResult = { status: number; job: JobView } | { status: number; error: ApiErrorBody };

/** `POST /jobs/batch` answer: one result per job, in order. */
export interface BatchResult {
  results: BatchItemResult[];
}

/** `GET /jobs` answer. `nextCursor` is absent or null on the last page. */
export interface JobPage {
  jobs: JobView[];
  nextCursor?: string | null;
}

/** `GET /jobs` filters. */
export interface ListQuery {
  state?: string;
  type?: string;
  limit?: number;
  cursor?: string;
}

/** `GET /stats` answer: how many jobs are in each state. */
export type Stats = Record<JobState, number>;

/** `POST /dead-letters/redrive` answer. */
export interface RedriveResult {
  moved: number;
}

/** `GET /health` answer. */
export interface Health {
  ok: boolean;
}

/** The `error` member of every error answer. */
export interface ApiErrorBody {
  code: string;
  message: string;
  details?: unknown[];
}
