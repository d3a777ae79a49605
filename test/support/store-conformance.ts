/**
 * The store conformance suite: every transition of the state diagram, allowed from its states
 * and refused from every other with the right typed error and no change to the item; why claims
 * are refused; takeover of an expired lease; the sweeper's re-post mark. Any `JobStore`
 * implementation must pass it; `test/integration/store-conformance.test.ts` runs it on DynamoDB Local,
 * `test/unit/memory-store-conformance.test.ts` on the table in memory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClaimLostError, ClaimRefusedError, ConflictError, InvalidStateError, NotFoundError, ValidationError } from '../../lib/errors.js';
import type { Job } from '../../lib/model.js';
import { buildJob } from './jobs.js';
import { SITUATIONS, jobIn, postIn, type Situation, type StoreUnderTest } from './store.js';

export function storeConformance(makeFixture: () => Promise<StoreUnderTest>): void {
let f: StoreUnderTest;
beforeAll(async () => {
  f = await makeFixture();
});
afterAll(() => f.close());

type Attempt = (job: Job) => Promise<Job>;

interface TransitionCase {
  name: string;
  run: Attempt;
  allowedFrom: readonly Situation[];
  expectedState: Job['state'];
  /** The error class for a refusal from any other situation. */
  refusedWith: (situation: Situation) => new (...args: never[]) => Error;
}

const ownerOps = (run: Attempt, expectedState: Job['state'], name: string): TransitionCase => ({
  name,
  run,
  allowedFrom: ['claimed', 'claimedExpired'],
  expectedState,
  refusedWith: () => ClaimLostError,
});

const cases: TransitionCase[] = [
  {
    name: 'claim',
    run: (job) => f.store.claim(job.id, { owner: 'new-owner', leaseMs: f.leaseMs }),
    allowedFrom: ['posted', 'claimedExpired'],
    expectedState: 'claimed',
    refusedWith: () => ClaimRefusedError,
  },
  ownerOps((job) => f.store.heartbeat(job, f.leaseMs), 'claimed', 'heartbeat'),
  ownerOps(async (job) => (await f.store.consume(job, { done: 1 })).job, 'completed', 'consume'),
  ownerOps(async (job) => (await f.store.abandon(job, { name: 'Error', message: 'again' }, f.clock.now() + 1_000)).job, 'posted', 'abandon'),
  ownerOps(async (job) => (await f.store.fail(job, { name: 'Error', message: 'no' }, 'last attempt failed')).job, 'failed', 'fail'),
  { name: 'trash', run: async (job) => (await f.store.trash(job.id)).job, allowedFrom: ['posted', 'claimedExpired'], expectedState: 'trashed', refusedWith: () => InvalidStateError },
  { name: 'retry', run: async (job) => (await f.store.retry(job.id)).job, allowedFrom: ['failed', 'trashed'], expectedState: 'posted', refusedWith: () => InvalidStateError },
];

/** The job as an owner knows it: for unclaimed situations, a forged owner token that never held it. */
function asOwner(job: Job): Job {
  return job.owner === undefined ? { ...job, owner: 'someone-who-never-claimed' } : job;
}

