/**
 * A seeded random source for the soak, so that a failing run can be replayed with `--seed`.
 * Every random choice of the soak (job mix, duplicates, kill moments) draws from one of these.
 */

/** A deterministic source of numbers in [0, 1): mulberry32, small and good enough for test choices. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    // Any integer seed works; `>>> 0` keeps it a 32-bit unsigned state.
    this.state = seed >>> 0;
  }

  /** A number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** A whole number from `min` to `max`, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A number in [min, max). */
  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  /**
   * An independent stream for one concern (plan, kills, duplicates), so that changing how often
   * one concern draws does not shift the choices of the others.
   */
  fork(label: string): SeededRandom {
    let hash = this.state ^ 0x9e3779b9;
    for (const char of label) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
    return new SeededRandom(hash);
  }
}
