/** `list`: jobs oldest (or newest) first, one page or (`--all`) every page. */
import { flagOption, intOption, positionals, stringOption } from '../args.js';
import type { JobView, ListQuery } from '../../lib/http/contract.js';
import { ExitCode, printJson, type Command } from '../context.js';
import { formatJobs } from '../format.js';
import { dataOf, type JobboardClient } from '../client.js';

/** Most pages `--all` follows before it concludes that the server loops. */
export const MAX_PAGES = 100_000;

/** Follows `nextCursor` from `query` to the last page, calling `onPage` for each. */
export async function forEachPage(client: JobboardClient, query: ListQuery, onPage: (jobs: readonly JobView[]) => void): Promise<void> {
  const seen = new Set<string>();
  let cursor = query.cursor;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await dataOf(client.GET('/jobs', { params: { query: { ...query, cursor } } }));
    onPage(result.jobs);
    if (result.nextCursor === undefined || result.nextCursor === null || result.nextCursor === '') return;
    if (seen.has(result.nextCursor)) throw new Error(`the API returned cursor ${result.nextCursor} twice; stopping`);
    seen.add(result.nextCursor);
    cursor = result.nextCursor;
  }
  throw new Error(`more than ${MAX_PAGES} pages; stopping`);
}

/** `list [--state S] [--type T] [--board B] [--priority P] [--order asc|desc] [--limit N] [--cursor C] [--all]`. */
export const listCommand: Command = {
  name: 'list',
  synopsis: ['list [--state S] [--type T] [--board B] [--priority P] [--order asc|desc] [--limit N] [--cursor C] [--all]'],
  summary: 'list jobs, oldest first, or newest first with --order desc (GET /jobs)',
  help: [
    '--state S     only jobs in state S (posted, claimed, waiting, suspended, completed, failed, trashed)',
    '--type T      only jobs of type T',
    '--board B     only jobs of board B',
    '--priority P  only jobs of priority P (high, normal, low)',
    '--order O     asc (default): oldest first; desc: newest first',
    '--limit N     page size, 1-100 (server default 50)',
    '--cursor C    start at this page (the nextCursor of an earlier page)',
    '--all         follow nextCursor through every page',
  ],
  options: {
    state: { type: 'string' },
    type: { type: 'string' },
    board: { type: 'string' },
    priority: { type: 'string' },
    limit: { type: 'string' },
    cursor: { type: 'string' },
    order: { type: 'string' },
    all: { type: 'boolean' },
  },
  async run(ctx, values, args) {
    positionals(args, []);
    const query: ListQuery = {
      // Checked by the server, which names the known states in its 400.
      state: stringOption(values, 'state') as ListQuery['state'],
      type: stringOption(values, 'type'),
      board: stringOption(values, 'board'),
      priority: stringOption(values, 'priority') as ListQuery['priority'],
      order: stringOption(values, 'order') as ListQuery['order'],
      limit: intOption(values, 'limit', 1, 100),
      cursor: stringOption(values, 'cursor'),
    };
    if (!flagOption(values, 'all')) {
      const page = await dataOf(ctx.client.GET('/jobs', { params: { query } }));
      if (ctx.json) {
        printJson(ctx, page);
      } else {
        ctx.stdout(formatJobs(page.jobs));
        if (page.nextCursor) ctx.stderr(`more jobs: add --cursor ${page.nextCursor} (or --all)\n`);
      }
      return ExitCode.ok;
    }
    const jobs: JobView[] = [];
    await forEachPage(ctx.client, query, (page) => void jobs.push(...page));
    if (ctx.json) printJson(ctx, { jobs, nextCursor: null });
    else ctx.stdout(formatJobs(jobs) + (jobs.length > 0 ? `${jobs.length} job${jobs.length === 1 ? '' : 's'}\n` : ''));
    return ExitCode.ok;
  },
};

