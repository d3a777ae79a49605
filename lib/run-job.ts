/**
 * Runs one claimed job: builds its context, stops it at its run limit through an AbortSignal,
 * and keeps its lease alive while it runs. Never throws: every ending is a `RunResult`.
 */
import { ClaimLostError, isJobboardError } from './errors.js';
import type { Job } from './model.js';
import type { RunResult } from './outcome.js';
import type { JobType, Logger } from './registry.js';

export interface RunJobOptions {
  /** The run is aborted after this long (the job's timeout, bounded by the invocation). */
  runLimitMs: number;
  /** The conductor renews the lease this often on its own, so a long run keeps its claim. */
  renewEveryMs: number;
  /** Extends the lease and the posting's visibility. */
  renew: () => Promise<void>;
  logger: Logger;
}

export async function runJob(type: JobType, job: Job, options: RunJobOptions): Promise<RunResult> {
  const controller = new AbortController();
  const started = Date.now();
  let renewing: Promise<void> | undefined;
  let renewedAt = started;
  // A job may call heartbeat() as often as it likes; each renewal costs a DynamoDB write and an
  // SQS request, so renewals are at least a quarter of the renewal period apart.
  const minIntervalMs = Math.max(250, Math.floor(options.renewEveryMs / 4));
  const renew = (): Promise<void> => {
    // One renewal at a time: the job's own heartbeats and the timer share it.
    renewing ??= options.renew().then(
      () => {
        renewedAt = Date.now();
        renewing = undefined;
      },
      (error: unknown) => {
        renewing = undefined;
        throw error;
      },
    );
    return renewing;
  };
  const heartbeat = (): Promise<void> => (renewing === undefined && Date.now() - renewedAt < minIntervalMs ? Promise.resolve() : renew());
  const renewTimer = setInterval(() => {
    renew().catch((error: unknown) => {
      if (isJobboardError(error, ClaimLostError)) {
        options.logger.warn('claim_lost', { jobId: job.id, type: job.type, attempt: job.attempts, owner: job.owner, during: 'renewal' });
        controller.abort(error);
      } else {
        // A failed renewal is not fatal: the lease has a margin, and the next renewal may land.
        options.logger.warn('lease_renewal_failed', { jobId: job.id, error });
      }
    });
  }, options.renewEveryMs);
  let timeout: NodeJS.Timeout | undefined;
  const timedOut = new Promise<RunResult>((resolve) => {
    timeout = setTimeout(() => {
      controller.abort(new Error(`run limit of ${options.runLimitMs} ms reached`));
      resolve({ kind: 'timedOut', afterMs: Date.now() - started });
    }, options.runLimitMs);
  });
  const ran = (async (): Promise<RunResult> => {
    try {
      const result = await type.run({
        job,
        payload: job.payload,
        attempt: job.attempts,
        signal: controller.signal,
        heartbeat,
        logger: childLogger(options.logger, { jobId: job.id, type: job.type, attempt: job.attempts }),
      });
      return { kind: 'succeeded', result };
    } catch (error) {
      // Whatever a job throws once aborted (its own AbortError, usually) is the abort's doing.
      return controller.signal.aborted ? { kind: 'timedOut', afterMs: Date.now() - started } : { kind: 'threw', error };
    }
  })();
  try {
    return await Promise.race([ran, timedOut]);
  } finally {
    clearInterval(renewTimer);
    clearTimeout(timeout);
    await renewing?.catch(() => undefined);
  }
}

function childLogger(logger: Logger, fields: Record<string, unknown>): Logger {
  return {
    info: (event, more) => logger.info(event, { ...fields, ...more }),
    warn: (event, more) => logger.warn(event, { ...fields, ...more }),
    error: (event, more) => logger.error(event, { ...fields, ...more }),
  };
}
