/** The body of POST /jobs as the contract parses it: every invalid body is a ValidationError naming what is wrong, so it never becomes a job. */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../lib/errors.js';
import { parsePostRequest } from '../../lib/http/post-request.js';
import { newJob } from '../../lib/new-job.js';

const invalid: [string, unknown, string][] = [
  ['an unknown field', { id: 'bad-1', type: 'demo.echo', colour: 'red' }, '(body)'],
  ['a payload that is not an object', { id: 'bad-2', type: 'demo.echo', payload: [1, 2] }, 'payload'],
  ['a string payload', { id: 'bad-3', type: 'demo.echo', payload: 'hello' }, 'payload'],
  ['a payload over 256 KiB', { id: 'bad-4', type: 'demo.echo', payload: { blob: 'x'.repeat(256 * 1024) } }, 'payload'],
  ['a bad id', { id: 'has spaces/and slashes', type: 'demo.echo' }, 'id'],
  ['an id over 128 characters', { id: 'x'.repeat(129), type: 'demo.echo' }, 'id'],
  ['no type', { id: 'bad-5' }, 'type'],
  ['maxAttempts out of range', { id: 'bad-6', type: 'demo.echo', maxAttempts: 0 }, 'maxAttempts'],
  ['timeoutSeconds out of range', { id: 'bad-7', type: 'demo.echo', timeoutSeconds: 901 }, 'timeoutSeconds'],
  ['both delaySeconds and runAt', { id: 'bad-8', type: 'demo.echo', delaySeconds: 5, runAt: '2030-01-01T00:00:00Z' }, 'runAt'],
  ['a runAt that is not a time', { id: 'bad-9', type: 'demo.echo', runAt: 'tomorrow' }, 'runAt'],
  ['a body that is not an object', 'just text', '(body)'],
];

describe('parsePostRequest', () => {
  it.each(invalid)('refuses %s, naming the field', (_, body, path) => {
    let error: unknown;
    try {
      parsePostRequest(body);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).details.map((d) => d.path)).toContain(path);
  });

  it('accepts a payload just under 256 KiB, and fills the default payload', () => {
    expect(parsePostRequest({ type: 'demo.echo', payload: { blob: 'x'.repeat(256 * 1024 - 20) } }).payload.blob).toHaveLength(256 * 1024 - 20);
    expect(parsePostRequest({ type: 'demo.echo' }).payload).toEqual({});
  });
});

describe('newJob', () => {
  it('builds a posted job from a request, with the type defaults, and the same hash for the same request in any key order', () => {
    const at = Date.UTC(2026, 0, 1);
    const a = newJob(parsePostRequest({ type: 'demo.echo', payload: { x: 1, y: 2 } }), { typeVersion: 2, maxAttempts: 9 }, at, () => 'id-1');
    const b = newJob(parsePostRequest({ payload: { y: 2, x: 1 }, type: 'demo.echo' }), { typeVersion: 2, maxAttempts: 9 }, at, () => 'id-2');
    expect(a).toMatchObject({ id: 'id-1', state: 'posted', typeVersion: 2, maxAttempts: 9, timeoutSeconds: 60, attempts: 0, createdAt: at, postedAt: at, version: 1 });
    expect(a.requestHash).toBe(b.requestHash);
  });

  it('a delay past 15 minutes leaves postedAt unset: maintenance posts it when due', () => {
    const at = Date.UTC(2026, 0, 1);
    expect(newJob(parsePostRequest({ type: 'demo.echo', delaySeconds: 60 }), { typeVersion: 1 }, at, () => 'd').postedAt).toBe(at + 60_000);
    expect(newJob(parsePostRequest({ type: 'demo.echo', delaySeconds: 20 * 60 }), { typeVersion: 1 }, at, () => 'd').postedAt).toBeUndefined();
  });
});
