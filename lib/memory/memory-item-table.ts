/**
 * The table port in memory: one process's map of items, for unit and property tests of the
 * engine that need no emulator. It evaluates the very condition text a spec renders for
 * DynamoDB (`condition.ts`), applies updates clause by clause (`apply-update.ts`), and keeps the
 * two indexes as DynamoDB does: an item is in an index exactly while it has both of the index's
 * key attributes. Every call yields to the event loop before it acts, so concurrent callers
 * interleave as they would against a real table; a transaction checks every condition and then
 * writes every item with no await between, so it is all-or-nothing as DynamoDB's is.
 *
 * Not modelled: eventual consistency (every read is consistent), capacity and throttling, the
 * change stream. Held to the same conformance suite as the DynamoDB table.
 */
import { StorageError } from '../errors.js';
import type { Item, ItemTable, PartitionPage, PartitionRange, ReadOptions } from '../store/item-table.js';
import { boundsOf, withinBounds } from '../store/partition-bounds.js';
import { TRANSACTION_MAX_ITEMS, renderConditionOf, renderUpdate, type WriteSpec } from '../store/write-spec.js';
import { TABLE, type IndexDefinition } from '../table.js';
import { applyUpdate } from './apply-update.js';
import { meetsCondition, type Expression } from './condition.js';

/** DynamoDB's item size limit. */
const MAX_ITEM_BYTES = 400 * 1024;

export class MemoryItemTable implements ItemTable {
  private readonly items = new Map<string, Item>();

  async write(spec: Exclude<WriteSpec, { kind: 'conditionCheck' }>): Promise<Item> {
    await yieldTurn();
    const next = this.decide(spec);
    const before = this.items.get(spec.key);
    this.store(spec.key, next);
    return copy(spec.kind === 'delete' ? (before ?? {}) : (next ?? {}));
  }

  async writeAll(specs: readonly WriteSpec[], operation: string): Promise<void> {
    if (specs.length === 0) return;
    if (specs.length > TRANSACTION_MAX_ITEMS) throw new StorageError(`${operation}: ${specs.length} items exceed a transaction's ${TRANSACTION_MAX_ITEMS}`, { retryable: false });
    if (new Set(specs.map((spec) => spec.key)).size !== specs.length) throw new StorageError(`${operation}: a transaction names one item twice`, { retryable: false });
    await yieldTurn();
    // Decide every item before writing any: the first refusal throws with nothing written.
    const decided = specs.map((spec) => ({ key: spec.key, next: this.decide(spec), check: spec.kind === 'conditionCheck' }));
    for (const { key, next, check } of decided) if (!check) this.store(key, next);
  }

  async read(key: string, options: ReadOptions = {}): Promise<Item | undefined> {
    await yieldTurn();
    const item = this.items.get(key);
    return item === undefined ? undefined : project(item, options);
  }

  async readMany(keys: readonly string[], options: ReadOptions = {}): Promise<Map<string, Item>> {
    await yieldTurn();
    const found = new Map<string, Item>();
    for (const key of new Set(keys)) {
      const item = this.items.get(key);
      if (item !== undefined) found.set(key, project(item, options));
    }
    return found;
  }

  async page(index: IndexDefinition, partition: string, range: PartitionRange): Promise<PartitionPage> {
    await yieldTurn();
    const bounds = boundsOf(range);
    const inRange = this.partition(index, partition).filter((entry) => withinBounds(entry.sortKey, bounds));
    if (range.descending === true) inRange.reverse();
    const read = inRange.slice(0, Math.max(1, range.maxRead));
    const entries = read.filter((entry) => range.type === undefined || entry.type === range.type).map(({ pk, sortKey }) => ({ pk, sortKey }));
    // Like a Query that hit its Limit: where it stopped, or null when the partition is exhausted.
    const lastRead = read.length < inRange.length ? (read[read.length - 1]?.sortKey ?? null) : null;
    return { entries, lastRead, scanned: read.length };
  }

  async count(index: IndexDefinition, partition: string): Promise<number> {
    await yieldTurn();
    return this.partition(index, partition).length;
  }

  /** Every item, copied: for tests that look at the table as a whole. */
  snapshot(): Item[] {
    return [...this.items.values()].map(copy);
  }

  /** The item after the spec (undefined: deleted, or a condition check's unchanged item), or the spec's refusal. */
  private decide(spec: WriteSpec): Item | undefined {
    const current = this.items.get(spec.key);
    const rendered = spec.kind === 'update' ? renderUpdate(spec) : renderConditionOf(spec);
    const expression: Expression | undefined =
      rendered.ConditionExpression === undefined ? undefined : { text: rendered.ConditionExpression, names: rendered.ExpressionAttributeNames, values: rendered.ExpressionAttributeValues };
    if (!meetsCondition(current, expression)) throw spec.refused(current === undefined ? undefined : copy(current));
    try {
      switch (spec.kind) {
        case 'put':
          return checked({ ...withoutUndefined(spec.item), pk: spec.key }, spec.operation);
        case 'update':
          return checked(applyUpdate(current, spec), spec.operation);
        case 'delete':
          return undefined;
        case 'conditionCheck':
          return current;
      }
    } catch (error) {
      if (error instanceof StorageError) throw error;
      throw new StorageError(`memory ${spec.operation} failed: ${(error as Error).message}`, { cause: error, retryable: false });
    }
  }

  private store(key: string, item: Item | undefined): void {
    if (item === undefined) this.items.delete(key);
    else this.items.set(key, copy(item));
  }

  /** The index entries of one partition, by sort key (then key, for equal sort keys). */
  private partition(index: IndexDefinition, partition: string): Array<{ pk: string; sortKey: string; type: unknown }> {
    const entries: Array<{ pk: string; sortKey: string; type: unknown }> = [];
    for (const item of this.items.values()) {
      const sortKey = item[index.sortKey];
      if (item[index.partitionKey] !== partition || typeof sortKey !== 'string') continue;
      entries.push({ pk: String(item[TABLE.partitionKey]), sortKey, type: item.type });
    }
    return entries.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : a.pk < b.pk ? -1 : 1));
  }
}

function yieldTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function copy<T>(value: T): T {
  return structuredClone(value);
}

function project(item: Item, options: ReadOptions): Item {
  if (options.attributes === undefined) return copy(item);
  const projected: Item = { [TABLE.partitionKey]: item[TABLE.partitionKey] };
  for (const attribute of options.attributes) if (item[attribute] !== undefined) projected[attribute] = copy(item[attribute]);
  return projected;
}

function withoutUndefined(item: Item): Item {
  return Object.fromEntries(Object.entries(item).filter(([, value]) => value !== undefined));
}

/** What DynamoDB refuses as invalid: an empty set, an item over 400 KB. */
function checked(item: Item, operation: string): Item {
  for (const [attribute, value] of Object.entries(item)) {
    if (value instanceof Set && value.size === 0) throw new StorageError(`memory ${operation} failed: ${attribute} is an empty set`, { retryable: false });
  }
  const bytes = new TextEncoder().encode(JSON.stringify(item, (_, value: unknown) => (value instanceof Set ? [...value] : value))).length;
  if (bytes > MAX_ITEM_BYTES) throw new StorageError(`memory ${operation} failed: item size ${bytes} bytes exceeds 400 KB`, { retryable: false });
  return item;
}