describe.each(cases)('$name', (transition) => {
  it.each(SITUATIONS.filter((s) => transition.allowedFrom.includes(s)))('succeeds from %s', async (situation) => {
    const job = await jobIn(f, situation);
    const after = await transition.run(asOwner(job));
    expect(after.state).toBe(transition.expectedState);
    expect(after.version).toBe(job.version + 1);
    expect(await f.store.get(job.id)).toEqual(after);
  });

  it.each(SITUATIONS.filter((s) => !transition.allowedFrom.includes(s)))('is refused from %s and changes nothing', async (situation) => {
    const job = await jobIn(f, situation);
    const before = await f.store.get(job.id);
    await expect(transition.run(asOwner(job))).rejects.toBeInstanceOf(transition.refusedWith(situation));
    expect(await f.store.get(job.id)).toEqual(before);
  });

  it('is refused for a missing job', async () => {
    const ghost = { ...(await jobIn(f, 'posted')), id: 'no-such-job', owner: 'x' };
    const error = await transition.run(ghost).catch((e: unknown) => e);
    if (transition.name === 'claim') expect((error as ClaimRefusedError).reason).toBe('missing');
    else expect(error).toBeInstanceOf(NotFoundError);
    await expect(f.store.get('no-such-job')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('claim refusals say why', () => {
  it('names a live lease, with the time until it runs out', async () => {
    const job = await jobIn(f, 'claimed');
    const error = (await f.store.claim(job.id, { owner: 'other', leaseMs: 1_000 }).catch((e: unknown) => e)) as ClaimRefusedError;
    expect(error.reason).toBe('leased');
    expect(error.retryAfterMs).toBeGreaterThan(f.leaseMs - 10);
    expect(error.owner).toBe(job.owner);
  });

  it('names a final job', async () => {
    const job = await jobIn(f, 'completed');
    await expect(f.store.claim(job.id, { owner: 'o', leaseMs: 1 })).rejects.toMatchObject({ reason: 'final', state: 'completed' });
  });

  it('names a job that is not due yet, and claims it once due', async () => {
    const { job } = await postIn(f, { type: 'demo.echo', delaySeconds: 30 });
    await expect(f.store.claim(job.id, { owner: 'o', leaseMs: 1 })).rejects.toMatchObject({ reason: 'notDue', retryAfterMs: 30_000 });
    f.clock.advance(30_000);
    await expect(f.store.claim(job.id, { owner: 'o', leaseMs: 1 })).resolves.toMatchObject({ state: 'claimed', attempts: 1 });
  });

  it('names a job whose dispatchBy passed before it started, which failUnclaimed then fails', async () => {
    const { job } = await postIn(f, { type: 'demo.echo', dispatchBy: new Date(f.clock.now() + 1_000).toISOString() });
    f.clock.advance(1_000);
    const error = (await f.store.claim(job.id, { owner: 'o', leaseMs: 1 }).catch((e: unknown) => e)) as ClaimRefusedError;
    expect(error.reason).toBe('expired');
    const { job: failed } = await f.store.failUnclaimed(await f.store.get(job.id), 'expired');
    expect(failed).toMatchObject({ state: 'failed', attempts: 0 });
    expect(failed.errors[0]?.name).toBe('DispatchExpiredError');
  });
});

describe('findOwner', () => {
  it('is the claim token under a live lease and null otherwise', async () => {
    const claimed = await jobIn(f, 'claimed');
    expect(await f.store.findOwner(claimed.id)).toBe(claimed.owner);
    expect(await f.store.findOwner((await jobIn(f, 'posted')).id)).toBeNull();
    expect(await f.store.findOwner((await jobIn(f, 'claimedExpired')).id)).toBeNull();
  });
});

describe('handBack', () => {
  it('hands the job back without spending the attempt', async () => {
    const claimed = await jobIn(f, 'claimed');
    const { job: handedBack } = await f.store.handBack(claimed);
    expect(handedBack).toMatchObject({ state: 'posted', attempts: 0 });
    expect(handedBack.owner).toBeUndefined();
    await expect(f.store.handBack(claimed)).rejects.toBeInstanceOf(ClaimLostError);
  });
});

describe('takeover of an expired lease', () => {
  it('claims the job and records the lost attempt in the same write', async () => {
    const expired = await jobIn(f, 'claimedExpired');
    const taken = await f.store.claim(expired.id, { owner: 'successor', leaseMs: f.leaseMs });
    expect(taken).toMatchObject({ state: 'claimed', owner: 'successor', attempts: 2, version: expired.version + 1 });
    expect(taken.errors.at(-1)).toMatchObject({ attempt: 1, name: 'LeaseExpiredError', at: expired.leaseExpiresAt });
    expect(taken.errors.at(-1)?.message).toContain(expired.owner as string);
    expect(taken.history?.at(-1)).toEqual({ attempt: 1, owner: expired.owner, startedAt: expired.startedAt, endedAt: expired.leaseExpiresAt, outcome: 'lost' });
    await expect(f.store.consume(expired, {})).rejects.toBeInstanceOf(ClaimLostError);
  });

  it('is refused while the lease is live, and after the attempts are spent', async () => {
    const live = await jobIn(f, 'claimed');
    await expect(f.store.claim(live.id, { owner: 'successor', leaseMs: 1 })).rejects.toMatchObject({ reason: 'leased' });
    const last = await jobIn(f, 'claimedExpired', { maxAttempts: 1 });
    await expect(f.store.claim(last.id, { owner: 'successor', leaseMs: 1 })).rejects.toMatchObject({ reason: 'exhausted' });
    expect(await f.store.get(last.id)).toMatchObject({ owner: last.owner, attempts: 1, errors: [] });
  });
});

describe('markPosted', () => {
  it('marks a job as re-posted when nothing changed since it was read', async () => {
    const seen = await jobIn(f, 'posted');
    expect(await f.store.markPosted(seen, f.clock.now())).toBe(true);
    expect(await f.store.get(seen.id)).toMatchObject({ postedAt: f.clock.now(), version: seen.version + 1 });
  });

  it('stands down when a claim landed between the read and the mark (no duplicate posting)', async () => {
    const seen = await jobIn(f, 'posted');
    await f.store.claim(seen.id, { owner: 'racer', leaseMs: f.leaseMs });
    const before = await f.store.get(seen.id);
    expect(await f.store.markPosted(seen, f.clock.now() + 5)).toBe(false);
    expect(await f.store.get(seen.id)).toEqual(before);
  });
});

describe('post', () => {
  it('returns the existing job for a repeated post, and refuses the same id with another request', async () => {
    const job = buildJob({ type: 'demo.echo', id: `same-${Date.now()}`, payload: { n: 1 } }, undefined, f.clock.now());
    expect(await f.store.post(job)).toMatchObject({ created: true });
    expect(await f.store.post({ ...job, createdAt: job.createdAt + 1 })).toEqual({ job, created: false, followUps: [] });
    const other = buildJob({ type: 'demo.echo', id: job.id, payload: { n: 2 } }, undefined, f.clock.now());
    await expect(f.store.post(other)).rejects.toBeInstanceOf(ConflictError);
    expect(await f.store.get(job.id)).toEqual(job);
  });
});

describe('failUnclaimed (exhausted) and deadLettered', () => {
  it('fails a job whose last lease ran out, owing a dead-letter copy until it is recorded', async () => {
    const last = await jobIn(f, 'claimedExpired', { maxAttempts: 1 });
    const { job: failed } = await f.store.failUnclaimed(last, 'exhausted', 'attempts exhausted');
    expect(failed).toMatchObject({ state: 'failed', deadLetterReason: 'attempts exhausted' });
    await f.store.deadLettered(failed);
    expect((await f.store.get(last.id)).deadLetterReason).toBeUndefined();
    await expect(f.store.deadLettered(failed)).resolves.toBeUndefined();
  });
});

describe('bad calls are refused with the right typed error and change nothing', () => {
  it.each(['heartbeat', 'consume', 'abandon', 'handBack', 'fail'] as const)('%s of a job object without an owner token is ClaimLostError, not a StorageError', async (operation) => {
    const claimed = await jobIn(f, 'claimed');
    const before = await f.store.get(claimed.id);
    const tokenless = { ...claimed, owner: undefined };
    const run = {
      heartbeat: () => f.store.heartbeat(tokenless, f.leaseMs),
      consume: () => f.store.consume(tokenless, {}),
      abandon: () => f.store.abandon(tokenless, { name: 'E', message: 'm' }, f.clock.now()),
      handBack: () => f.store.handBack(tokenless),
      fail: () => f.store.fail(tokenless, { name: 'E', message: 'm' }, 'r'),
    }[operation];
    await expect(run()).rejects.toBeInstanceOf(ClaimLostError);
    expect(await f.store.get(claimed.id)).toEqual(before);
  });

  it.each([
    ['an empty owner', { owner: '', leaseMs: 1_000 }, 'owner'],
    ['a non-string owner', { owner: 42 as unknown as string, leaseMs: 1_000 }, 'owner'],
    ['a lease of 0', { owner: 'o', leaseMs: 0 }, 'leaseMs'],
    ['a negative lease', { owner: 'o', leaseMs: -5 }, 'leaseMs'],
    ['a NaN lease', { owner: 'o', leaseMs: Number.NaN }, 'leaseMs'],
  ])('a claim with %s is a ValidationError naming the field, and spends no attempt', async (_, request, field) => {
    const posted = await jobIn(f, 'posted');
    const before = await f.store.get(posted.id);
    const error = await f.store.claim(posted.id, request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).details.map((d) => d.path)).toContain(field);
    expect(await f.store.get(posted.id)).toEqual(before);
  });
});

describe('findOwner and claim agree on when a lease ends', () => {
  it('names the owner exactly as long as a claim is refused, clock skew included', async () => {
    const claimed = await jobIn(f, 'claimed');
    const end = (claimed.leaseExpiresAt as number) + f.store.options.clockSkewMs;
    f.clock.advance(end - f.clock.now());
    expect(await f.store.findOwner(claimed.id)).toBe(claimed.owner);
    await expect(f.store.claim(claimed.id, { owner: 'successor', leaseMs: f.leaseMs })).rejects.toMatchObject({ reason: 'leased' });
    f.clock.advance(1);
    expect(await f.store.findOwner(claimed.id)).toBeNull();
    await expect(f.store.claim(claimed.id, { owner: 'successor', leaseMs: f.leaseMs })).resolves.toMatchObject({ owner: 'successor' });
  });
});
}
