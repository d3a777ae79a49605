/**
 * Decides what a refused claim means for its posting (DESIGN.md, Conductor, step 2). Pure, beside
 * the outcome decision: the conductor applies what this returns.
 */
import { LIMITS } from '../config.js';
import type { ClaimRefusedError } from '../errors.js';
import type { Job } from '../model.js';

export type RefusalDecision =
  /** A duplicate or orphan posting, or one due too far off for a message: delete it. */
  | { action: 'drop'; why: string }
  /** Failed, but its dead-letter copy never went out (a crash or an SQS error after the failing write): send it now. */
  | { action: 'forwardFailed'; job: Job }
  /** Bring the posting back when the job may be claimable: a live lease's end, or the due time. */
  | { action: 'returnAfter'; delaySeconds: number }
  /** A stop was requested and nobody runs the job: trash or suspend it, and drop the posting. */
  | { action: 'carryOutStop'; job: Job }
  /** Nobody can run it any more: fail it, and send the posting to the dead-letter queue. */
  | { action: 'failUnclaimed'; job: Job; reason: 'exhausted' | 'expired'; deadLetterReason: string };

export function decideRefusal(refusal: ClaimRefusedError): RefusalDecision {
  switch (refusal.reason) {
    case 'final':
      return refusal.job?.deadLetterReason !== undefined ? { action: 'forwardFailed', job: refusal.job } : { action: 'drop', why: 'final' };
    case 'missing':
      return { action: 'drop', why: 'missing' };
    case 'inactive':
      // Resume (or the parents' release) sends a fresh posting.
      return { action: 'drop', why: `${refusal.state ?? 'inactive'}: a fresh posting goes out when it becomes posted again` };
    case 'stopRequested':
      return refusal.job === undefined ? { action: 'returnAfter', delaySeconds: 1 } : { action: 'carryOutStop', job: refusal.job };
    case 'boardBusy':
    case 'scopeBusy':
      // Back soon: a holder's end frees its place within seconds (not after the visibility timeout).
      return { action: 'returnAfter', delaySeconds: Math.max(1, Math.ceil((refusal.retryAfterMs ?? 1_000) / 1_000)) };
    case 'otherBoard':
    case 'scopesMissing':
      // The store claims again with the job's scopes itself; a refusal left over means look again soon.
      return { action: 'returnAfter', delaySeconds: 1 };
    case 'leased':
      return { action: 'returnAfter', delaySeconds: Math.ceil((refusal.retryAfterMs ?? 1_000) / 1_000) };
    case 'notDue': {
      const delaySeconds = Math.ceil((refusal.retryAfterMs ?? 0) / 1_000);
      // Too far off for this message; maintenance posts the job when it falls due.
      return delaySeconds > LIMITS.sqsMaxVisibilitySeconds ? { action: 'drop', why: 'due after the longest visibility' } : { action: 'returnAfter', delaySeconds };
    }
    case 'exhausted':
    case 'expired':
      // Without the item (it never lacks one for these reasons) nothing can be failed: look again soon.
      if (refusal.job === undefined) return { action: 'returnAfter', delaySeconds: 1 };
      return {
        action: 'failUnclaimed',
        job: refusal.job,
        reason: refusal.reason,
        deadLetterReason: refusal.reason === 'exhausted' ? 'attempts exhausted' : 'dispatchBy passed before the job started',
      };
  }
}

/** Deliveries of a paused board's posting after which it is dropped; the sweeper re-posts the job once it is quiet. */
export const PAUSED_DROP_AFTER_RECEIVES = 150;

/**
 * A posting of a paused board, not claimed: it comes back after a pause that grows with its
 * deliveries (2 s per delivery, at most 20 s), so a resumed board starts within 20 s and a long
 * pause costs a few receives a minute. Long before SQS would move it to the dead-letter queue it is dropped
 * instead: the job stays `posted`, and the sweeper's lost-posting repair posts it again.
 */
export function pausedBoardDecision(receives: number): { action: 'returnAfter'; delaySeconds: number } | { action: 'delete' } {
  if (receives >= PAUSED_DROP_AFTER_RECEIVES) return { action: 'delete' };
  return { action: 'returnAfter', delaySeconds: Math.min(20, 2 * Math.max(1, receives)) };
}
