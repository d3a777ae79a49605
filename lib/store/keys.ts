/**
 * The sharded partition and sort keys of the two indexes (DESIGN.md, Data); the item keys of
 * each kind are the table's (`ITEM_KINDS` in lib/table.ts).
 *
 * Index partition keys are sharded by a hash of the job id (no partition key takes more than
 * 1/16 of a state's writes) and carry the board, so a board's jobs list without reading other
 * boards. The default board keeps the short form (`open#03`), which is also the form items
 * written before boards existed carry: no migration.
 */
import type { FinalState } from '../states.js';
import { DEFAULT_BOARD } from '../boards/board.js';
import { TABLE } from '../table.js';

/** Shard of a job id: FNV-1a, stable across processes and languages. */
export function shardOf(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % TABLE.shardCount;
}

/** Every shard number, in order. */
export function allShards(): number[] {
  return Array.from({ length: TABLE.shardCount }, (_, i) => i);
}

const boardPart = (board: string): string => (board === DEFAULT_BOARD ? '' : `${board}#`);
const shardPart = (shard: number): string => String(shard).padStart(2, '0');

/** Partition key of the open index (posted and claimed jobs) for one board and shard. */
export function openShardKey(shard: number, board: string = DEFAULT_BOARD): string {
  return `open#${boardPart(board)}${shardPart(shard)}`;
}

/** Partition key of the done index (finished jobs) for one final state, board and shard. */
export function doneShardKey(state: FinalState, shard: number, board: string = DEFAULT_BOARD): string {
  return `${state}#${boardPart(board)}${shardPart(shard)}`;
}

/** Index sort key: time (ms, zero-padded so strings sort like numbers) then id, so ties have one order. */
export function indexSortKey(timeMs: number, id: string): string {
  return `${timeSortPrefix(timeMs)}#${id}`;
}

/** The time part of an index sort key; every key of an instant sorts after `timeSortPrefix(t)` alone. */
export function timeSortPrefix(timeMs: number): string {
  return String(Math.max(0, Math.trunc(timeMs))).padStart(15, '0');
}

/** The open-index attributes of a job created at `createdAt`. */
export function openIndexAttributes(id: string, createdAt: number, board: string = DEFAULT_BOARD): Record<string, string> {
  return {
    [TABLE.openIndex.partitionKey]: openShardKey(shardOf(id), board),
    [TABLE.openIndex.sortKey]: indexSortKey(createdAt, id),
  };
}

/** The done-index attributes of a job that ended in `state` at `endedAt`. */
export function doneIndexAttributes(id: string, state: FinalState, endedAt: number, board: string = DEFAULT_BOARD): Record<string, string> {
  return {
    [TABLE.doneIndex.partitionKey]: doneShardKey(state, shardOf(id), board),
    [TABLE.doneIndex.sortKey]: indexSortKey(endedAt, id),
  };
}
