import { describe, expect, it } from 'vitest';
import { BACKOFF_DEFAULTS } from '../../lib/config.js';
import { PermanentError, SuspendError } from '../../lib/errors.js';
import type { Job } from '../../lib/model.js';
import { decideOutcome } from '../../lib/run/outcome.js';

const job = (attempts: number, maxAttempts = 3): Job => ({
  id: 'j', type: 't', typeVersion: 1, payload: {}, state: 'claimed', owner: 'o', attempts, maxAttempts, errors: [],
  createdAt: 0, updatedAt: 0, timeoutSeconds: 60, version: 2, requestHash: 'h',
});
const context = { now: 10_000, random: () => 0.5, backoff: BACKOFF_DEFAULTS };

describe('decideOutcome', () => {
  it('consumes a success and deletes the posting', () => {
    expect(decideOutcome(job(1), { kind: 'succeeded', result: { a: 1 } }, context)).toEqual({ transition: 'consume', result: { a: 1 }, posting: { action: 'delete' } });
  });

  it('fails a success whose result is over 64 KiB', () => {
    const outcome = decideOutcome(job(1), { kind: 'succeeded', result: 'x'.repeat(70_000) }, context);
    expect(outcome).toMatchObject({ transition: 'fail', error: { name: 'ResultTooLargeError' }, posting: { action: 'deadLetter' } });
  });

  it('abandons a retryable error with backoff, returning the posting when the job is due', () => {
    const outcome = decideOutcome(job(2), { kind: 'threw', error: new Error('flaky') }, context);
    // attempt 2 → min(cap, 1 s · 2) × 0.75 = 1.5 s; SQS visibility rounds up to 2 s.
    expect(outcome).toEqual({ transition: 'abandon', error: { name: 'Error', message: 'flaky' }, retryAt: 11_500, posting: { action: 'returnAfter', delaySeconds: 2 } });
  });

  it("treats a stop by the job's timeout or by the invocation's deadline as retryable, saying whose clock ran out", () => {
    expect(decideOutcome(job(1), { kind: 'stopped', reason: 'jobTimeout', afterMs: 5 }, context)).toMatchObject({ transition: 'abandon', error: { name: 'TimeoutError', message: "run stopped after 5 ms by the job's timeout" } });
    expect(decideOutcome(job(1), { kind: 'stopped', reason: 'invocationDeadline', afterMs: 5 }, context)).toMatchObject({ transition: 'abandon', error: { name: 'TimeoutError', message: "run stopped after 5 ms by the invocation's deadline" } });
  });

  it('fails a PermanentError at once, even one from another copy of the class', () => {
    expect(decideOutcome(job(1, 5), { kind: 'threw', error: new PermanentError('no') }, context)).toMatchObject({ transition: 'fail', posting: { reason: 'permanent error' } });
    const foreign = Object.assign(new Error('no'), { name: 'PermanentError' });
    expect(decideOutcome(job(1, 5), { kind: 'threw', error: foreign }, context)).toMatchObject({ transition: 'fail' });
  });

  it('fails the last attempt instead of abandoning it', () => {
    expect(decideOutcome(job(3, 3), { kind: 'threw', error: new Error('again') }, context)).toMatchObject({ transition: 'fail', posting: { action: 'deadLetter', reason: 'attempts exhausted (3 of 3)' } });
    expect(decideOutcome(job(3, 3), { kind: 'stopped', reason: 'jobTimeout', afterMs: 1 }, context)).toMatchObject({ transition: 'fail' });
  });

  it('records thrown non-errors readably', () => {
    expect(decideOutcome(job(1), { kind: 'threw', error: 'plain string' }, context)).toMatchObject({ error: { name: 'Error', message: 'plain string' } });
  });
});

describe('decideOutcome: stop reasons', () => {
  it('a lost lease writes nothing and deletes the posting (the new owner carries the job)', () => {
    expect(decideOutcome(job(1), { kind: 'stopped', reason: 'claimLost', afterMs: 5 }, context)).toEqual({ transition: 'none', posting: { action: 'delete' } });
  });

  it('a run stopped on request ends in the stop (not a failure), even on the last attempt, and its posting is spent', () => {
    for (const reason of ['cancelled', 'suspended'] as const) {
      expect(decideOutcome(job(3, 3), { kind: 'stopped', reason, afterMs: 5 }, context)).toEqual({ transition: 'stop', reason, posting: { action: 'delete' } });
    }
  });

  it('a SuspendError thrown by the job (or ctx.suspend()) suspends it, even from another copy of the module', () => {
    const foreign = Object.assign(new Error('later'), { name: 'SuspendError' });
    for (const error of [new SuspendError('later'), foreign]) {
      expect(decideOutcome(job(3, 3), { kind: 'threw', error }, context)).toEqual({ transition: 'stop', reason: 'suspended', error: { name: 'SuspendError', message: 'later' }, posting: { action: 'delete' } });
    }
  });
});
