/** What a refused claim means for its posting: decided purely, from the refusal and the job it carries. */
import { describe, expect, it } from 'vitest';
import { ClaimRefusedError, type ClaimRefusalReason } from '../../lib/errors.js';
import type { Job } from '../../lib/model.js';
import { decideRefusal } from '../../lib/run/refusal.js';

const job: Job = { id: 'j', type: 't', typeVersion: 1, payload: {}, state: 'posted', attempts: 3, maxAttempts: 3, errors: [], createdAt: 0, updatedAt: 0, timeoutSeconds: 60, version: 7, requestHash: 'h' };
const refusal = (reason: ClaimRefusalReason, retryAfterMs?: number, seen: Job | undefined = job) => new ClaimRefusedError(reason, reason, retryAfterMs, { jobId: 'j' }, seen);

describe('decideRefusal', () => {
  it('drops the posting of a missing or finished job', () => {
    expect(decideRefusal(refusal('missing', undefined, undefined))).toEqual({ action: 'drop', why: 'missing' });
    expect(decideRefusal(refusal('final', undefined, { ...job, state: 'completed' }))).toEqual({ action: 'drop', why: 'final' });
  });

  it('forwards the dead-letter copy a failed job still owes', () => {
    const owing = { ...job, state: 'failed' as const, deadLetterReason: 'permanent error' };
    expect(decideRefusal(refusal('final', undefined, owing))).toEqual({ action: 'forwardFailed', job: owing });
  });

  it('brings the posting back when a live lease ends, rounded up to whole seconds', () => {
    expect(decideRefusal(refusal('leased', 2_001))).toEqual({ action: 'returnAfter', delaySeconds: 3 });
  });

  it('brings a not-yet-due posting back when due, or drops it when due after the longest visibility', () => {
    expect(decideRefusal(refusal('notDue', 90_000))).toEqual({ action: 'returnAfter', delaySeconds: 90 });
    expect(decideRefusal(refusal('notDue', 13 * 3_600_000))).toMatchObject({ action: 'drop' });
  });

  it('fails a job whose attempts are spent, or whose dispatchBy passed, and sends its posting to the DLQ', () => {
    expect(decideRefusal(refusal('exhausted'))).toEqual({ action: 'failUnclaimed', job, reason: 'exhausted', deadLetterReason: 'attempts exhausted' });
    expect(decideRefusal(refusal('expired'))).toEqual({ action: 'failUnclaimed', job, reason: 'expired', deadLetterReason: 'dispatchBy passed before the job started' });
  });
});
