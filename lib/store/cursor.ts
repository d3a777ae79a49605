/**
 * The opaque list cursor: which stream of the listing (open, then finished) and the index sort
 * key last returned. Sort keys are unique (time then id), so "after this key" resumes without
 * gaps or repeats however the shards interleave. The cursor is bound to the query's filters.
 */
import { ValidationError } from '../errors.js';

export interface CursorPosition {
  stream: number;
  after: string | null;
}

export function encodeCursor(position: CursorPosition, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ s: position.stream, a: position.after, f: fingerprint }), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, fingerprint: string): CursorPosition {
  const invalid = (why: string) => new ValidationError(`invalid cursor: ${why}`, [{ path: 'cursor', message: why }]);
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid('not a cursor this API issued');
  }
  if (decoded === null || typeof decoded !== 'object') throw invalid('not a cursor this API issued');
  const { s, a, f } = decoded as Record<string, unknown>;
  if (!Number.isInteger(s) || (s as number) < 0 || (a !== null && typeof a !== 'string')) throw invalid('not a cursor this API issued');
  if (f !== fingerprint) throw invalid('it belongs to a list with other filters');
  return { stream: s as number, after: a as string | null };
}
