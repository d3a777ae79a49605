/**
 * Bulk operations (DESIGN.md, Bulk operations): `bulk <action>` starts one over a filter and
 * follows it to its end with a progress display; `operations` and `operation <id>` show them.
 * The operation runs on the server: stopping the CLI stops only the watching.
 */
import { intOption, positionals, stringOption, timeOption, UsageError } from '../args.js';
import { dataOf } from '../client.js';
import { ApiError } from '../client-errors.js';
import { byId, ExitCode, printJson, type Command, type CommandContext } from '../context.js';
import { shortTime, table } from '../format.js';
import { countsLine, DEFAULT_OPERATION_INTERVAL_MS, OperationProgress, watchOperation } from '../operation-progress.js';
import type { OperationBody, OperationView } from '../../lib/http/contract.js';
import { ACTION_STATES, OPERATION_ACTIONS, type OperationAction } from '../../lib/maintenance/operation.js';

type Filter = OperationBody['filter'];

const PAST_TENSE: Record<OperationAction, string> = { retry: 'retried', trash: 'trashed', suspend: 'suspended', resume: 'resumed' };

/** `board=b state=failed createdAfter=…`, or `all jobs`. */
function describeFilter(filter: OperationView['filter']): string {
  const parts = Object.entries(filter).map(([key, value]) => `${key}=${value}`);
  return parts.length === 0 ? 'all jobs' : parts.join(' ');
}

function formatOperations(operations: readonly OperationView[]): string {
  if (operations.length === 0) return 'no operations\n';
  return table(operations, [
    { header: 'ID', cell: (o) => o.id },
    { header: 'ACTION', cell: (o) => o.action },
    { header: 'STATE', cell: (o) => o.state },
    { header: 'MATCHED', cell: (o) => String(o.matched), right: true },
    { header: 'DONE', cell: (o) => String(o.done), right: true },
    { header: 'SKIPPED', cell: (o) => String(o.skipped), right: true },
    { header: 'FAILED', cell: (o) => String(o.failed), right: true },
    { header: 'CREATED', cell: (o) => shortTime(o.createdAt) },
    { header: 'FILTER', cell: (o) => describeFilter(o.filter) },
  ]);
}

function formatOperation(operation: OperationView): string {
  const fields: [string, string][] = [
    ['id', operation.id],
    ['action', operation.action],
    ['filter', describeFilter(operation.filter)],
    ['state', operation.state],
    ['counts', countsLine(operation)],
    ['error', operation.error ?? '-'],
    ['created', shortTime(operation.createdAt)],
    ['updated', shortTime(operation.updatedAt)],
    ['ended', shortTime(operation.endedAt)],
  ];
  const width = Math.max(...fields.map(([name]) => name.length));
  return fields.map(([name, value]) => `${(name + ':').padEnd(width + 1)}  ${value}`).join('\n') + '\n';
}

/**
 * How many jobs the filter matches now, from the counts (`GET /stats`), when only the board and the
 * state narrow it; undefined when the type or the time narrows it too, or when the counts cannot
 * be read (a caller may be allowed to act but not to read). Only the progress bar uses it.
 */
async function expectedMatches(ctx: CommandContext, action: OperationAction, filter: Filter): Promise<number | undefined> {
  if (filter.type !== undefined || filter.createdAfter !== undefined || filter.createdBefore !== undefined) return undefined;
  try {
    const stats = await dataOf(ctx.client.GET('/stats', { params: { query: { board: filter.board } } }));
    return (filter.state === undefined ? ACTION_STATES[action] : [filter.state]).reduce((sum, state) => sum + stats[state], 0);
  } catch (error) {
    if (error instanceof ApiError) return undefined;
    throw error;
  }
}

