/**
 * The pure transition specs: each names its from-state and, after a claim, the owner; each
 * changes what its transition must. The conformance suite proves the same on DynamoDB; these
 * fail without a database when a condition or a change is dropped.
 */
import { describe, expect, it } from 'vitest';
import { ClaimLostError, ClaimRefusedError, ConflictError, InvalidStateError, NotFoundError } from '../../lib/errors.js';
import type { Job } from '../../lib/model.js';
import * as transition from '../../lib/store/transitions.js';
import { renderUpdate, type UpdateSpec } from '../../lib/store/write-spec.js';

const now = 1_000_000;
const ctx = { now, clockSkewMs: 1_000, retentionDays: 7 };
const claimed: Job = {
  id: 'j1', type: 't', typeVersion: 1, payload: {}, state: 'claimed', owner: 'token-a', leaseExpiresAt: now + 60_000, attempts: 1, maxAttempts: 3,
  errors: [], createdAt: now - 5_000, updatedAt: now - 1_000, startedAt: now - 1_000, postedAt: now - 5_000, timeoutSeconds: 60, version: 4, requestHash: 'h',
};
const item = (job: Partial<Job>) => ({ pk: `job#${job.id ?? 'j1'}`, ...claimed, ...job });
const ownerCondition = (spec: UpdateSpec) => {
  expect(spec.condition).toContain('#state = :claimed AND #owner = :owner');
  expect(spec.values).toMatchObject({ ':claimed': 'claimed', ':owner': 'token-a' });
};

describe('claim', () => {
  const spec = transition.claim('j1', { owner: 'token-b', leaseMs: 30_000 }, ctx);
  it('is allowed only from a due posted job with attempts left, not past an unstarted dispatchBy', () => {
    expect(spec.condition).toContain('#state = :posted');
    expect(spec.condition).toContain('#attempts < #maxAttempts');
    expect(spec.condition).toContain('#waitUntil <= :now');
    expect(spec.condition).toContain('#dispatchBy > :now OR #attempts > :zero');
    expect(spec.values).toMatchObject({ ':posted': 'posted', ':now': now });
  });
  it('sets the owner, the lease and the start, and counts the attempt', () => {
    expect(spec.set).toMatchObject({ state: 'claimed', owner: 'token-b', leaseExpiresAt: now + 30_000, startedAt: now });
    expect(spec.add).toEqual({ attempts: 1 });
    expect(spec.increment).toEqual({ runs: 1 });
  });
  it('explains a refusal from the item as it stood', () => {
    expect(spec.refused(undefined)).toMatchObject({ reason: 'missing' });
    expect(spec.refused(item({ state: 'completed' }))).toBeInstanceOf(ClaimRefusedError);
    expect(spec.refused(item({}))).toMatchObject({ reason: 'leased', owner: 'token-a' });
  });
});

describe('takeOver', () => {
  const expired = { ...claimed, leaseExpiresAt: now - 5_000 };
  const spec = transition.takeOver(expired, { owner: 'token-b', leaseMs: 30_000 }, ctx);
  it('is conditioned on the version seen and on the lease having run out, skew included', () => {
    expect(spec.condition).toContain('#version = :seenVersion');
    expect(spec.condition).toContain('#leaseExpiresAt < :expiredBefore');
    expect(spec.condition).toContain('#attempts < #maxAttempts');
    expect(spec.values).toMatchObject({ ':seenVersion': 4, ':expiredBefore': now - 1_000, ':claimed': 'claimed' });
  });
  it('records the lost attempt with its owner and the lease end', () => {
    expect(spec.set.owner).toBe('token-b');
    expect(spec.set.errors).toEqual([{ attempt: 1, at: now - 5_000, name: 'LeaseExpiredError', message: expect.stringContaining('token-a') }]);
    expect(spec.add).toEqual({ attempts: 1 });
  });
});

