/**
 * The board items: `board#<name>` holds a board's settings and the slots of its running jobs;
 * `board#*` lists every board's name (board names never contain `*`). Pure specs and codec.
 *
 * Slots (`maxRunning`): `running` maps the owner token of each claim holding a slot to its job
 * id. Who may write when:
 * - acquireSlot: a claimant, in the same transaction as its claim, while the board is not paused
 *   and holds fewer entries than `maxRunning`. Entry and claim exist together or not at all.
 * - releaseSlot: the owner, after its ending write (a separate write: a crash in between leaves
 *   an entry that no longer matches a live claim, which `clearStaleSlot` removes).
 * - clearStaleSlot: a claimant refused for a full board, for an entry whose job it has read and
 *   found not claimed by that token under a live lease; conditioned on the entry still naming
 *   that job, so it never removes an entry written since.
 */
import type { BoardSettings } from '../boards/board.js';
import { defaultSettings } from '../boards/board.js';
import { ClaimRefusedError } from '../errors.js';
import { itemKey } from './keys.js';
import type { UpdateSpec } from './write-spec.js';

/** The item listing every board's name. */
export const BOARD_REGISTRY_KEY = itemKey('board', '*');

export function boardKey(name: string): string {
  return itemKey('board', name);
}

/** The slots a board item holds: owner token → job id. */
export type SlotMap = Record<string, string>;

export function settingsFromItem(name: string, item: Record<string, unknown> | undefined): BoardSettings {
  if (item === undefined) return defaultSettings(name);
  return { name, paused: item.paused === true, maxRunning: typeof item.maxRunning === 'number' ? item.maxRunning : null };
}

export function slotsFromItem(item: Record<string, unknown> | undefined): SlotMap {
  const running = item?.running;
  return running !== null && typeof running === 'object' ? (running as SlotMap) : {};
}

/** Thrown by a refused slot: the board is paused or full. `slots` are the entries it held. */
export class BoardBusyError extends ClaimRefusedError {
  constructor(
    readonly board: string,
    readonly settings: BoardSettings,
    readonly slots: SlotMap,
    jobId: string,
  ) {
    const why = settings.paused ? 'is paused' : `runs ${Object.keys(slots).length} of at most ${settings.maxRunning} jobs`;
    super('boardBusy', `board ${board} ${why}`, 1_000, { jobId });
  }
}

export function acquireSlot(board: string, owner: string, jobId: string): UpdateSpec {
  return {
    kind: 'update',
    operation: 'acquireSlot',
    key: boardKey(board),
    set: {},
    setPaths: { '#running.#slot': jobId },
    names: { '#slot': owner },
    condition: '(attribute_not_exists(#paused) OR #paused = :false) AND (attribute_not_exists(#maxRunning) OR size(#running) < #maxRunning)',
    values: { ':false': false },
    refused: (item) => new BoardBusyError(board, settingsFromItem(board, item), slotsFromItem(item), jobId),
  };
}

export function releaseSlot(board: string, owner: string): UpdateSpec {
  return {
    kind: 'update',
    operation: 'releaseSlot',
    key: boardKey(board),
    set: {},
    removePaths: ['#running.#slot'],
    names: { '#slot': owner },
    condition: 'attribute_exists(#running.#slot)',
    refused: () => new Error(`slot ${owner} of board ${board} was already free`),
  };
}

export function clearStaleSlot(board: string, owner: string, jobId: string): UpdateSpec {
  return { ...releaseSlot(board, owner), operation: 'clearStaleSlot', condition: '#running.#slot = :jobId', values: { ':jobId': jobId } };
}
