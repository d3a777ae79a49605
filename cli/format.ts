/** Human output: aligned tables, short times, a job's details. `--json` bypasses all of this. */
import type { BoardView, JobView, Stats } from '../lib/http/contract.js';
import { JOB_STATES as STATES } from '../lib/states.js';

/** A column of a {@link table}: header and how to get the cell from a row. */
export interface Column<T> {
  header: string;
  cell: (row: T) => string;
  /** Right-align (numbers). */
  right?: boolean;
}

/** Renders rows as a table with aligned columns separated by two spaces; no trailing spaces. */
export function table<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((row) => columns.map((column) => oneLine(column.cell(row))));
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (values: readonly string[]) =>
    values
      .map((value, i) => (columns[i]?.right ? value.padStart(widths[i] ?? 0) : value.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n') + '\n';
}

/** `2025-11-22T04:43:12.345Z` → `2025-11-22 04:43:12` (UTC); null → `-`. */
export function shortTime(iso: string | null | undefined): string {
  if (!iso) return '-';
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(iso);
  return match ? `${match[1]} ${match[2]}` : iso;
}

/** `text` cut to `max` characters, with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Compact JSON for a table cell or a detail line, cut at `max` characters. */
export function compactJson(value: unknown, max = 60): string {
  return truncate(value === undefined ? '-' : JSON.stringify(value), max);
}

function oneLine(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ');
}

/** The columns `list` shows. */
export const JOB_COLUMNS: readonly Column<JobView>[] = [
  { header: 'ID', cell: (j) => j.id },
  { header: 'TYPE', cell: (j) => j.type },
  { header: 'BOARD', cell: (j) => j.board },
  { header: 'STATE', cell: (j) => j.state },
  { header: 'ATTEMPTS', cell: (j) => `${j.attempts}/${j.maxAttempts}`, right: true },
  { header: 'CREATED', cell: (j) => shortTime(j.createdAt) },
  { header: 'ENDED', cell: (j) => shortTime(j.endedAt) },
  { header: 'LAST ERROR', cell: (j) => lastError(j) },
];

function lastError(job: JobView): string {
  const last = job.errors.at(-1);
  return last ? truncate(`${last.name}: ${last.message}`, 50) : '';
}

/** A list of jobs as a table, or a note when there are none. */
export function formatJobs(jobs: readonly JobView[]): string {
  return jobs.length === 0 ? 'no jobs\n' : table(jobs, JOB_COLUMNS);
}

/** One job, field per line, then its attempt history (the last 20) and its errors (the last 10). */
export function formatJob(job: JobView): string {
  const fields: [string, string][] = [
    ['id', job.id],
    ['type', `${job.type} v${job.typeVersion}`],
    ['state', job.stopRequested === null ? job.state : `${job.state} (${job.stopRequested} requested)`],
    ['board', job.board],
    ['priority', job.priority],
    ...(job.scopes.length > 0 ? [['scopes', job.scopes.map((s) => (s.limit === 1 ? s.key : `${s.key}:${s.limit}`)).join(', ')] as [string, string]] : []),
    ...(job.uniqueKey === null ? [] : [['unique key', job.uniqueKey] as [string, string]]),
    ...(job.dependsOn.length > 0 ? [['depends on', job.dependsOn.join(', ')] as [string, string], ['waiting on', job.waitingOn.join(', ') || '-'] as [string, string]] : []),
    ['attempts', `${job.attempts}/${job.maxAttempts}`],
    ['payload', compactJson(job.payload, 200)],
    ['result', job.result === null ? '-' : compactJson(job.result, 200)],
    ['progress', job.progress === null || job.progress === undefined ? '-' : typeof job.progress === 'number' ? `${job.progress}%` : compactJson(job.progress, 200)],
    ['created', shortTime(job.createdAt)],
    ['started', shortTime(job.startedAt)],
    ['ended', shortTime(job.endedAt)],
    ['runAt', shortTime(job.runAt)],
    ['dispatchBy', shortTime(job.dispatchBy)],
    ['timeout', `${job.timeoutSeconds}s`],
    ['owner', job.owner ?? '-'],
    ['lease until', shortTime(job.leaseExpiresAt)],
  ];
  const width = Math.max(...fields.map(([name]) => name.length));
  let text = fields.map(([name, value]) => `${(name + ':').padEnd(width + 1)}  ${oneLine(value)}`).join('\n') + '\n';
  if (job.history.length > 0) {
    text += '\nhistory:\n';
    text += table(job.history, [
      { header: 'ATTEMPT', cell: (a) => String(a.attempt), right: true },
      { header: 'OUTCOME', cell: (a) => a.outcome },
      { header: 'STARTED', cell: (a) => shortTime(a.startedAt) },
      { header: 'ENDED', cell: (a) => shortTime(a.endedAt) },
      { header: 'OWNER', cell: (a) => a.owner },
      { header: 'ERROR', cell: (a) => (a.error === null ? '' : `${a.error.name}: ${a.error.message}`) },
    ]).replace(/^(?=.)/gm, '  ');
  }
  if (job.errors.length > 0) {
    text += '\nerrors:\n';
    text += table(job.errors, [
      { header: 'ATTEMPT', cell: (e) => String(e.attempt), right: true },
      { header: 'AT', cell: (e) => shortTime(e.at) },
      { header: 'NAME', cell: (e) => e.name },
      { header: 'MESSAGE', cell: (e) => e.message },
    ]).replace(/^(?=.)/gm, '  ');
  }
  return text;
}

/** Counts per state, in the API's state order, plus a total. */
export function formatStats(stats: Stats): string {
  const rows: [string, number][] = STATES.map((state) => [state, stats[state] ?? 0]);
  rows.push(['total', rows.reduce((sum, [, n]) => sum + n, 0)]);
  return table(rows, [
    { header: 'STATE', cell: ([state]) => state },
    { header: 'JOBS', cell: ([, n]) => String(n), right: true },
  ]);
}

/** Details of an API error, one per line, for stderr. */
export function formatDetails(details: readonly unknown[]): string[] {
  return details.map((detail) => {
    if (typeof detail === 'object' && detail !== null && 'message' in detail) {
      const { path, message } = detail as { path?: unknown; message?: unknown };
      return typeof path === 'string' && path !== '' ? `${path}: ${String(message)}` : String(message);
    }
    return typeof detail === 'string' ? detail : JSON.stringify(detail);
  });
}

/** Boards as a table: settings, then the count of each open state and of failures. */
export function formatBoards(boards: readonly BoardView[]): string {
  if (boards.length === 0) return 'no boards\n';
  return table(boards, [
    { header: 'BOARD', cell: (b) => b.name },
    { header: 'PAUSED', cell: (b) => (b.paused ? 'yes' : 'no') },
    { header: 'MAX RUNNING', cell: (b) => (b.maxRunning === null ? '-' : String(b.maxRunning)), right: true },
    ...(['posted', 'claimed', 'waiting', 'suspended', 'completed', 'failed', 'trashed'] as const).map((state) => ({
      header: state.toUpperCase(),
      cell: (b: BoardView) => String(b.counts[state]),
      right: true,
    })),
  ]);
}
