/**
 * `schedules` and `schedule set|get|delete|pause|resume`: periodic schedules. `PUT /schedules/{name}`
 * replaces a schedule's settings as a whole, so `set` sends every setting (what it is not given
 * takes its default), and `pause`/`resume` read the schedule, then PUT it back with `paused`
 * changed (a concurrent `set` between the two may be overwritten).
 */
import { exclusiveOptions, flagOption, intOption, jsonObjectOption, positionals, stringOption, UsageError } from '../args.js';
import { dataOf } from '../client.js';
import { ExitCode, printJson, type Command } from '../context.js';
import { shortTime, table } from '../format.js';
import type { ScheduleBody, ScheduleView } from '../../lib/http/contract.js';

function formatSchedules(schedules: readonly ScheduleView[]): string {
  if (schedules.length === 0) return 'no schedules\n';
  return table(schedules, [
    { header: 'NAME', cell: (s) => s.name },
    { header: 'TYPE', cell: (s) => s.type },
    { header: 'WHEN', cell: (s) => (s.cron !== null ? `cron ${s.cron} ${s.timezone}` : `every ${s.every}s`) },
    { header: 'OVERLAP', cell: (s) => s.overlap },
    { header: 'PAUSED', cell: (s) => (s.paused ? 'yes' : 'no') },
    { header: 'NEXT RUN', cell: (s) => (s.nextRunAt === null ? '-' : shortTime(s.nextRunAt)) },
    { header: 'LAST JOB', cell: (s) => s.lastJobId ?? '-' },
  ]);
}

/** The PUT body that sets a schedule back to what `view` shows. */
function bodyOf(view: ScheduleView): ScheduleBody {
  return {
    type: view.type,
    payload: view.payload,
    ...(view.cron !== null ? { cron: view.cron } : { every: view.every as number }),
    timezone: view.timezone,
    overlap: view.overlap,
    paused: view.paused,
    ...(view.board === null ? {} : { board: view.board }),
    ...(view.priority === null ? {} : { priority: view.priority }),
    ...(view.maxAttempts === null ? {} : { maxAttempts: view.maxAttempts }),
    ...(view.timeoutSeconds === null ? {} : { timeoutSeconds: view.timeoutSeconds }),
  };
}

/** `schedules`: every schedule. */
export const schedulesCommand: Command = {
  name: 'schedules',
  synopsis: ['schedules'],
  summary: 'list periodic schedules (GET /schedules)',
  help: [],
  options: {},
  async run(ctx, _values, args) {
    positionals(args, []);
    const { schedules } = await dataOf(ctx.client.GET('/schedules'));
    if (ctx.json) printJson(ctx, { schedules });
    else ctx.stdout(formatSchedules(schedules));
    return ExitCode.ok;
  },
};

/** `schedule set|get|delete|pause|resume <name>`. */
export const scheduleCommand: Command = {
  name: 'schedule',
  synopsis: [
    'schedule set <name> <type> (--cron EXPR | --every SECONDS) [--payload JSON] [--timezone TZ] [--overlap skip|allow] [--board B] [--priority P] [--max-attempts N] [--timeout S] [--paused]',
    'schedule get <name>',
    'schedule delete <name>',
    'schedule pause <name>',
    'schedule resume <name>',
  ],
  summary: 'create, show, remove, pause or resume a periodic schedule (PUT/GET/DELETE /schedules/{name})',
  help: [
    'set <name> <type>       create the schedule or replace all its settings; what is not given takes its default',
    '  --cron EXPR           5 fields: minute hour day-of-month month day-of-week (in --timezone, default UTC)',
    '  --every SECONDS       or a period in seconds (at least 1; the sweeper ticks each minute on AWS)',
    '  --overlap skip|allow  skip (default): no new run while the previous one is unfinished',
    'pause|resume <name>     read the schedule, then PUT it back with paused changed; resume posts no missed slot',
  ],
  options: {
    cron: { type: 'string' },
    every: { type: 'string' },
    payload: { type: 'string' },
    timezone: { type: 'string' },
    overlap: { type: 'string' },
    board: { type: 'string' },
    priority: { type: 'string' },
    'max-attempts': { type: 'string' },
    timeout: { type: 'string' },
    paused: { type: 'boolean' },
  },
  async run(ctx, values, args) {
    const action = args[0];
    const putSchedule = (name: string, body: ScheduleBody) => dataOf(ctx.client.PUT('/schedules/{name}', { params: { path: { name } }, body }));
    let schedule: ScheduleView;
    if (action === 'set') {
      const [, name, type] = positionals(args, ['action', 'name', 'type']);
      exclusiveOptions(values, 'cron', 'every');
      const cron = stringOption(values, 'cron');
      const every = intOption(values, 'every', 1, Number.MAX_SAFE_INTEGER);
      if (cron === undefined && every === undefined) throw new UsageError('schedule set needs --cron EXPR or --every SECONDS');
      const overlap = stringOption(values, 'overlap');
      if (overlap !== undefined && overlap !== 'skip' && overlap !== 'allow') throw new UsageError('--overlap is skip or allow');
      const priority = stringOption(values, 'priority');
      const body: ScheduleBody = {
        type: type!,
        ...(cron === undefined ? {} : { cron }),
        ...(every === undefined ? {} : { every }),
        ...optional('payload', jsonObjectOption(values, 'payload')),
        ...optional('timezone', stringOption(values, 'timezone')),
        ...optional('overlap', overlap as 'skip' | 'allow' | undefined),
        ...optional('board', stringOption(values, 'board')),
        // The API checks the priority and answers 400 naming it.
        ...optional('priority', priority as ScheduleBody['priority']),
        ...optional('maxAttempts', intOption(values, 'max-attempts', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)),
        ...optional('timeoutSeconds', intOption(values, 'timeout', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)),
        ...(flagOption(values, 'paused') ? { paused: true } : {}),
      };
      schedule = await putSchedule(name!, body);
    } else if (action === 'get' || action === 'delete' || action === 'pause' || action === 'resume') {
      const [, name] = positionals(args, ['action', 'name']);
      const byName = { params: { path: { name: name! } } };
      const given = Object.keys(scheduleCommand.options).filter((key) => values[key] !== undefined);
      if (given.length > 0) throw new UsageError(`--${given[0]} goes with schedule set`);
      if (action === 'get') schedule = await dataOf(ctx.client.GET('/schedules/{name}', byName));
      else if (action === 'delete') schedule = await dataOf(ctx.client.DELETE('/schedules/{name}', byName));
      else schedule = await putSchedule(name!, { ...bodyOf(await dataOf(ctx.client.GET('/schedules/{name}', byName))), paused: action === 'pause' });
    } else {
      throw new UsageError(`unknown schedule action ${JSON.stringify(action ?? '')}: use set, get, delete, pause or resume`);
    }
    if (ctx.json) printJson(ctx, schedule);
    else ctx.stdout(formatSchedules([schedule]));
    return ExitCode.ok;
  },
};

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
