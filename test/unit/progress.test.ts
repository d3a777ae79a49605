/** Progress: values checked at once; writes coalesced to one per period, the last value winning and written when the attempt ends. */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../lib/errors.js';
import { checkProgress, ProgressReporter } from '../../lib/run/progress-reporter.js';

describe('checkProgress', () => {
  it('takes a percentage or a JSON object of at most 1 KiB', () => {
    for (const ok of [0, 42.5, 100, { step: 'upload', done: 3, of: 10 }]) expect(() => checkProgress(ok)).not.toThrow();
  });

  it.each([[-1], [101], [Number.NaN], ['half'], [[1, 2]], [null], [{ blob: 'x'.repeat(1_100) }]])('refuses %j with a ValidationError', (bad) => {
    expect(() => checkProgress(bad)).toThrow(ValidationError);
  });
});

describe('ProgressReporter', () => {
  it('writes at most once per period however often the job reports, and writes the last value at the end', async () => {
    const written: unknown[] = [];
    const reporter = new ProgressReporter(async (value) => void written.push(value), Date.now, () => undefined, 200);
    const started = Date.now();
    for (let i = 1; i <= 100; i++) {
      reporter.report(i);
      await sleep(5);
    }
    const elapsed = Date.now() - started;
    await reporter.close();
    // One write at once, then one per 200 ms, plus the final one.
    expect(written.length).toBeLessThanOrEqual(Math.ceil(elapsed / 200) + 2);
    expect(written.length).toBeGreaterThanOrEqual(2);
    expect(written.at(-1)).toBe(100);
    for (let i = 1; i < written.length; i++) expect(written[i] as number).toBeGreaterThan(written[i - 1] as number);
  });

  it('writes nothing after it is closed, and nothing at the end when everything was written', async () => {
    const written: unknown[] = [];
    const reporter = new ProgressReporter(async (value) => void written.push(value), Date.now, () => undefined, 10_000);
    reporter.report(10);
    await reporter.close();
    reporter.report(20);
    await sleep(20);
    expect(written).toEqual([10]);
  });

  it('hands a failed write to onError and keeps going', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const reporter = new ProgressReporter(
      async () => {
        calls++;
        throw new Error('throttled');
      },
      Date.now,
      (error) => errors.push(error),
      10,
    );
    reporter.report(1);
    await sleep(30);
    reporter.report(2);
    await reporter.close();
    expect(calls).toBe(2);
    expect(errors).toHaveLength(2);
  });
});

describe('ProgressReporter, repeated values', () => {
  it('writes a value equal to the last one written only once', async () => {
    const written: unknown[] = [];
    const reporter = new ProgressReporter(async (value) => void written.push(value), Date.now, () => undefined, 10);
    reporter.report({ step: 'a' });
    await sleep(30);
    reporter.report({ step: 'a' });
    await sleep(30);
    reporter.report({ step: 'a' });
    await reporter.close();
    expect(written).toEqual([{ step: 'a' }]);
  });
});
