import type { BackoffOptions } from '../config.js';

/**
 * Delay before attempt `attempt + 1`, after attempt `attempt` (≥ 1) failed:
 * `min(cap, base · 2^(attempt−1))` scaled by a factor in [0.5, 1] from `random` (in [0, 1)).
 * The floor of 0.5 keeps attempts spaced even with the unluckiest draw; the jitter spreads
 * retries of jobs that failed together.
 */
export function backoffMs(attempt: number, options: BackoffOptions, random: () => number): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 52));
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** exponent);
  return Math.round(ceiling * (0.5 + 0.5 * random()));
}
