/**
 * Posting the jobs of `post --file`, one request per job (`POST /jobs`) or many per request
 * (`POST /jobs/batch`), with the retry rule: a job that carries an `id` is tried again on 429, 5xx
 * or a dropped connection (a repeated post with the same id and body answers the existing job, so
 * no duplicate can appear); a job without one is not, since a retry could post it twice.
 */
import { MAX_BATCH_JOBS, type JobView, type PostJobBody } from '../../lib/http/contract.js';
import { answerOf, dataOf } from '../client.js';
import { ApiError, ConnectionError } from '../client-errors.js';
import type { CommandContext } from '../context.js';

/** Tries per job (with an `id`) on 429, 5xx or a dropped connection. */
export const MAX_TRIES = 3;
/** Largest `POST /jobs/batch` body the CLI builds, in bytes of JSON (the API takes a little more). */
export const MAX_BATCH_BYTES = 200_000;

/** One job of the input and where it came from. */
export interface InputJob {
  /** 0-based position among the jobs of the file. */
  index: number;
  /** 1-based line number (JSON Lines), or undefined for a JSON array. */
  line: number | undefined;
  body: PostJobBody;
}

/** Why one job was not posted. */
export interface PostFailure {
  code: string;
  message: string;
  details: readonly unknown[];
}

/** What happened to one job: printed as one JSON line under `--json`. */
export type PostResult =
  | { index: number; line?: number; ok: true; status: number; job: JobView }
  | { index: number; line?: number; ok: false; status?: number; refused?: true; error: PostFailure };

const where = (job: InputJob) => (job.line === undefined ? { index: job.index } : { index: job.index, line: job.line });
const hasId = (job: InputJob) => typeof job.body.id === 'string';
const transient = (error: unknown) => (error instanceof ApiError && error.retryable) || (error instanceof ConnectionError && error.errorCode !== 'ECONNREFUSED');
const backoffMs = (attempt: number) => 200 * 2 ** (attempt - 1);

/** The failed result of `job` for an error thrown by the client; other errors are rethrown. */
function failed(job: InputJob, error: unknown): PostResult {
  if (error instanceof ApiError) return { ...where(job), ok: false, status: error.status, error: { code: error.code, message: error.message, details: error.details } };
  if (error instanceof ConnectionError) {
    return { ...where(job), ok: false, ...(error.errorCode === 'ECONNREFUSED' ? { refused: true as const } : {}), error: { code: 'ConnectionError', message: error.message, details: [] } };
  }
  throw error;
}

/** `POST /jobs` for one job, retried per the rule above. */
export async function postOne(ctx: CommandContext, job: InputJob, firstAttempt = 1): Promise<PostResult> {
  for (let attempt = firstAttempt; ; attempt++) {
    try {
      const { status, data } = await answerOf(ctx.client.POST('/jobs', { body: job.body }));
      return { ...where(job), ok: true, status, job: data };
    } catch (error) {
      if (!(transient(error) && hasId(job) && attempt < MAX_TRIES)) return failed(job, error);
      await ctx.sleep(backoffMs(attempt));
    }
  }
}

/** Cuts the jobs into requests of at most `batchSize` jobs and {@link MAX_BATCH_BYTES}. */
export function chunkJobs(jobs: readonly InputJob[], batchSize: number): InputJob[][] {
  const size = Math.min(Math.max(1, batchSize), MAX_BATCH_JOBS);
  const chunks: InputJob[][] = [];
  let current: InputJob[] = [];
  let bytes = 0;
  for (const job of jobs) {
    const jobBytes = Buffer.byteLength(JSON.stringify(job.body)) + 1;
    if (current.length > 0 && (current.length >= size || bytes + jobBytes > MAX_BATCH_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(job);
    bytes += jobBytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * Posts one chunk: a single job with `POST /jobs`, several with `POST /jobs/batch`. Jobs of a
 * batch answered with a retryable status are tried again alone; an API without the batch route
 * (404/405) gets the jobs one by one.
 */
export async function postChunk(ctx: CommandContext, chunk: readonly InputJob[]): Promise<PostResult[]> {
  if (chunk.length === 1) return [await postOne(ctx, chunk[0]!)];
  for (let attempt = 1; ; attempt++) {
    try {
      const { results } = await dataOf(ctx.client.POST('/jobs/batch', { body: { jobs: chunk.map((job) => job.body) } }));
      if (results.length !== chunk.length) throw new ApiError(200, 'InvalidResponse', `POST /jobs/batch answered ${results.length} results for ${chunk.length} jobs`);
      return await Promise.all(
        chunk.map(async (job, i): Promise<PostResult> => {
          const result = results[i]!;
          if ('job' in result) return { ...where(job), ok: true, status: result.status, job: result.job };
          const error = new ApiError(result.status, result.error.code, result.error.message, result.error.details ?? []);
          return error.retryable && hasId(job) ? postOne(ctx, job, 2) : failed(job, error);
        }),
      );
    } catch (error) {
      if (error instanceof ApiError && (error.status === 404 || error.status === 405)) {
        const results: PostResult[] = [];
        for (const job of chunk) results.push(await postOne(ctx, job));
        return results;
      }
      if (!(transient(error) && chunk.every(hasId) && attempt < MAX_TRIES)) return chunk.map((job) => failed(job, error));
      await ctx.sleep(backoffMs(attempt));
    }
  }
}
