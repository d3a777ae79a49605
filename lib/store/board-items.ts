/**
 * The board items: `board#<name>` holds a board's settings (and, as a semaphore, the holders of
 * its `maxRunning` slots: see `semaphores.ts`); `board#*` lists every board's name (board names
 * never contain `*`).
 */
import type { BoardSettings } from '../boards/board.js';
import { defaultSettings } from '../boards/board.js';
import { itemKey } from '../table.js';

/** A board's settings from its item (defaults when it has none). */
export function settingsFromItem(name: string, item: Record<string, unknown> | undefined): BoardSettings {
  if (item === undefined) return defaultSettings(name);
  return { name, paused: item.paused === true, maxRunning: typeof item.maxRunning === 'number' ? item.maxRunning : null };
}

/** The item listing every board's name. */
export const BOARD_REGISTRY_KEY = itemKey('board', '*');

export function boardKey(name: string): string {
  return itemKey('board', name);
}
