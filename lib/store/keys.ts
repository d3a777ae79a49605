/**
 * Every key Jobboard writes, in one module: the item key of each item kind, and the sharded
 * partition and sort keys of the two indexes (DESIGN.md, Data).
 *
 * Item kinds share one table and are told apart by the prefix of `pk`. Only jobs are in the
 * indexes; other kinds (board settings, scope locks, unique keys, schedules, operations,
 * counters, maintenance cursors) never carry index attributes, so they cost no index write.
 *
 * Index partition keys are sharded by a hash of the job id (no partition key takes more than
 * 1/16 of a state's writes) and carry the board, so a board's jobs list without reading other
 * boards. The default board keeps the short form (`open#03`), which is also the form items
 * written before boards existed carry: no migration.
 */
import type { FinalState } from '../states.js';
import { TABLE } from '../table.js';

/** The kinds of item in the table, each with its `pk` prefix. */
export const ITEM_KINDS = {
  job: 'job#',
  board: 'board#',
  scope: 'scope#',
  unique: 'unique#',
  schedule: 'schedule#',
  operation: 'operation#',
  counter: 'counter#',
  cursor: 'cursor#',
} as const;
export type ItemKind = keyof typeof ITEM_KINDS;

/** The board a job belongs to when its post names none. */
export const DEFAULT_BOARD = 'default';

/** `pk` of an item of `kind` named `name`. */
export function itemKey(kind: ItemKind, name: string): string {
  return `${ITEM_KINDS[kind]}${name}`;
}

/** `pk` of a job's item. */
export function jobKey(id: string): string {
  return itemKey('job', id);
}

/** The kind of item a `pk` names, or undefined for a key no kind claims. */
export function kindOfKey(pk: string): ItemKind | undefined {
  return (Object.keys(ITEM_KINDS) as ItemKind[]).find((kind) => pk.startsWith(ITEM_KINDS[kind]));
}

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

/** The board of a job (jobs written before boards belong to the default board). */
export function boardOf(job: { board?: string }): string {
  return job.board ?? DEFAULT_BOARD;
}

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
