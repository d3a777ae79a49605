/**
 * `jobboard <command> …`: parses the command line, builds the API client, runs the command and
 * turns every error into a message on stderr and an exit code. No side effects at import.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { flagOption, stringOption, UsageError, type OptionValues } from './args.js';
import { findCommand } from './commands/index.js';
import { ExitCode, type CommandIo } from './context.js';
import { readEnv, type CliEnv } from './env.js';
import { formatDetails } from './format.js';
import { createJobboardClient } from './client.js';
import { ApiError, ConnectionError } from './client-errors.js';
import { createSigV4Signer, SigningSetupError } from './sigv4.js';
import { commandUsage, GLOBAL_OPTIONS, usage } from './usage.js';

/** The process's streams and clock. */
export function processIo(): CommandIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    stderrIsTty: process.stderr.isTTY === true,
    now: () => Date.now(),
    sleep: (ms) => sleep(ms),
  };
}

/** Index of the command name: the first argument that is neither a global option nor its value. */
function commandIndex(argv: readonly string[]): number {
  const { tokens } = parseArgs({ args: [...argv], options: GLOBAL_OPTIONS, allowPositionals: true, strict: false, tokens: true });
  const first = tokens.find((token) => token.kind === 'positional');
  return first?.index ?? -1;
}

/** Points at a command's help after a usage error. */
const helpHint = (name: string): string => `(see \`jobboard ${name} --help\`)\n`;

/** Runs the CLI and returns the exit code (it does not exit). */
export async function run(argv: readonly string[], env: CliEnv = readEnv(), io: CommandIo = processIo()): Promise<number> {
  const at = commandIndex(argv);
  const name = at === -1 ? undefined : argv[at];
  if (name === undefined || name === 'help') {
    const other = name === 'help' ? argv[at + 1] : undefined;
    const command = other === undefined ? undefined : findCommand(other);
    io.stdout(command ? commandUsage(command) : usage());
    return ExitCode.ok;
  }
  const command = findCommand(name);
  if (!command) {
    io.stderr(`error: unknown command ${JSON.stringify(name)}\n\n${usage()}`);
    return ExitCode.usage;
  }

  let values: OptionValues;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv.filter((_, i) => i !== at),
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    }));
  } catch (error) {
    io.stderr(`error: ${error instanceof Error ? error.message : String(error)}\n${helpHint(command.name)}`);
    return ExitCode.usage;
  }
  if (flagOption(values, 'help')) {
    io.stdout(commandUsage(command));
    return ExitCode.ok;
  }

  const baseUrl = stringOption(values, 'url') ?? env.url;
  try {
    if (!/^https?:\/\/[^/]/i.test(baseUrl)) throw new UsageError(`the API URL must start with http:// or https://, got ${JSON.stringify(baseUrl)}`);
    const sigv4 = flagOption(values, 'sigv4') || env.sigv4;
    const signer = sigv4 ? await createSigV4Signer({ baseUrl, region: env.awsRegion }) : undefined;
    const client = createJobboardClient({ baseUrl, token: env.apiToken, signer });
    return await command.run({ ...io, client, json: flagOption(values, 'json') }, values, positionals);
  } catch (error) {
    return reportError(io, error, helpHint(command.name));
  }
}

/** Prints an error the way the CLI promises and returns its exit code. */
export function reportError(io: Pick<CommandIo, 'stderr'>, error: unknown, help: string): number {
  if (error instanceof UsageError) {
    io.stderr(`error: ${error.message}\n${help}`);
    return ExitCode.usage;
  }
  if (error instanceof ApiError) {
    const details = formatDetails(error.details).map((line) => `  - ${line}\n`).join('');
    io.stderr(`error: ${error.code}: ${error.message}\n${details}`);
    return ExitCode.failure;
  }
  if (error instanceof ConnectionError) {
    const hint =
      error.errorCode === 'ECONNREFUSED'
        ? `nothing is listening at ${error.url}: is the local stack running? Start it with \`npm start\`, or point JOBBOARD_URL (or --url) at the API.`
        : 'check JOBBOARD_URL (or --url) and your network.';
    io.stderr(`error: ${error.message}\n${hint}\n`);
    return ExitCode.failure;
  }
  if (error instanceof SigningSetupError) {
    io.stderr(`error: ${error.message}\n`);
    return ExitCode.failure;
  }
  io.stderr(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  return ExitCode.failure;
}
