/** Structured logging: the `Logger` interface lib/ writes to, and a JSON-lines implementation. */

/** A structured logger: one JSON line per call. */
export interface Logger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

export type LogSink = (line: string) => void;

/** One JSON object per line, with a time, a level, an event name and fields. */
export class JsonLogger implements Logger {
  constructor(
    private readonly base: Record<string, unknown> = {},
    private readonly sink: LogSink = (line) => process.stdout.write(`${line}\n`),
    private readonly now: () => number = Date.now,
  ) {}

  info(event: string, fields: Record<string, unknown> = {}): void {
    this.write('info', event, fields);
  }

  warn(event: string, fields: Record<string, unknown> = {}): void {
    this.write('warn', event, fields);
  }

  error(event: string, fields: Record<string, unknown> = {}): void {
    this.write('error', event, fields);
  }

  /** A logger whose lines also carry `fields`. */
  child(fields: Record<string, unknown>): JsonLogger {
    return new JsonLogger({ ...this.base, ...fields }, this.sink, this.now);
  }

  private write(level: string, event: string, fields: Record<string, unknown>): void {
    this.sink(JSON.stringify({ time: new Date(this.now()).toISOString(), level, event, ...this.base, ...fields }, errorReplacer));
  }
}

/** Errors serialize to name and message instead of `{}`. */
function errorReplacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message } : value;
}

/** A logger that drops everything (for tests and benchmarks that count, not read). */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
