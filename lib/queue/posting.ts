/**
 * Postings: the messages that tell conductors a job may be claimable. A posting carries the job
 * id only; the job itself lives in DynamoDB (messages are small and may be duplicated).
 */
import { LIMITS } from '../config.js';

export interface Posting {
  id: string;
}

/** The message body of a posting. */
export function encodePosting(posting: Posting): string {
  return JSON.stringify({ id: posting.id });
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
  return { posting: { id } };
}
