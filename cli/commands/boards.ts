/** `boards` and `board pause|resume|set`: the boards, their settings and counts. */
import { intOption, positionals, stringOption, UsageError } from '../args.js';
import { dataOf } from '../client.js';
import { ExitCode, printJson, type Command } from '../context.js';
import { formatBoards } from '../format.js';
import type { BoardPatchBody } from '../../lib/http/contract.js';

/** `boards`: every board with its settings and counts. */
export const boardsCommand: Command = {
  name: 'boards',
  synopsis: ['boards'],
  summary: 'list boards with their settings and counts (GET /boards)',
  help: [],
  options: {},
  async run(ctx, _values, args) {
    positionals(args, []);
    const { boards } = await dataOf(ctx.client.GET('/boards'));
    if (ctx.json) printJson(ctx, { boards });
    else ctx.stdout(formatBoards(boards));
    return ExitCode.ok;
  },
};

/** `board pause|resume <name>`, `board set <name> --max-running N|none`. */
export const boardCommand: Command = {
  name: 'board',
  synopsis: ['board pause <name>', 'board resume <name>', 'board set <name> --max-running N|none'],
  summary: "change a board's settings (PUT /boards/{board})",
  help: [
    'pause <name>            no job of the board starts (posts are still accepted)',
    'resume <name>           its jobs start again',
    'set <name> --max-running N   at most N (1-10000) of its jobs run at once; none lifts the limit',
  ],
  options: { 'max-running': { type: 'string' } },
  async run(ctx, values, args) {
    const [action, name] = positionals(args, ['action', 'name']);
    let patch: BoardPatchBody;
    if (action === 'pause' || action === 'resume') {
      if (values['max-running'] !== undefined) throw new UsageError('--max-running goes with board set');
      patch = { paused: action === 'pause' };
    } else if (action === 'set') {
      const raw = stringOption(values, 'max-running');
      if (raw === undefined) throw new UsageError('board set needs --max-running N (or none)');
      // The API checks the range and answers 400 naming maxRunning.
      patch = { maxRunning: raw === 'none' ? null : (intOption(values, 'max-running', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER) as number) };
    } else {
      throw new UsageError(`unknown board action ${JSON.stringify(action)}: use pause, resume or set`);
    }
    const board = await dataOf(ctx.client.PUT('/boards/{board}', { params: { path: { board: name! } }, body: patch }));
    if (ctx.json) printJson(ctx, board);
    else ctx.stdout(formatBoards([board]));
    return ExitCode.ok;
  },
};
