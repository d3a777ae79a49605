/**
 * Parsing with schemas, in one place. Schemas are written with `zod/mini`, the tree-shakable
 * build of zod: the classic build does not tree-shake and was about 440 KB of every Lambda
 * bundle. Mini ships without error messages, so the English ones are loaded here, and every
 * parse goes through this module: a 400 says "Too big: expected number to be <=100", not
 * "Invalid input".
 *
 * Import schema builders with `import * as z from 'zod/mini'` and use them by property
 * (`z.string()`): re-exporting the namespace object would keep all of zod in the bundle.
 */
import { en } from 'zod/locales';
import { config, safeParse, type output, type ZodMiniType } from 'zod/mini';
import type { ValidationIssue } from './errors.js';

config(en());

export type Parsed<T> = { success: true; data: T } | { success: false; issues: ValidationIssue[] };

/** Parses `value`; on failure, every issue with its dotted path (`root` for the value itself). */
export function parseWith<S extends ZodMiniType>(schema: S, value: unknown, root: string): Parsed<output<S>> {
  const result = safeParse(schema, value);
  if (result.success) return { success: true, data: result.data };
  return { success: false, issues: result.error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || root, message: issue.message })) };
}
