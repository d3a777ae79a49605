import { describe, expect, it } from 'vitest';
import { SWEEPER_DEFAULTS } from '../../lib/config.js';
import type { Job } from '../../lib/model.js';
import { decideSweep } from '../../lib/maintenance/index.js';

const MINUTE = 60_000;
const now = 1_000 * MINUTE;
const job = (fields: Partial<Job>): Job => ({
  id: 'j', type: 't', typeVersion: 1, payload: {}, state: 'posted', attempts: 0, maxAttempts: 3, errors: [],
  createdAt: now - 10 * MINUTE, updatedAt: 0, postedAt: now - 10 * MINUTE, timeoutSeconds: 60, version: 1, requestHash: 'h', ...fields,
});
const idle = { now, queueIdle: true, repostAll: false };
const busy = { now, queueIdle: false, repostAll: false };

describe('decideSweep', () => {
  it('re-posts a posted job quiet past the horizon when the queue is idle', () => {
    expect(decideSweep(job({}), idle, SWEEPER_DEFAULTS)).toEqual({ kind: 'post', postedAt: now, delaySeconds: 0 });
  });

  it('leaves a fresh posting alone', () => {
    expect(decideSweep(job({ postedAt: now - MINUTE }), idle, SWEEPER_DEFAULTS)).toEqual({ kind: 'none' });
  });

  it('behind a backlog, waits for the backlog horizon', () => {
    expect(decideSweep(job({ postedAt: now - 59 * MINUTE }), busy, SWEEPER_DEFAULTS)).toEqual({ kind: 'none' });
    expect(decideSweep(job({ postedAt: now - 61 * MINUTE }), busy, SWEEPER_DEFAULTS)).toMatchObject({ kind: 'post' });
  });

  it('counts a claimed job quiet from its lease end, not its posting', () => {
    expect(decideSweep(job({ state: 'claimed', attempts: 1, leaseExpiresAt: now - MINUTE }), idle, SWEEPER_DEFAULTS)).toEqual({ kind: 'none' });
    expect(decideSweep(job({ state: 'claimed', attempts: 1, leaseExpiresAt: now - 3 * MINUTE }), idle, SWEEPER_DEFAULTS)).toMatchObject({ kind: 'post' });
  });

  it('counts an abandoned job quiet from when its backoff ends', () => {
    // abandon sets postedAt = waitUntil = the end of the backoff
    expect(decideSweep(job({ attempts: 1, postedAt: now + MINUTE, waitUntil: now + MINUTE }), idle, SWEEPER_DEFAULTS)).toEqual({ kind: 'none' });
    expect(decideSweep(job({ attempts: 1, postedAt: now - MINUTE, waitUntil: now - MINUTE }), idle, SWEEPER_DEFAULTS)).toEqual({ kind: 'none' });
    expect(decideSweep(job({ attempts: 1, postedAt: now - 3 * MINUTE, waitUntil: now - 3 * MINUTE }), idle, SWEEPER_DEFAULTS)).toMatchObject({ kind: 'post' });
  });

  it('posts an unsent long delay within the lookahead, with the rest as SQS delay', () => {
    expect(decideSweep(job({ postedAt: undefined, waitUntil: now + 10 * MINUTE }), idle, SWEEPER_DEFAULTS)).toEqual({ kind: 'none' });
    expect(decideSweep(job({ postedAt: undefined, waitUntil: now + 90_000 }), busy, SWEEPER_DEFAULTS)).toEqual({ kind: 'post', postedAt: now + 90_000, delaySeconds: 90 });
  });

  it('expires a job never started by its dispatchBy, but not one that has started', () => {
    expect(decideSweep(job({ dispatchBy: now - 1 }), busy, SWEEPER_DEFAULTS)).toEqual({ kind: 'expire' });
    expect(decideSweep(job({ dispatchBy: now - 1, attempts: 1, postedAt: now }), busy, SWEEPER_DEFAULTS)).toEqual({ kind: 'none' });
  });

  it('at start-up repair, posts every open job that has a posting due', () => {
    expect(decideSweep(job({ postedAt: now }), { ...busy, repostAll: true }, SWEEPER_DEFAULTS)).toMatchObject({ kind: 'post' });
    expect(decideSweep(job({ postedAt: undefined, waitUntil: now + 60 * MINUTE }), { ...busy, repostAll: true }, SWEEPER_DEFAULTS)).toEqual({ kind: 'none' });
  });

  it('never touches a finished job', () => {
    expect(decideSweep(job({ state: 'completed', postedAt: 0 }), idle, SWEEPER_DEFAULTS)).toEqual({ kind: 'none' });
  });
});
