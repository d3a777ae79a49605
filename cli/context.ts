/** What every command gets: the API client, where to write, and the shared `--json` switch. */
import type { OptionSpecs, OptionValues } from './args.js';
import type { JobboardClient } from './client.js';

/** Exit codes: 0 success, 1 failure (API error, failed job), 2 usage error or `wait` timed out. */
export const ExitCode = { ok: 0, failure: 1, usage: 2, timeout: 2 } as const;

/** Streams and clock a command uses; injected so commands stay testable. */
export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Progress may be redrawn in place with `\r`. */
  stderrIsTty: boolean;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

/** A command's run-time context. */
export interface CommandContext extends CommandIo {
  client: JobboardClient;
  /** Print raw JSON instead of tables. */
  json: boolean;
}

/** One sub-command: its options, its help, and what it does. Returns the exit code. */
export interface Command {
  name: string;
  /** `post <type> [options]`: the synopsis line(s) of the usage. */
  synopsis: readonly string[];
  summary: string;
  /** Option lines shown by `<command> --help`. */
  help: readonly string[];
  options: OptionSpecs;
  run: (ctx: CommandContext, values: OptionValues, positionals: readonly string[]) => Promise<number>;
}

/** The params of a route on one job or operation (`/jobs/{id}`, `/operations/{id}`). */
export const byId = (id: string) => ({ params: { path: { id } } });

/** Writes a value as indented JSON (for `--json`). */
export function printJson(ctx: Pick<CommandIo, 'stdout'>, value: unknown): void {
  ctx.stdout(JSON.stringify(value, null, 2) + '\n');
}
