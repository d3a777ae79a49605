/**
 * What each function may do, as data: the one place to change when a handler starts making a new
 * call. Granted with explicit statements rather than `grant*Data` helpers, which give too much
 * (`grantReadWriteData` adds Scan, DeleteItem, BatchWriteItem, ConditionCheckItem… on every item)
 * and scope indexes as `<table>/index/*`. Here every resource is named, and every item action is
 * narrowed with `dynamodb:LeadingKeys` to the item kinds the function touches (their `pk`
 * prefixes: lib/store/keys.ts). A transaction's items are checked each under its own action.
 *
 * This list is checked against what the code does, not against itself:
 * test/infra/access-audit.test.ts records every AWS call each function makes down every feature's
 * path and evaluates it against the synthesized template with an IAM simulator (every call must be
 * allowed, and every action and item kind granted here must be needed by some call).
 * infra/README.md ("Who may do what") says why each function needs what it has.
 */
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { TABLE, ITEM_KINDS, type ItemKind } from '../lib/table.js';
import type { HandlerName } from './handlers.js';

/** Item actions on the table's items of some kinds only: one statement. */
export interface ItemGrant {
  readonly kinds: readonly ItemKind[];
  readonly actions: readonly string[];
}

/** Actions one function needs on each resource of the board. */
export interface FunctionAccess {
  /** On the table's items, each grant narrowed to its item kinds. */
  readonly items: readonly ItemGrant[];
  /** Indexes the function queries: `dynamodb:Query` on each one's own ARN (never `index/*`). */
  readonly queriedIndexes: readonly string[];
  /** On every postings queue (one per priority lane). */
  readonly postings: readonly string[];
  /** On the dead-letter queue. */
  readonly deadLetters: readonly string[];
}

export const ACCESS: Readonly<Record<HandlerName, FunctionAccess>> = {
  api: {
    items: [
      // Post: the job, its unique key (one transaction), a bulk operation.
      { kinds: ['job', 'unique', 'operation'], actions: ['dynamodb:PutItem'] },
      // Every route reads and changes jobs, boards (settings, the registry), operations and schedules.
      { kinds: ['job', 'board', 'operation', 'schedule'], actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'] },
      // Lists read the listed jobs; counts read a board's counter items.
      { kinds: ['job', 'counter'], actions: ['dynamodb:BatchGetItem'] },
      // DELETE /schedules/{name}: the one item any function deletes.
      { kinds: ['schedule'], actions: ['dynamodb:DeleteItem'] },
    ],
    queriedIndexes: [TABLE.openIndex.name, TABLE.doneIndex.name],
    // A posting per post, retry and resume, on the job's priority lane (every lane's queue).
    postings: ['sqs:SendMessage'],
    // Redrive receives a batch, re-sends it to postings and deletes what was re-sent; it reads no queue attributes.
    deadLetters: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'],
  },
  conductor: {
    items: [
      // Every transition of a job; a board slot or scope taken in the claim's transaction, released after the ending write, cleared when stale.
      { kinds: ['job', 'board', 'scope'], actions: ['dynamodb:UpdateItem'] },
      // Board settings (a cache, one read per board every 2 s); the job read back after a claim holding slots; children told of a parent's end.
      { kinds: ['job', 'board'], actions: ['dynamodb:GetItem'] },
      // The holders of a full board or scope, to clear the stale ones.
      { kinds: ['job'], actions: ['dynamodb:BatchGetItem'] },
    ],
    queriedIndexes: [],
    // Leases and backoff move a posting's visibility; children a parent's end released get their postings.
    // Receiving and deleting come with the event source mapping (`SqsEventSource` grants them).
    postings: ['sqs:ChangeMessageVisibility', 'sqs:SendMessage'],
    // A posting the conductor gives up on (failed job, malformed, unknown type) is forwarded here.
    deadLetters: ['sqs:SendMessage'],
  },
  sweeper: {
    items: [
      // Where the sweep stopped (a cursor), and the job of each schedule slot.
      { kinds: ['cursor', 'job'], actions: ['dynamodb:PutItem'] },
      // The cursor, schedules, the running operations, boards (the registry) and each job it decides on.
      { kinds: ['cursor', 'board', 'job', 'operation', 'schedule'], actions: ['dynamodb:GetItem'] },
      // Re-posts, expiries and dependency repairs of jobs; a slot's board registered; schedules' slots and operations' progress recorded.
      { kinds: ['job', 'board', 'operation', 'schedule'], actions: ['dynamodb:UpdateItem'] },
      // The open jobs of a page of the open index, and the parents of waiting ones.
      { kinds: ['job'], actions: ['dynamodb:BatchGetItem'] },
    ],
    // The sweep walks the open index; bulk operations list open jobs there, failed and trashed ones on the done index.
    queriedIndexes: [TABLE.openIndex.name, TABLE.doneIndex.name],
    // Postings it repairs; the queue's depth, so a mere backlog does not multiply postings.
    postings: ['sqs:SendMessage', 'sqs:GetQueueAttributes'],
    deadLetters: [],
  },
  streamProcessor: {
    // Its stream, bus and failure queue grants are in infra/stream.ts: they are not resources of every function.
    items: [
      // The stream shard's checkpoint, read before a batch…
      { kinds: ['cursor'], actions: ['dynamodb:GetItem'] },
      // …and moved with the counter deltas in one transaction.
      { kinds: ['cursor', 'counter'], actions: ['dynamodb:UpdateItem'] },
    ],
    queriedIndexes: [],
    postings: [],
    deadLetters: [],
  },
};

/** ARNs of the board's resources, as CloudFormation tokens. */
export interface BoardArns {
  readonly table: string;
  /** ARN of the named index. */
  readonly index: (name: string) => string;
  /** Every lane's postings queue. */
  readonly postings: readonly string[];
  readonly deadLetters: string;
}

/** One statement per resource group the function touches; none for groups it does not. */
export function accessStatements(access: FunctionAccess, arns: BoardArns): PolicyStatement[] {
  const groups: [readonly string[], string[]][] = [
    [access.queriedIndexes.length > 0 ? ['dynamodb:Query'] : [], access.queriedIndexes.map(arns.index)],
    [access.postings, [...arns.postings]],
    [access.deadLetters, [arns.deadLetters]],
  ];
  const statements = groups
    .filter(([actions, resources]) => actions.length > 0 && resources.length > 0)
    .map(([actions, resources]) => new PolicyStatement({ actions: [...actions], resources }));
  for (const { kinds, actions } of access.items) {
    if (actions.length === 0 || kinds.length === 0) continue;
    statements.push(
      new PolicyStatement({
        actions: [...actions],
        resources: [arns.table],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': kinds.map((kind) => `${ITEM_KINDS[kind]}*`) } },
      }),
    );
  }
  return statements;
}

/** Adds the function's statements to its role's policy. */
export function grantAccess(grantee: IGrantable, access: FunctionAccess, arns: BoardArns): void {
  for (const statement of accessStatements(access, arns)) grantee.grantPrincipal.addToPrincipalPolicy(statement);
}
