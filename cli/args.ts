/** Reading typed values out of `node:util` `parseArgs` results, with usage errors that name the option. */
import type { ParseArgsConfig } from 'node:util';

/** Option definitions as `parseArgs` takes them. */
export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** Parsed option values as `parseArgs` returns them. */
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** The command line is wrong: print the message and the usage, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A string option, or undefined when absent. */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new UsageError(`--${name} needs a value`);
  return value;
}

/** A boolean flag. */
export function flagOption(values: OptionValues, name: string): boolean {
  return values[name] === true;
}

/** A whole-number option within [min, max], or undefined when absent. */
export function intOption(values: OptionValues, name: string, min: number, max: number): number | undefined {
  const text = stringOption(values, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return value;
}

/** A non-negative number of seconds (fractions allowed), or undefined when absent. */
export function secondsOption(values: OptionValues, name: string): number | undefined {
  const text = stringOption(values, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) throw new UsageError(`--${name} must be a number of seconds ≥ 0, got ${JSON.stringify(text)}`);
  return value;
}

const ISO_EXAMPLE = 'an ISO-8601 time like 2030-01-02T03:04:05Z';

/** Epoch ms of an ISO-8601 date and time, or undefined when `text` is not one. */
function parseIso(text: string): number | undefined {
  const ms = Date.parse(text);
  return /^\d{4}-\d{2}-\d{2}T/.test(text) && !Number.isNaN(ms) ? ms : undefined;
}

/** An ISO-8601 time, normalised to `toISOString()` form, or undefined when absent. */
export function isoOption(values: OptionValues, name: string): string | undefined {
  const text = stringOption(values, name);
  if (text === undefined) return undefined;
  const ms = parseIso(text);
  if (ms === undefined) throw new UsageError(`--${name} must be ${ISO_EXAMPLE}, got ${JSON.stringify(text)}`);
  return new Date(ms).toISOString();
}

/**
 * A point in time, as `toISOString()`: ISO-8601, or `HH:MM` meaning that time today in local time
 * (what an operator types after an incident: `--since 10:00`). `now` says which day today is.
 */
export function timeOption(values: OptionValues, name: string, now: Date): string | undefined {
  const text = stringOption(values, name);
  if (text === undefined) return undefined;
  const clock = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  if (clock !== null) {
    const today = new Date(now);
    today.setHours(Number(clock[1]), Number(clock[2]), 0, 0);
    return today.toISOString();
  }
  const ms = parseIso(text);
  if (ms === undefined) throw new UsageError(`--${name} must be HH:MM (today, local time) or ${ISO_EXAMPLE}, got ${JSON.stringify(text)}`);
  return new Date(ms).toISOString();
}

/** A JSON object option, or undefined when absent. */
export function jsonObjectOption(values: OptionValues, name: string): Record<string, unknown> | undefined {
  const text = stringOption(values, name);
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--${name} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`--${name} must be a JSON object, like '{"key":"value"}'`);
  return parsed as Record<string, unknown>;
}

/** Exactly `count` positionals, named in the error. */
export function positionals(values: readonly string[], names: readonly string[]): string[] {
  if (values.length !== names.length) {
    const expected = names.length === 0 ? 'no arguments' : names.map((n) => `<${n}>`).join(' ');
    throw new UsageError(values.length < names.length ? `missing ${expected}` : `unexpected argument ${JSON.stringify(values[names.length])} (expected ${expected})`);
  }
  return [...values];
}

/** Rejects two options given together. */
export function exclusiveOptions(values: OptionValues, a: string, b: string): void {
  if (values[a] !== undefined && values[b] !== undefined) throw new UsageError(`give --${a} or --${b}, not both`);
}
