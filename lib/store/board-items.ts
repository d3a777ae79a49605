/**
 * The board items: `board#<name>` holds a board's settings (and, as a semaphore, the holders of
 * its `maxRunning` slots: see `semaphores.ts`); `board#*` lists every board's name (board names
 * never contain `*`).
 */
import { itemKey } from './keys.js';

export { boardSettingsFromItem as settingsFromItem } from './semaphores.js';

/** The item listing every board's name. */
export const BOARD_REGISTRY_KEY = itemKey('board', '*');

export function boardKey(name: string): string {
  return itemKey('board', name);
}
