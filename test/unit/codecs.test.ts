/** The small codecs: postings, list cursors, claim refusals, configuration checks. */
import { describe, expect, it } from 'vitest';
import { resolveConductorOptions, resolveStoreOptions } from '../../lib/config.js';
import { ConfigurationError, ValidationError } from '../../lib/errors.js';
import type { Job } from '../../lib/model.js';
import { decodePosting, encodePosting } from '../../lib/queue/posting.js';
import { claimRefusal } from '../../lib/store/claim-refusal.js';
import { decodeCursor, encodeCursor } from '../../lib/store/cursor.js';

describe('postings', () => {
  it('round-trip the id only', () => {
    expect(encodePosting({ id: 'a.b:c' })).toBe('{"id":"a.b:c"}');
    expect(decodePosting(encodePosting({ id: 'a.b:c' }))).toEqual({ posting: { id: 'a.b:c' } });
  });
  it.each([['not json', 'body is not JSON'], ['[1]', 'body is not a JSON object'], ['{"id":7}', 'body has no valid "id"'], ['{"id":"a b"}', 'body has no valid "id"']])('reject %s', (body, why) => {
    expect(decodePosting(body)).toEqual({ malformed: why });
  });
});

describe('cursor', () => {
  it('round-trips and is bound to its filters', () => {
    const cursor = encodeCursor({ stream: 1, after: '000000000000001#x' }, 'posted|');
    expect(decodeCursor(cursor, 'posted|')).toEqual({ stream: 1, after: '000000000000001#x' });
    expect(() => decodeCursor(cursor, 'failed|')).toThrow(ValidationError);
    expect(() => decodeCursor('%%%', 'posted|')).toThrow(ValidationError);
  });
});

describe('claimRefusal', () => {
  const base: Job = { id: 'j', type: 't', typeVersion: 1, payload: {}, state: 'posted', attempts: 0, maxAttempts: 2, errors: [], createdAt: 0, updatedAt: 0, timeoutSeconds: 60, version: 1, requestHash: 'h' };
  it.each<[string, Job | undefined, string]>([
    ['missing', undefined, 'missing'],
    ['final', { ...base, state: 'completed' }, 'final'],
    ['live lease', { ...base, state: 'claimed', leaseExpiresAt: 5_000, attempts: 2 }, 'leased'],
    ['exhausted', { ...base, state: 'claimed', leaseExpiresAt: 1, attempts: 2 }, 'exhausted'],
    ['not due', { ...base, waitUntil: 9_000 }, 'notDue'],
    ['expired', { ...base, dispatchBy: 100 }, 'expired'],
  ])('%s', (_, job, reason) => {
    expect(claimRefusal('j', job, 4_000, 1_000).reason).toBe(reason);
  });
  it('says when a lease will have run out, skew included', () => {
    expect(claimRefusal('j', { ...base, state: 'claimed', leaseExpiresAt: 5_000 }, 4_000, 1_000).retryAfterMs).toBe(2_001);
  });
});

describe('configuration', () => {
  it('names the bad option', () => {
    expect(() => resolveStoreOptions({ tableName: '' })).toThrow(/tableName/);
    expect(() => resolveConductorOptions({ recordConcurrency: 0 })).toThrow(ConfigurationError);
    expect(() => resolveConductorOptions({ recordConcurrency: 0 })).toThrow(/recordConcurrency/);
  });
  it('fills defaults that work', () => {
    expect(resolveStoreOptions({ tableName: 't' })).toMatchObject({ retentionDays: 7, clockSkewMs: 1_000 });
  });
});
