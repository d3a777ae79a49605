/** The one-request commands: `get`, `trash`, `retry`, `stats`, `redrive`, `health`. */
import { positionals } from '../args.js';
import { ExitCode, printJson, type Command, type CommandContext } from '../context.js';
import { formatJob, formatStats } from '../format.js';
import type { JobView } from '../../lib/http/contract.js';

function printJob(ctx: CommandContext, job: JobView, headline?: string): void {
  if (ctx.json) return printJson(ctx, job);
  ctx.stdout((headline ? `${headline}\n` : '') + formatJob(job));
}

/** `get <id>`: one job. */
export const getCommand: Command = {
  name: 'get',
  synopsis: ['get <id>'],
  summary: 'show one job (GET /jobs/{id})',
  help: [],
  options: {},
  async run(ctx, _values, args) {
    const [id] = positionals(args, ['id']);
    printJob(ctx, await ctx.client.getJob(id!));
    return ExitCode.ok;
  },
};

/** `trash <id>`: an operator removes a job that has not finished. */
export const trashCommand: Command = {
  name: 'trash',
  synopsis: ['trash <id>'],
  summary: 'trash a job that has not finished (DELETE /jobs/{id})',
  help: [],
  options: {},
  async run(ctx, _values, args) {
    const [id] = positionals(args, ['id']);
    const job = await ctx.client.trashJob(id!);
    printJob(ctx, job, `trashed job ${job.id}`);
    return ExitCode.ok;
  },
};

/** `retry <id>`: a failed or trashed job goes back to posted with a fresh attempt budget. */
export const retryCommand: Command = {
  name: 'retry',
  synopsis: ['retry <id>'],
  summary: 'put a failed or trashed job back to posted (POST /jobs/{id}/retry)',
  help: [],
  options: {},
  async run(ctx, _values, args) {
    const [id] = positionals(args, ['id']);
    const job = await ctx.client.retryJob(id!);
    printJob(ctx, job, `re-posted job ${job.id}`);
    return ExitCode.ok;
  },
};

/** `stats`: how many jobs are in each state. */
export const statsCommand: Command = {
  name: 'stats',
  synopsis: ['stats'],
  summary: 'count jobs per state (GET /stats)',
  help: [],
  options: {},
  async run(ctx, _values, args) {
    positionals(args, []);
    const stats = await ctx.client.stats();
    if (ctx.json) printJson(ctx, stats);
    else ctx.stdout(formatStats(stats));
    return ExitCode.ok;
  },
};

/** `redrive`: move dead-lettered postings back to the postings queue. */
export const redriveCommand: Command = {
  name: 'redrive',
  synopsis: ['redrive'],
  summary: 'move dead-lettered postings back to the queue (POST /dead-letters/redrive)',
  help: [],
  options: {},
  async run(ctx, _values, args) {
    positionals(args, []);
    const result = await ctx.client.redrive();
    if (ctx.json) printJson(ctx, result);
    else ctx.stdout(`moved ${result.moved} dead-lettered posting${result.moved === 1 ? '' : 's'} back to the queue\n`);
    return ExitCode.ok;
  },
};

/** `health`: liveness of the API. */
export const healthCommand: Command = {
  name: 'health',
  synopsis: ['health'],
  summary: 'check that the API answers (GET /health)',
  help: [],
  options: {},
  async run(ctx, _values, args) {
    positionals(args, []);
    const health = await ctx.client.health();
    if (ctx.json) printJson(ctx, health);
    else ctx.stdout(health.ok ? 'ok\n' : 'not ok\n');
    return health.ok ? ExitCode.ok : ExitCode.failure;
  },
};