/** `bulk <action> [filter options]`: start the operation, follow it, print how it ended. */
export const bulkCommand: Command = {
  name: 'bulk',
  synopsis: ['bulk <retry|trash|suspend|resume> [--board B] [--state S] [--type T] [--since TIME] [--until TIME] [--interval MS]'],
  summary: 'retry, trash, suspend or resume every job a filter matches, with progress (POST /operations)',
  help: [
    '--board B      only jobs of board B',
    "--state S      only jobs in state S (one the action moves jobs out of; default: all of them)",
    '--type T       only jobs of type T',
    '--since TIME   only jobs created at or after TIME: HH:MM (today, local time) or ISO-8601',
    '--until TIME   only jobs created before TIME',
    `--interval MS  how often progress is polled (default ${DEFAULT_OPERATION_INTERVAL_MS})`,
    'Progress goes to stderr; --json prints the operation as it ended. Exit 1 if it failed.',
    'The operation runs on the server: interrupting the CLI does not stop it (see `jobboard operation <id>`).',
  ],
  options: { board: { type: 'string' }, state: { type: 'string' }, type: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' }, interval: { type: 'string' } },
  async run(ctx, values, args) {
    const [action] = positionals(args, ['action']);
    if (!OPERATION_ACTIONS.includes(action as OperationAction)) throw new UsageError(`unknown bulk action ${JSON.stringify(action)}: use ${OPERATION_ACTIONS.join(', ')}`);
    const now = new Date(ctx.now());
    const filter: Filter = {
      board: stringOption(values, 'board'),
      // Checked by the API, which says when the action does not apply to the state.
      state: stringOption(values, 'state') as Filter['state'],
      type: stringOption(values, 'type'),
      createdAfter: timeOption(values, 'since', now),
      createdBefore: timeOption(values, 'until', now),
    };
    const intervalMs = intOption(values, 'interval', 10, 3_600_000) ?? DEFAULT_OPERATION_INTERVAL_MS;
    const chosen = action as OperationAction;
    const progress = new OperationProgress(ctx, await expectedMatches(ctx, chosen, filter));
    // JSON drops the fields left undefined.
    const started = await dataOf(ctx.client.POST('/operations', { body: { action: chosen, filter } }));
    const ended = await watchOperation(ctx, started, progress, intervalMs);
    if (ctx.json) printJson(ctx, ended);
    else ctx.stdout(`operation ${ended.id} ${ended.state}: ${PAST_TENSE[chosen]} ${ended.done} of ${ended.matched} matched jobs, ${ended.skipped} skipped (changed meanwhile), ${ended.failed} failed\n`);
    if (ended.state === 'succeeded') return ExitCode.ok;
    ctx.stderr(`error: operation ${ended.id} failed${ended.error === null ? '' : `: ${ended.error}`}\n`);
    return ExitCode.failure;
  },
};

/** `operations [--limit N] [--cursor C]`: bulk operations, newest first. */
export const operationsCommand: Command = {
  name: 'operations',
  synopsis: ['operations [--limit N] [--cursor C]'],
  summary: 'list bulk operations, newest first (GET /operations)',
  help: ['--limit N     page size, 1-100 (server default 50)', '--cursor C    start at this page (the nextCursor of an earlier page)'],
  options: { limit: { type: 'string' }, cursor: { type: 'string' } },
  async run(ctx, values, args) {
    positionals(args, []);
    const query = { limit: intOption(values, 'limit', 1, 100), cursor: stringOption(values, 'cursor') };
    const page = await dataOf(ctx.client.GET('/operations', { params: { query } }));
    if (ctx.json) {
      printJson(ctx, page);
    } else {
      ctx.stdout(formatOperations(page.operations));
      if (page.nextCursor) ctx.stderr(`more operations: add --cursor ${page.nextCursor}\n`);
    }
    return ExitCode.ok;
  },
};

/** `operation <id>`: one bulk operation with its counts so far. */
export const operationCommand: Command = {
  name: 'operation',
  synopsis: ['operation <id>'],
  summary: 'show one bulk operation and its counts (GET /operations/{id})',
  help: [],
  options: {},
  async run(ctx, _values, args) {
    const [id] = positionals(args, ['id']);
    const operation = await dataOf(ctx.client.GET('/operations/{id}', byId(id!)));
    if (ctx.json) printJson(ctx, operation);
    else ctx.stdout(formatOperation(operation));
    return ExitCode.ok;
  },
};
