/**
 * The table port: everything the stores do to the one table, in the table's own words (items by
 * key, write specs, bounded pages of an index partition). Every store of every item kind (jobs,
 * boards, schedules, operations, counters, cursors) reads and writes through it, so there is one
 * writer for every item. Two implementations: DynamoDB (`lib/dynamo/dynamo-item-table.ts`, the
 * only importer of the DynamoDB client) and memory (`lib/memory/memory-item-table.ts`, for tests of
 * the engine without an emulator), both held to the same conformance suite.
 */
import type { IndexDefinition } from '../table.js';
import type { WriteSpec } from './write-spec.js';

/** An item as stored, its key (`pk`) included. */
export type Item = Record<string, unknown>;

export interface ReadOptions {
  /** Strongly consistent (twice the read units): for decisions a stale item would make unsafe. */
  consistent?: boolean;
  /** Only these attributes (and the key). */
  attributes?: readonly string[];
}

/** One index entry: the item's key and its position in the partition. */
export interface IndexEntry {
  pk: string;
  sortKey: string;
}

/** Which part of a partition to read, in which direction. */
export interface PartitionRange {
  /** Exclusive: entries strictly after this key in the reading direction. */
  after?: string | null;
  /** Inclusive bounds on the sort key, whatever the direction. */
  from?: string;
  to?: string;
  descending?: boolean;
  /** Only entries of this job type (a filter: the entries read still count against `maxRead`). */
  type?: string;
  /** Index entries read at most (applied before the type filter). */
  maxRead: number;
}

/** A page of one partition: the matching entries, and where reading stopped (null: the end). */
export interface PartitionPage {
  entries: IndexEntry[];
  /** Sort key of the last entry read, matching or not; null when the partition has no more. */
  lastRead: string | null;
  /** Index entries read, matching or not. */
  scanned: number;
}

export interface ItemTable {
  /**
   * One conditional write. Answers the item as written (an update's new item, a put's item) or,
   * for a delete, as it was. A refused condition throws the spec's own error, built from the item
   * as it stood; anything else is a `StorageError`.
   */
  write(spec: Exclude<WriteSpec, { kind: 'conditionCheck' }>): Promise<Item>;
  /**
   * The specs as one transaction (at most `TRANSACTION_MAX_ITEMS`): all written or none. A refused
   * condition throws the first refusing spec's error; contention is a retryable `StorageError`.
   */
  writeAll(specs: readonly WriteSpec[], operation: string): Promise<void>;
  /** One item; undefined when there is none. */
  read(key: string, options?: ReadOptions): Promise<Item | undefined>;
  /** The items of these keys that exist, by key. */
  readMany(keys: readonly string[], options?: ReadOptions): Promise<Map<string, Item>>;
  /** One bounded page of an index partition. */
  page(index: IndexDefinition, partition: string, range: PartitionRange): Promise<PartitionPage>;
  /** Entries in an index partition. */
  count(index: IndexDefinition, partition: string): Promise<number>;
}
