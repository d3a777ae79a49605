/** `post`: one job from options (optionally waiting for it), or many from `--file`. */
import { exclusiveOptions, flagOption, intOption, isoOption, jsonObjectOption, positionals, stringOption, UsageError, type OptionValues } from '../args.js';
import { MAX_BATCH_JOBS, type PostJobBody } from '../../lib/http/contract.js';
import { answerOf } from '../client.js';
import { ExitCode, printJson, type Command } from '../context.js';
import { formatJob } from '../format.js';
import { DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY, postFile } from './post-file.js';
import { DEFAULT_WAIT_INTERVAL_MS, DEFAULT_WAIT_TIMEOUT_SECONDS, reportWait, waitForJob, waitOptions } from './wait.js';

/** Options only a single post takes (not allowed with `--file`). */
const SINGLE_ONLY = ['payload', 'id', 'max-attempts', 'delay', 'run-at', 'dispatch-by', 'timeout', 'board', 'priority', 'scope', 'unique-key', 'depends-on', 'on-parent-failure', 'wait', 'wait-timeout', 'interval'] as const;

/** Builds the `POST /jobs` body from the command line. The API checks ranges and answers 400. */
export function postBody(type: string, values: OptionValues): PostJobBody {
  exclusiveOptions(values, 'delay', 'run-at');
  const anyInt = (name: string) => intOption(values, name, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  const body: PostJobBody = { type };
  const payload = jsonObjectOption(values, 'payload');
  const id = stringOption(values, 'id');
  const maxAttempts = anyInt('max-attempts');
  const delaySeconds = anyInt('delay');
  const runAt = isoOption(values, 'run-at');
  const dispatchBy = isoOption(values, 'dispatch-by');
  const timeoutSeconds = anyInt('timeout');
  const board = stringOption(values, 'board');
  // Checked by the API, which names the allowed values in its 400.
  const priority = stringOption(values, 'priority') as PostJobBody['priority'];
  if (board !== undefined) body.board = board;
  if (priority !== undefined) body.priority = priority;
  const scopes = listOption(values, 'scope');
  if (scopes.length > 0) body.scopes = scopes.map(scopeOption);
  const uniqueKey = stringOption(values, 'unique-key');
  if (uniqueKey !== undefined) body.uniqueKey = uniqueKey;
  const dependsOn = listOption(values, 'depends-on');
  if (dependsOn.length > 0) body.dependsOn = dependsOn;
  const onParentFailure = stringOption(values, 'on-parent-failure') as PostJobBody['onParentFailure'];
  if (onParentFailure !== undefined) body.onParentFailure = onParentFailure;
  if (payload !== undefined) body.payload = payload;
  if (id !== undefined) body.id = id;
  if (maxAttempts !== undefined) body.maxAttempts = maxAttempts;
  if (delaySeconds !== undefined) body.delaySeconds = delaySeconds;
  if (runAt !== undefined) body.runAt = runAt;
  if (dispatchBy !== undefined) body.dispatchBy = dispatchBy;
  if (timeoutSeconds !== undefined) body.timeoutSeconds = timeoutSeconds;
  return body;
}

/** A repeatable option, each value possibly comma-separated: `--scope a --scope b,c`. */
function listOption(values: OptionValues, name: string): string[] {
  const raw = values[name];
  const all = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return all.flatMap((value) => String(value).split(',')).map((value) => value.trim()).filter((value) => value !== '');
}

/** `printer` or `gpu:2` (a key with a limit). The API checks lengths and ranges. */
function scopeOption(value: string): string | { key: string; limit: number } {
  const match = /^(.*):(\d+)$/.exec(value);
  return match === null ? value : { key: match[1] as string, limit: Number(match[2]) };
}

/** `post <type> [options]` and `post --file FILE [--concurrency N]`. */
export const postCommand: Command = {
  name: 'post',
  synopsis: [
    'post <type> [--payload JSON] [--id ID] [--max-attempts N] [--delay SECONDS | --run-at ISO]',
    '     [--dispatch-by ISO] [--timeout SECONDS] [--board B] [--priority high|normal|low]',
    '     [--scope KEY[:LIMIT]]... [--unique-key K] [--depends-on ID]... [--on-parent-failure fail|run]',
    '     [--wait [--wait-timeout SECONDS] [--interval MS]]',
    'post --file FILE [--concurrency N] [--batch-size N]',
  ],
  summary: 'post a job (POST /jobs), or many from a JSON Lines / JSON array file',
  help: [
    "--payload JSON         the job's payload, a JSON object (default {})",
    '--id ID                your own id: posting the same id and body again answers the existing job',
    '--max-attempts N       claims allowed before the job fails (default from the job type, else 5)',
    '--delay SECONDS        not before SECONDS from now',
    '--run-at ISO           not before this time',
    '--dispatch-by ISO      fail the job if it has not started by this time',
    "--timeout SECONDS      the job's run time limit (default from the job type, else 60)",
    '--board B              the board it belongs to (default: default)',
    '--priority P           high, normal (default) or low: higher ones start first',
    '--scope KEY[:LIMIT]    no two jobs with this scope run at once (LIMIT: at most that many); repeatable',
    '--unique-key K         at most one unfinished job with this key (409 DuplicateError otherwise)',
    '--depends-on ID        wait until job ID is done; repeatable, or comma-separated',
    '--on-parent-failure P  fail (default): fail if a parent fails; run: run once every parent is final',
    '--wait                 then wait until the job is final, like `wait` (exit 0, 1, or 2 on timeout)',
    `--wait-timeout SECONDS how long --wait waits (default ${DEFAULT_WAIT_TIMEOUT_SECONDS})`,
    `--interval MS          how often --wait polls (default ${DEFAULT_WAIT_INTERVAL_MS})`,
    '--file FILE            post every job in FILE: one POST /jobs body per line (JSON Lines) or a JSON array; - reads stdin',
    `--concurrency N        requests in flight with --file (default ${DEFAULT_CONCURRENCY})`,
    `--batch-size N         jobs per request with --file: 1 = POST /jobs each, 2-${MAX_BATCH_JOBS} = POST /jobs/batch (default ${DEFAULT_BATCH_SIZE})`,
  ],
  options: {
    payload: { type: 'string' },
    id: { type: 'string' },
    'max-attempts': { type: 'string' },
    delay: { type: 'string' },
    'run-at': { type: 'string' },
    'dispatch-by': { type: 'string' },
    timeout: { type: 'string' },
    board: { type: 'string' },
    priority: { type: 'string' },
    scope: { type: 'string', multiple: true },
    'unique-key': { type: 'string' },
    'depends-on': { type: 'string', multiple: true },
    'on-parent-failure': { type: 'string' },
    wait: { type: 'boolean' },
    'wait-timeout': { type: 'string' },
    interval: { type: 'string' },
    file: { type: 'string' },
    concurrency: { type: 'string' },
    'batch-size': { type: 'string' },
  },
  async run(ctx, values, args) {
    const file = stringOption(values, 'file');
    if (file !== undefined) {
      positionals(args, []);
      const misplaced = SINGLE_ONLY.find((name) => values[name] !== undefined);
      if (misplaced) throw new UsageError(`--${misplaced} does not go with --file (put it in each line of the file)`);
      return postFile(ctx, file, {
        concurrency: intOption(values, 'concurrency', 1, 256) ?? DEFAULT_CONCURRENCY,
        batchSize: intOption(values, 'batch-size', 1, MAX_BATCH_JOBS) ?? DEFAULT_BATCH_SIZE,
      });
    }
    for (const name of ['concurrency', 'batch-size']) if (values[name] !== undefined) throw new UsageError(`--${name} goes with --file`);
    const [type] = positionals(args, ['type']);
    const body = postBody(type!, values);
    const wait = flagOption(values, 'wait');
    if (!wait) for (const name of ['wait-timeout', 'interval']) if (values[name] !== undefined) throw new UsageError(`--${name} goes with --wait`);
    const options = waitOptions(values, 'wait-timeout');
    const { status, data: job } = await answerOf(ctx.client.POST('/jobs', { body }));
    const headline = status === 201 ? `created job ${job.id}` : `job ${job.id} already exists (same request)`;
    if (!wait) {
      if (ctx.json) printJson(ctx, job);
      else ctx.stdout(`${headline}\n${formatJob(job)}`);
      return ExitCode.ok;
    }
    if (!ctx.json) ctx.stderr(`${headline}; waiting for it to finish\n`);
    return reportWait(ctx, await waitForJob(ctx, job.id, options), options.timeoutMs);
  },
};
