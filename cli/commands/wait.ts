/** `wait <id>`: poll a job until it is completed, failed or trashed. Also behind `post --wait`. */
import { intOption, positionals, secondsOption } from '../args.js';
import type { JobView } from '../../lib/http/contract.js';
import { isFinal } from '../../lib/states.js';
import { dataOf } from '../client.js';
import { ApiError } from '../client-errors.js';
import { byId, ExitCode, printJson, type Command, type CommandContext } from '../context.js';
import { formatJob } from '../format.js';

/** How long `wait` waits by default, in seconds. */
export const DEFAULT_WAIT_TIMEOUT_SECONDS = 300;
/** How often `wait` polls by default, in milliseconds. */
export const DEFAULT_WAIT_INTERVAL_MS = 500;

/** Options of {@link waitForJob}. */
export interface WaitOptions {
  timeoutMs: number;
  intervalMs: number;
}

/** What a wait ended with: the last job seen and whether the deadline passed first. */
export interface WaitOutcome {
  job: JobView;
  timedOut: boolean;
}

/**
 * Polls `GET /jobs/{id}` until the job is final or the deadline passes. Retryable API errors
 * (429, 5xx) are polled through until the deadline; anything else (404, 401, no connection) ends it.
 */
export async function waitForJob(ctx: CommandContext, id: string, options: WaitOptions): Promise<WaitOutcome> {
  const deadline = ctx.now() + options.timeoutMs;
  let last: JobView | undefined;
  for (;;) {
    try {
      const job = await dataOf(ctx.client.GET('/jobs/{id}', byId(id)));
      if (ctx.stderrIsTty && !ctx.json && last && (last.state !== job.state || last.attempts !== job.attempts)) {
        ctx.stderr(`job ${job.id}: ${job.state} (attempt ${job.attempts}/${job.maxAttempts})\n`);
      }
      last = job;
      if (isFinal(job.state)) return { job, timedOut: false };
    } catch (error) {
      if (!(error instanceof ApiError && error.retryable) || (last === undefined && ctx.now() >= deadline)) throw error;
    }
    const left = deadline - ctx.now();
    if (left <= 0 && last !== undefined) return { job: last, timedOut: true };
    await ctx.sleep(Math.max(0, Math.min(options.intervalMs, left)));
  }
}

/** Prints the outcome and returns the exit code: 0 completed, 1 failed or trashed, 2 timed out. */
export function reportWait(ctx: CommandContext, outcome: WaitOutcome, timeoutMs: number): number {
  const { job, timedOut } = outcome;
  if (ctx.json) printJson(ctx, job);
  else ctx.stdout(formatJob(job));
  if (timedOut) {
    ctx.stderr(`error: timed out after ${timeoutMs / 1_000} s waiting for job ${job.id} (still ${job.state})\n`);
    return ExitCode.timeout;
  }
  if (job.state === 'completed') return ExitCode.ok;
  const lastError = job.errors.at(-1);
  ctx.stderr(`job ${job.id} ${job.state}${lastError ? ` after ${job.attempts} attempt${job.attempts === 1 ? '' : 's'}: ${lastError.name}: ${lastError.message}` : ''}\n`);
  return ExitCode.failure;
}

/** Reads `--timeout SECONDS` (or another name) and `--interval MS`. */
export function waitOptions(values: Parameters<Command['run']>[1], timeoutName: string): WaitOptions {
  return {
    timeoutMs: (secondsOption(values, timeoutName) ?? DEFAULT_WAIT_TIMEOUT_SECONDS) * 1_000,
    intervalMs: intOption(values, 'interval', 10, 3_600_000) ?? DEFAULT_WAIT_INTERVAL_MS,
  };
}

/** `wait <id> [--timeout SECONDS] [--interval MS]`. */
export const waitCommand: Command = {
  name: 'wait',
  synopsis: ['wait <id> [--timeout SECONDS] [--interval MS]'],
  summary: 'wait until a job is completed, failed or trashed; exit 0, 1, or 2 on timeout',
  help: [
    `--timeout SECONDS   give up after this long (default ${DEFAULT_WAIT_TIMEOUT_SECONDS}); exit 2`,
    `--interval MS       poll every MS milliseconds (default ${DEFAULT_WAIT_INTERVAL_MS})`,
  ],
  options: { timeout: { type: 'string' }, interval: { type: 'string' } },
  async run(ctx, values, args) {
    const [id] = positionals(args, ['id']);
    const options = waitOptions(values, 'timeout');
    return reportWait(ctx, await waitForJob(ctx, id!, options), options.timeoutMs);
  },
};
