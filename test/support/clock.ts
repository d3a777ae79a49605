/** A clock tests move by hand, so leases expire without sleeping. */
export class ManualClock {
  constructor(private current = Date.UTC(2026, 0, 1)) {}
  now = (): number => this.current;
  advance(ms: number): void {
    this.current += ms;
  }
}
