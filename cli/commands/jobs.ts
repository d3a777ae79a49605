/** The one-request commands: `get`, `cancel`/`trash`, `suspend`, `resume`, `retry`, `stats`, `redrive`, `health`. */
import { positionals, stringOption } from '../args.js';
import { dataOf } from '../client.js';
import { byId, ExitCode, printJson, type Command, type CommandContext } from '../context.js';
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
    printJob(ctx, await dataOf(ctx.client.GET('/jobs/{id}', byId(id!))));
    return ExitCode.ok;
  },
};

/** A job command that changes the job at once, or asks its running attempt to stop first. */
function stopCommand(name: string, summary: string, send: (ctx: CommandContext, id: string) => Promise<JobView>, done: string): Command {
  return {
    name,
    synopsis: [`${name} <id>`],
    summary,
    help: [],
    options: {},
    async run(ctx, _values, args) {
      const [id] = positionals(args, ['id']);
      const job = await send(ctx, id!);
      const headline = job.stopRequested === null ? `${done} job ${job.id}` : `job ${job.id} is running: asked it to stop (${job.stopRequested}); it ends within one lease renewal`;
      printJob(ctx, job, headline);
      return ExitCode.ok;
    },
  };
}

const trashJob = (ctx: CommandContext, id: string) => dataOf(ctx.client.DELETE('/jobs/{id}', byId(id)));

/** `cancel <id>`: trash a job, stopping its running attempt first. */
export const cancelCommand = stopCommand('cancel', 'trash a job; a running one is stopped first (DELETE /jobs/{id})', trashJob, 'trashed');
/** `trash <id>`: the same request as `cancel`, by its older name. */
export const trashCommand = stopCommand('trash', 'the same as cancel (DELETE /jobs/{id})', trashJob, 'trashed');
/** `suspend <id>`: set a job aside until resumed. */
export const suspendCommand = stopCommand('suspend', 'set a job aside until resumed; a running one is stopped first (POST /jobs/{id}/suspend)', (ctx, id) => dataOf(ctx.client.POST('/jobs/{id}/suspend', byId(id))), 'suspended');

/** `resume <id>`: a suspended job goes back to posted. */
export const resumeCommand: Command = {
  name: 'resume',
  synopsis: ['resume <id>'],
  summary: 'put a suspended job back to posted (POST /jobs/{id}/resume)',
  help: [],
  options: {},
  async run(ctx, _values, args) {
    const [id] = positionals(args, ['id']);
    const job = await dataOf(ctx.client.POST('/jobs/{id}/resume', byId(id!)));
    printJob(ctx, job, `resumed job ${job.id}`);
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
    const job = await dataOf(ctx.client.POST('/jobs/{id}/retry', byId(id!)));
    printJob(ctx, job, `re-posted job ${job.id}`);
    return ExitCode.ok;
  },
};

/** `stats`: how many jobs are in each state. */
export const statsCommand: Command = {
  name: 'stats',
  synopsis: ['stats [--board B]'],
  summary: 'count jobs per state, on one board or all (GET /stats)',
  help: ['--board B     only board B'],
  options: { board: { type: 'string' } },
  async run(ctx, values, args) {
    positionals(args, []);
    const stats = await dataOf(ctx.client.GET('/stats', { params: { query: { board: stringOption(values, 'board') } } }));
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
    const result = await dataOf(ctx.client.POST('/dead-letters/redrive'));
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
    const health = await dataOf(ctx.client.GET('/health'));
    if (ctx.json) printJson(ctx, health);
    else ctx.stdout(health.ok ? 'ok\n' : 'not ok\n');
    return health.ok ? ExitCode.ok : ExitCode.failure;
  },
};
