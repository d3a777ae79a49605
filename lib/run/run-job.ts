/**
 * Runs one claimed job: builds its context, stops it at its run limit (or on a stop request that
 * a lease renewal brings back) through an AbortSignal, and keeps its lease alive while it runs.
 * Never throws: every ending is a `RunResult`, with a stop reason when the run was stopped.
 *
 * Once the run has settled, its context is fenced: a job that ignored its abort and calls
 * `heartbeat()` later renews nothing, so it can neither extend a lease it no longer needs nor
 * push its posting's visibility past the fate the conductor gave it.
 */
import { ClaimLostError, SuspendError, isJobboardError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Job } from '../model.js';
import type { JobType } from '../registry.js';
import type { RunResult, StopReason } from './outcome.js';
import { PROGRESS_EVERY_MS, ProgressReporter } from './progress-reporter.js';
import { RunStoppedError } from './errors.js';

export interface RunJobOptions {
  /** The job's timeout: the run is stopped (`jobTimeout`) after this long. */
  jobTimeoutMs: number;
  /** Time left to the invocation (less what the conductor needs to record the outcome): the run is stopped (`invocationDeadline`) after this long if it is shorter. */
  deadlineMs: number;
  /** The conductor renews the lease this often on its own, so a long run keeps its claim. */
  renewEveryMs: number;
  /** Extends the lease and the posting's visibility; returns the job as it now stands. */
  renew: () => Promise<Job>;
  /** A stop the freshly renewed job asks for (a cancel or suspend request), if any. */
  stopRequested?: (job: Job) => StopReason | undefined;
  /** Writes what the job reports through `ctx.progress()` (coalesced by a {@link ProgressReporter}). */
  reportProgress?: (value: unknown) => Promise<void>;
  /** Spacing of progress writes. @default {@link PROGRESS_EVERY_MS} */
  progressEveryMs?: number;
  logger: Logger;
  /** Epoch ms. */
  now: () => number;
}

export async function runJob(type: JobType, job: Job, options: RunJobOptions): Promise<RunResult> {
  const { now } = options;
  const controller = new AbortController();
  const started = now();
  let settled = false;
  let renewing: Promise<void> | undefined;
  let renewedAt = started;
  let stopped: ((result: RunResult) => void) | undefined;
  const stoppedEarly = new Promise<RunResult>((resolve) => (stopped = resolve));
  const stop = (reason: StopReason, message: string) => {
    if (controller.signal.aborted) return;
    controller.abort(new RunStoppedError(reason, message));
    stopped?.({ kind: 'stopped', reason, afterMs: now() - started });
  };
  // A job may call heartbeat() as often as it likes; each renewal costs a DynamoDB write and an
  // SQS request, so renewals are at least a quarter of the renewal period apart.
  const minIntervalMs = Math.max(250, Math.floor(options.renewEveryMs / 4));
  const renew = (): Promise<void> => {
    // One renewal at a time: the job's own heartbeats and the timer share it.
    renewing ??= options.renew().then(
      (fresh) => {
        renewedAt = now();
        renewing = undefined;
        const reason = options.stopRequested?.(fresh);
        if (reason !== undefined) stop(reason, `stop requested: ${reason}`);
      },
      (error: unknown) => {
        renewing = undefined;
        throw error;
      },
    );
    return renewing;
  };
  const heartbeat = (): Promise<void> => {
    if (settled) {
      options.logger.warn('heartbeat_after_run', { jobId: job.id, attempt: job.attempts });
      return Promise.resolve();
    }
    return renewing === undefined && now() - renewedAt < minIntervalMs ? Promise.resolve() : renew();
  };
  const renewTimer = setInterval(() => {
    renew().catch((error: unknown) => {
      if (isJobboardError(error, ClaimLostError)) stop('claimLost', 'the lease was taken over');
      // Otherwise not fatal: the lease has a margin, and the next renewal may land.
      else options.logger.warn('lease_renewal_failed', { jobId: job.id, error });
    });
  }, options.renewEveryMs);
  const timeout =
    options.jobTimeoutMs <= options.deadlineMs
      ? setTimeout(() => stop('jobTimeout', `job timeout of ${options.jobTimeoutMs} ms reached`), Math.max(0, options.jobTimeoutMs))
      : setTimeout(() => stop('invocationDeadline', `invocation deadline reached after ${options.deadlineMs} ms`), Math.max(0, options.deadlineMs));
  const progress = new ProgressReporter(
    options.reportProgress ?? (async () => undefined),
    now,
    (error) => options.logger.warn('progress_write_failed', { jobId: job.id, error }),
    options.progressEveryMs ?? PROGRESS_EVERY_MS,
  );
  const ran = (async (): Promise<RunResult> => {
    try {
      const result = await type.run({
        job,
        payload: job.payload,
        attempt: job.attempts,
        signal: controller.signal,
        heartbeat,
        progress: (value) => progress.report(value),
        suspend: (reason) => {
          throw new SuspendError(reason ?? 'the job suspended itself');
        },
        logger: childLogger(options.logger, { jobId: job.id, type: job.type, attempt: job.attempts }),
      });
      return { kind: 'succeeded', result };
    } catch (error) {
      // Whatever a job throws once aborted (its own AbortError, usually) is the abort's doing.
      const reason = controller.signal.reason;
      return reason instanceof RunStoppedError ? { kind: 'stopped', reason: reason.reason, afterMs: now() - started } : { kind: 'threw', error };
    }
  })();
  try {
    return await Promise.race([ran, stoppedEarly]);
  } finally {
    settled = true;
    clearInterval(renewTimer);
    clearTimeout(timeout);
    await renewing?.catch(() => undefined);
    // Before the outcome is written: the job keeps the last value it reported.
    await progress.close();
  }
}

function childLogger(logger: Logger, fields: Record<string, unknown>): Logger {
  return {
    info: (event, more) => logger.info(event, { ...fields, ...more }),
    warn: (event, more) => logger.warn(event, { ...fields, ...more }),
    error: (event, more) => logger.error(event, { ...fields, ...more }),
  };
}