describe("the owner's writes", () => {
  it('heartbeat extends the lease, only for the owner', () => {
    const spec = transition.heartbeat(claimed, 10_000, ctx);
    ownerCondition(spec);
    expect(spec.set).toEqual({ leaseExpiresAt: now + 10_000, updatedAt: now });
  });
  it('consume completes the job, leaves the open index, enters the done index and gets its TTL', () => {
    const spec = transition.consume(claimed, { ok: 1 }, ctx);
    ownerCondition(spec);
    expect(spec.set).toMatchObject({ state: 'completed', result: { ok: 1 }, endedAt: now, doneShard: expect.stringMatching(/^completed#\d\d$/), expiresAt: Math.ceil(now / 1_000 + 7 * 86_400) });
    expect(spec.remove).toEqual(expect.arrayContaining(['openShard', 'leaseExpiresAt']));
  });
  it('abandon posts the job again at the retry time with the error recorded', () => {
    const spec = transition.abandon(claimed, { name: 'Error', message: 'again' }, now + 2_000, ctx);
    ownerCondition(spec);
    expect(spec.set).toMatchObject({ state: 'posted', waitUntil: now + 2_000, postedAt: now + 2_000, errors: [{ attempt: 1, name: 'Error', message: 'again', at: now }] });
    expect(spec.remove).toEqual(['owner', 'leaseExpiresAt']);
  });
  it('handBack gives the attempt back', () => {
    const spec = transition.handBack(claimed, ctx);
    ownerCondition(spec);
    expect(spec.add).toEqual({ attempts: -1 });
    expect(spec.set.state).toBe('posted');
  });
  it('fail keeps the dead-letter reason, and gives the attempt back only when told it was not spent', () => {
    const spent = transition.fail(claimed, { name: 'E', message: 'm' }, { deadLetterReason: 'permanent error' }, ctx);
    ownerCondition(spent);
    expect(spent.set).toMatchObject({ state: 'failed', deadLetterReason: 'permanent error' });
    expect(spent.add).toBeUndefined();
    expect(transition.fail(claimed, { name: 'E', message: 'm' }, { deadLetterReason: 'r', attemptSpent: false }, ctx).add).toEqual({ attempts: -1 });
  });
  it('a refused owner write is ClaimLostError naming the new owner, or NotFoundError', () => {
    const spec = transition.consume(claimed, null, ctx);
    expect(spec.refused(item({ owner: 'token-b' }))).toBeInstanceOf(ClaimLostError);
    expect(spec.refused(item({ owner: 'token-b' })).message).toContain('token-b');
    expect(spec.refused(undefined)).toBeInstanceOf(NotFoundError);
  });
});

describe("operators' and maintenance's writes", () => {
  it('trash is allowed while posted, waiting, suspended, or claimed under an expired lease', () => {
    const spec = transition.trash({ ...claimed, state: 'posted' }, ctx);
    expect(spec.condition).toBe('#state IN (:posted, :waiting, :suspended) OR (#state = :claimed AND #leaseExpiresAt < :expiredBefore)');
    expect(spec.set).toMatchObject({ state: 'trashed', doneShard: expect.stringMatching(/^trashed#\d\d$/) });
    expect(spec.refused(item({ state: 'completed' }))).toBeInstanceOf(InvalidStateError);
  });
  it('trash of a job on a board enters that board’s done partition', () => {
    expect(transition.trash({ ...claimed, state: 'posted', board: 'mail' }, ctx).set).toMatchObject({ doneShard: expect.stringMatching(/^trashed#mail#\d\d$/) });
  });
  it('retry is allowed from failed or trashed, and puts the job back in the open index with a fresh budget', () => {
    const spec = transition.retry({ ...claimed, state: 'failed' }, ctx);
    expect(spec.condition).toBe('#state IN (:failed, :trashed)');
    expect(spec.set).toMatchObject({ state: 'posted', attempts: 0, openShard: expect.stringMatching(/^open#\d\d$/) });
    expect(spec.remove).toEqual(expect.arrayContaining(['doneShard', 'owner', 'result', 'deadLetterReason']));
  });
  it('a stop request needs a live lease, and a suspend request never downgrades a cancel', () => {
    const cancel = transition.requestStop(claimed, 'cancel', ctx);
    expect(cancel.condition).toBe('#state = :claimed AND #leaseExpiresAt >= :expiredBefore');
    expect(cancel.set).toMatchObject({ stopRequested: 'cancel' });
    const suspend = transition.requestStop(claimed, 'suspend', ctx);
    expect(suspend.condition).toContain('(attribute_not_exists(#stopRequested) OR #stopRequested = :suspend)');
    expect(suspend.refused(item({ state: 'completed' }))).toBeInstanceOf(InvalidStateError);
  });
  it('no claim or takeover starts a job whose stop was requested; the refusal says so', () => {
    expect(transition.claim('j1', { owner: 'b', leaseMs: 1_000 }, ctx).condition).toContain('attribute_not_exists(#stopRequested)');
    const expired = { ...claimed, leaseExpiresAt: now - 5_000, stopRequested: 'cancel' as const };
    expect(transition.takeOver(expired, { owner: 'b', leaseMs: 1_000 }, ctx).condition).toContain('attribute_not_exists(#stopRequested)');
    expect(transition.claim('j1', { owner: 'b', leaseMs: 1_000 }, ctx).refused(item(expired))).toMatchObject({ reason: 'stopRequested' });
    // While the owner's lease is live, the owner carries the stop out: the claim waits.
    expect(transition.claim('j1', { owner: 'b', leaseMs: 1_000 }, ctx).refused(item({ stopRequested: 'cancel' }))).toMatchObject({ reason: 'leased' });
    expect(transition.claim('j1', { owner: 'b', leaseMs: 1_000 }, ctx).refused(item({ state: 'suspended', owner: undefined }))).toMatchObject({ reason: 'inactive' });
  });
  it('a cancelled run ends trashed with a cancelled attempt; a suspended one gives its attempt back', () => {
    const cancelled = transition.stopped(claimed, 'cancelled', ctx);
    ownerCondition(cancelled);
    expect(cancelled.set).toMatchObject({ state: 'trashed', history: [expect.objectContaining({ outcome: 'cancelled', attempt: 1 })] });
    expect(cancelled.set).not.toHaveProperty('errors');
    expect(cancelled.remove).toContain('stopRequested');
    const suspended = transition.stopped(claimed, 'suspended', ctx);
    ownerCondition(suspended);
    expect(suspended.set).toMatchObject({ state: 'suspended', history: [expect.objectContaining({ outcome: 'suspended' })] });
    expect(suspended.add).toEqual({ attempts: -1 });
    expect(suspended.remove).toEqual(expect.arrayContaining(['owner', 'leaseExpiresAt', 'stopRequested']));
  });
  it('suspend takes posted or waiting jobs (or a dead claim); resume only suspended ones', () => {
    expect(transition.suspend({ ...claimed, state: 'posted' }, ctx).condition).toBe('#state IN (:posted, :waiting) OR (#state = :claimed AND #leaseExpiresAt < :expiredBefore)');
    const resume = transition.resume({ ...claimed, state: 'suspended' }, now, ctx);
    expect(resume.condition).toBe('#state = :suspended AND attribute_not_exists(#waitingOn)');
    expect(transition.resume({ ...claimed, state: 'suspended', waitingOn: ['p'] }, now, ctx).set).toMatchObject({ state: 'waiting' });
    expect(resume.set).toMatchObject({ state: 'posted', postedAt: now });
    expect(resume.refused(item({ state: 'posted' }))).toBeInstanceOf(InvalidStateError);
  });
  it('markPosted is conditioned on the version read, so a claim in between makes it stand down', () => {
    const spec = transition.markPosted(claimed, now, ctx);
    expect(spec.condition).toContain('#version = :seenVersion');
    expect(spec.values).toMatchObject({ ':seenVersion': 4 });
  });
  it('failUnclaimed (exhausted) needs the attempts spent and no live lease; (expired) an unstarted job past dispatchBy', () => {
    expect(transition.failUnclaimed(claimed, 'exhausted', 'x', ctx).condition).toContain('#attempts >= #maxAttempts');
    expect(transition.failUnclaimed(claimed, 'exhausted', 'x', ctx).condition).toContain('#leaseExpiresAt < :expiredBefore');
    expect(transition.failUnclaimed(claimed, 'expired', undefined, ctx).condition).toBe('#state = :posted AND #attempts = :zero AND #dispatchBy <= :now');
  });
  it('deadLettered clears the reason of this failure only (its endedAt)', () => {
    const spec = transition.deadLettered({ ...claimed, state: 'failed', endedAt: now });
    expect(spec.condition).toContain('#endedAt = :endedAt');
    expect(spec.remove).toEqual(['deadLetterReason']);
  });
  it('post is refused for a taken id with the job as it stands', () => {
    const spec = transition.post(claimed);
    expect(spec.condition).toBe('attribute_not_exists(#pk)');
    expect(spec.refused(item({}))).toBeInstanceOf(ConflictError);
  });
});

describe('renderUpdate', () => {
  it('guards every update with attribute_exists(pk), bumps the version, and sends only the values it uses', () => {
    const rendered = renderUpdate(transition.heartbeat(claimed, 10_000, ctx));
    expect(rendered.ConditionExpression).toBe('attribute_exists(#pk) AND (#state = :claimed AND #owner = :owner)');
    expect(rendered.UpdateExpression).toBe('SET #version = #version + :one, #leaseExpiresAt = :set_leaseExpiresAt, #updatedAt = :set_updatedAt');
    expect(rendered.ExpressionAttributeNames['#pk']).toBe('pk');
    expect(Object.keys(rendered.ExpressionAttributeValues).sort()).toEqual([':claimed', ':one', ':owner', ':set_leaseExpiresAt', ':set_updatedAt']);
  });
  it('renders arithmetic and removals', () => {
    const rendered = renderUpdate(transition.handBack(claimed, ctx));
    expect(rendered.UpdateExpression).toContain('#attempts = #attempts + :add_attempts');
    expect(rendered.UpdateExpression).toContain('REMOVE #owner, #leaseExpiresAt');
    expect(rendered.ExpressionAttributeValues[':add_attempts']).toBe(-1);
  });
});
