/**
 * Board settings and names in the table (`board-items.ts` has the layout). Registering a board
 * costs one write the first time a process sees it, then nothing: the names a process has
 * registered are remembered, and registering is idempotent (a string-set ADD).
 */
import { DEFAULT_BOARD, type BoardDirectory, type BoardPatch, type BoardSettings } from '../boards/board.js';
import { BOARD_REGISTRY_KEY, boardKey, settingsFromItem } from './board-items.js';
import type { ItemTable } from './item-table.js';
import { registryNames, registryUpdate } from './registries.js';

export class TableBoardDirectory implements BoardDirectory {
  private readonly registered = new Set<string>();

  constructor(
    private readonly table: ItemTable,
    private readonly now: () => number = Date.now,
  ) {}

  async register(name: string): Promise<void> {
    if (this.registered.has(name)) return;
    await this.table.write(registryUpdate(BOARD_REGISTRY_KEY, 'add', name, 'registerBoard'));
    this.registered.add(name);
  }

  async names(): Promise<string[]> {
    const names = registryNames(await this.table.read(BOARD_REGISTRY_KEY, { consistent: true }));
    return [...new Set([DEFAULT_BOARD, ...names])].sort();
  }

  async settings(name: string): Promise<BoardSettings> {
    return settingsFromItem(name, await this.table.read(boardKey(name), { consistent: true }));
  }

  async update(name: string, patch: BoardPatch): Promise<BoardSettings> {
    await this.register(name);
    const written = await this.table.write({
      kind: 'update',
      operation: 'updateBoard',
      key: boardKey(name),
      set: {
        name,
        updatedAt: this.now(),
        ...(patch.paused === undefined ? {} : { paused: patch.paused }),
        ...(patch.maxRunning === undefined || patch.maxRunning === null ? {} : { maxRunning: patch.maxRunning }),
      },
      remove: patch.maxRunning === null ? ['maxRunning'] : [],
      // Anyone may change a board's settings at any time; the first change creates its item.
      mayCreate: true,
      condition: '',
      refused: () => new Error(`updateBoard ${name}: an unconditional update was refused`),
    });
    return settingsFromItem(name, written);
  }
}
