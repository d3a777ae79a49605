/**
 * Postings: the messages that tell conductors a job may be claimable. A posting carries the job
 * id only; the job itself lives in DynamoDB (messages are small and may be duplicated).
 */
import { LIMITS } from '../config.js';
import type { Scope } from '../model.js';

export interface Posting {
  id: string;
  /** The job's board, so a conductor can check the board's settings before claiming; absent: `default`. */
  board?: string;
  /** The job's scopes, so the claim can take them in its transaction (a claim without them is refused). */
  scopes?: Scope[];
}

/** The message body of a posting. The default board is left out (postings from before boards look the same). */
export function encodePosting(posting: Posting): string {
  return JSON.stringify({
    id: posting.id,
    ...(posting.board === undefined || posting.board === 'default' ? {} : { board: posting.board }),
    ...(posting.scopes === undefined || posting.scopes.length === 0 ? {} : { scopes: posting.scopes }),
  });
}

/** The posting in a message body, or a reason why the body is not one. */
export function decodePosting(body: string): { posting: Posting } | { malformed: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { malformed: 'body is not JSON' };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { malformed: 'body is not a JSON object' };
  const id = (parsed as Record<string, unknown>).id;
  if (typeof id !== 'string' || !LIMITS.idPattern.test(id)) return { malformed: 'body has no valid "id"' };
  const { board, scopes } = parsed as Record<string, unknown>;
  if (board !== undefined && (typeof board !== 'string' || !LIMITS.boardPattern.test(board))) return { malformed: 'body has an invalid "board"' };
  // Scopes a posting says are only a hint: the claim's condition checks them against the job's.
  const validScopes = Array.isArray(scopes) && scopes.every((s) => typeof s?.key === 'string' && Number.isInteger(s?.limit) && s.limit >= 1);
  return { posting: { id, ...(board === undefined ? {} : { board }), ...(validScopes ? { scopes: scopes as Scope[] } : {}) } };
}
