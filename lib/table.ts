/**
 * The DynamoDB table's layout: keys, indexes, TTL. One definition shared by the store, the
 * tests, the local stack and the CDK stack, so they cannot drift apart. The key values
 * themselves are built in `store/keys.ts`.
 *
 * Write cost is the design constraint (DESIGN.md, Data): each job writes its item three times
 * (post, claim, consume). Index entries are written only when their keys or projected
 * attributes change, so:
 * - `open` holds posted and claimed jobs, keyed on creation: written at post, deleted when the
 *   job finishes. A claim or abandon changes nothing it projects, so costs no index write.
 * - `done` holds finished jobs, partitioned by final state, keyed on end time: written once.
 * That is 3 index writes per job, 6 write units in all for a job of 1 KB or less. Both partition
 * keys are sharded by a hash of the job id so no partition key takes more than its share.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export const TABLE = {
  partitionKey: 'pk',
  ttlAttribute: 'expiresAt',
  /** Index partitions per state and board. Part of the data layout: changing it needs a migration. */
  shardCount: 16,
  openIndex: {
    name: 'open',
    partitionKey: 'openShard',
    sortKey: 'openSortKey',
    /** `type` never changes, so projecting it costs no write and lets lists filter by type on the index. */
    nonKeyAttributes: ['type'],
  },
  /** Both images: an event needs the state before and after a write. */
  streamViewType: 'NEW_AND_OLD_IMAGES',
  doneIndex: {
    name: 'done',
    partitionKey: 'doneShard',
    sortKey: 'doneSortKey',
    nonKeyAttributes: ['type'],
  },
} as const;

export type IndexDefinition = typeof TABLE.openIndex | typeof TABLE.doneIndex;

/** The CreateTable request for the local stack and tests; infra/ builds the same shape with CDK. */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const index = (def: IndexDefinition) => ({
    IndexName: def.name,
    KeySchema: [
      { AttributeName: def.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: def.sortKey, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...def.nonKeyAttributes] },
  });
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [TABLE.partitionKey, TABLE.openIndex.partitionKey, TABLE.openIndex.sortKey, TABLE.doneIndex.partitionKey, TABLE.doneIndex.sortKey].map(
      (name) => ({ AttributeName: name, AttributeType: 'S' as const }),
    ),
    KeySchema: [{ AttributeName: TABLE.partitionKey, KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [index(TABLE.openIndex), index(TABLE.doneIndex)],
    // The change stream feeds lifecycle events and the job counters (lib/events/stream-processor.ts).
    StreamSpecification: { StreamEnabled: true, StreamViewType: TABLE.streamViewType },
  };
}

/**
 * The kinds of item the table holds, told apart by the prefix of `pk`. Only jobs are in the
 * indexes; other kinds (board settings, scope locks, unique keys, schedules, operations,
 * counters, cursors) carry no index attributes, so they cost no index write.
 */
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

