/**
 * Board settings as conductors read them: from a cache that is at most `maxAgeMs` old, so a
 * busy conductor reads a board's settings once per period rather than once per job. The price is
 * staleness: a pause takes effect within `maxAgeMs` for boards without `maxRunning` (boards with
 * one have their pause and limit checked exactly, inside the claim's transaction).
 */
import type { BoardDirectory, BoardSettings } from './board.js';

/** How stale a conductor's view of a board's settings may be. */
export const BOARD_SETTINGS_MAX_AGE_MS = 2_000;

export class BoardSettingsCache {
  private readonly entries = new Map<string, { settings: Promise<BoardSettings>; readAt: number }>();

  constructor(
    private readonly directory: Pick<BoardDirectory, 'settings'>,
    private readonly now: () => number,
    private readonly maxAgeMs = BOARD_SETTINGS_MAX_AGE_MS,
  ) {}

  /** The board's settings, read at most `maxAgeMs` ago. Concurrent callers share one read. */
  get(name: string): Promise<BoardSettings> {
    const now = this.now();
    const cached = this.entries.get(name);
    if (cached !== undefined && now - cached.readAt < this.maxAgeMs) return cached.settings;
    const settings = this.directory.settings(name);
    this.entries.set(name, { settings, readAt: now });
    // A failed read is not cached: the next caller tries again.
    settings.catch(() => this.entries.delete(name));
    return settings;
  }
}
