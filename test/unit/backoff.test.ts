import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffMs } from '../../lib/run/backoff.js';
import { BACKOFF_DEFAULTS } from '../../lib/config.js';

describe('backoffMs', () => {
  it('stays within [0.5, 1] × min(cap, base · 2^(n−1)) for any attempt, options and draw', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 3_600_000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, baseMs, extra, draw) => {
        const options = { baseMs, capMs: baseMs + extra };
        const ceiling = Math.min(options.capMs, baseMs * 2 ** (attempt - 1));
        const delay = backoffMs(attempt, options, () => draw);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(ceiling * 0.5));
        expect(delay).toBeLessThanOrEqual(Math.ceil(ceiling));
      }),
    );
  });

  it('grows with the attempt until the cap, whatever the draw', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, draw) => {
        const now = backoffMs(attempt, BACKOFF_DEFAULTS, () => draw);
        const next = backoffMs(attempt + 1, BACKOFF_DEFAULTS, () => draw);
        expect(next).toBeGreaterThanOrEqual(now);
      }),
    );
  });

  it('uses the documented defaults: 1 s base, 15 min cap', () => {
    expect(backoffMs(1, BACKOFF_DEFAULTS, () => 0.999_999)).toBe(1_000);
    expect(backoffMs(1, BACKOFF_DEFAULTS, () => 0)).toBe(500);
    expect(backoffMs(30, BACKOFF_DEFAULTS, () => 0.999_999)).toBe(15 * 60 * 1_000);
  });
});
