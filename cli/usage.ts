/** The usage text: every command, the global options, the environment and the exit codes. */
import type { OptionSpecs } from './args.js';
import { COMMANDS } from './commands/index.js';
import type { Command } from './context.js';
import { DEFAULT_URL } from './env.js';

/** Options every command takes. */
export const GLOBAL_OPTIONS: OptionSpecs = {
  json: { type: 'boolean' },
  url: { type: 'string' },
  sigv4: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

const GLOBAL_HELP = [
  '--json        print the API\'s JSON instead of tables',
  `--url URL     the API (default $JOBBOARD_URL, else ${DEFAULT_URL})`,
  '--sigv4       sign requests with AWS SigV4 for API Gateway IAM auth (or JOBBOARD_SIGV4=1)',
  '-h, --help    show help; `jobboard <command> --help` shows a command\'s options',
];

const ENVIRONMENT = [
  `JOBBOARD_URL         base URL of the API (default ${DEFAULT_URL})`,
  'JOBBOARD_API_TOKEN   sent as `Authorization: Bearer <token>` (the local stack\'s token)',
  'JOBBOARD_SIGV4=1     same as --sigv4; credentials come from the default AWS chain',
  'AWS_REGION           SigV4 region (else read from *.execute-api.<region>.amazonaws.com)',
];

const EXIT_CODES = ['0  success (wait: the job completed)', '1  error from the API or the connection; a job failed or was trashed; post --file had failures', '2  bad command line; wait timed out'];

const indent = (lines: readonly string[], by = '  ') => lines.map((line) => by + line).join('\n');

/** The full usage: every command. */
export function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: jobboard <command> [options]',
    '',
    'Commands:',
    indent(COMMANDS.map((c) => `${c.name.padEnd(width)}  ${c.summary}`)),
    '',
    'Synopsis:',
    COMMANDS.flatMap((c) => synopsis(c.synopsis, '  ', '  ')).join('\n'),
    '',
    'Options for every command:',
    indent(GLOBAL_HELP),
    '',
    'Environment:',
    indent(ENVIRONMENT),
    '',
    'Exit codes:',
    indent(EXIT_CODES),
    '',
  ].join('\n');
}

/** Synopsis lines with `jobboard` in front; a line that starts with spaces continues the one before. */
function synopsis(lines: readonly string[], first: string, other: string): string[] {
  return lines.map((line, i) => (line.startsWith(' ') ? ' '.repeat(other.length + 'jobboard'.length) + line : `${i === 0 ? first : other}jobboard ${line}`));
}

/** Help for one command. */
export function commandUsage(command: Command): string {
  return [
    ...synopsis(command.synopsis, 'Usage: ', '       '),
    '',
    command.summary,
    ...(command.help.length > 0 ? ['', 'Options:', indent(command.help)] : []),
    '',
    'Options for every command:',
    indent(GLOBAL_HELP),
    '',
  ].join('\n');
}
