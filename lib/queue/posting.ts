/**
 * Postings: the messages that tell conductors a job may be claimable. A posting carries the job
 * id only; the job itself lives in DynamoDB (messages are small and may be duplicated).
 */
import { LIMITS } from '../config.js';

export interface Posting {
  id: string;
  /** The job's board, so a conductor can check the board's settings before claiming; absent: `default`. */
  board?: string;
}

/** The message body of a posting. The default board is left out (postings from before boards look the same). */
export function encodePosting(posting: Posting): string {
  return JSON.stringify(posting.board === undefined || posting.board === 'default' ? { id: posting.id } : { id: posting.id, board: posting.board });
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
  const board = (parsed as Record<string, unknown>).board;
  if (board === undefined) return { posting: { id } };
  if (typeof board !== 'string' || !LIMITS.boardPattern.test(board)) return { malformed: 'body has an invalid "board"' };
  return { posting: { id, board } };
}
