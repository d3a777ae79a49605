/**
 * What each function may do, as data: the one place to change when a handler starts making a
 * new call. Granted with explicit statements rather than `grant*Data` helpers because those
 * give too much (`grantReadWriteData` adds Scan, DeleteItem, BatchWriteItem, ConditionCheckItem…)
 * and `Table.grant` scopes indexes as `<table>/index/*`; here every resource is named.
 *
 * Needs, from the handlers (DESIGN.md):
 * - api: post (PutItem), get (GetItem), trash / retry (UpdateItem), list and stats (Query on the
 *   indexes, BatchGetItem for the items); a posting per post / retry (SendMessage, on the job's
 *   priority lane: every postings queue below means all three lanes' queues); the
 *   dead-letter redrive route receives DLQ messages, re-sends them as postings, deletes them.
 * - conductor: every transition it makes (claim, heartbeat, consume, abandon, fail) is one
 *   UpdateItem, with no reads on the hot path; it sets visibility on postings and forwards
 *   postings it gives up on to the DLQ. Receiving and deleting come with the event source
 *   mapping (`SqsEventSource` grants them).
 * - sweeper: walks the open index (Query), reads the items it decides on (BatchGetItem),
 *   re-posts or fails with conditional UpdateItem, sends postings, reads the queue's depth
 *   (GetQueueAttributes) so a mere backlog does not multiply postings, and loads and saves where
 *   it stopped (GetItem, PutItem), on `cursor#` items only (a `dynamodb:LeadingKeys` condition).
 *   Its schedule tick reads `schedule#` items and the previous slot's job (GetItem), posts the
 *   slot's job (PutItem on `job#` items) and records the slot (UpdateItem). Its bulk-operation
 *   task lists jobs on both indexes, reads `operation#` and `board#` items and each job it
 *   transitions (GetItem), and writes operations and jobs with UpdateItem.
 * - api (schedules): PUT and the registry are UpdateItem, GET and list GetItem; DELETE is the one
 *   DeleteItem any function may make, on `schedule#` items only.
 * - streamProcessor: reads its stream shard's checkpoint (GetItem on `cursor#`) and moves it with
 *   the counter deltas in one transaction of UpdateItems (`cursor#` and `counter#` items; IAM
 *   checks a transaction's items by their own actions). Its stream, bus and failure queue grants
 *   are in infra/stream.ts: they are not resources of every function.
 */
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { ITEM_KINDS, type ItemKind } from '../lib/store/keys.js';
import { TABLE } from '../lib/table.js';
import type { HandlerName } from './handlers.js';

/** Actions one function needs on each resource of the board. */
export interface FunctionAccess {
  /** On the table's items (the table ARN). */
  readonly table: readonly string[];
  /** Indexes the function queries: `dynamodb:Query` on each one's own ARN (never `index/*`). */
  readonly queriedIndexes: readonly string[];
  /** On every postings queue (one per priority lane). */
  readonly postings: readonly string[];
  /** On the dead-letter queue. */
  readonly deadLetters: readonly string[];
  /** On the table's items of some kinds only (a `dynamodb:LeadingKeys` condition on their `pk` prefixes): one statement each. */
  readonly keyedItems?: readonly { readonly kinds: readonly ItemKind[]; readonly actions: readonly string[] }[];
}

export const ACCESS: Readonly<Record<HandlerName, FunctionAccess>> = {
  api: {
    table: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:BatchGetItem'],
    queriedIndexes: [TABLE.openIndex.name, TABLE.doneIndex.name],
    postings: ['sqs:SendMessage'],
    // Redrive receives a batch, re-sends it to postings and deletes what was re-sent; it reads no queue attributes.
    deadLetters: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'],
    keyedItems: [{ kinds: ['schedule'], actions: ['dynamodb:DeleteItem'] }],
  },
  conductor: {
    table: ['dynamodb:UpdateItem'],
    queriedIndexes: [],
    postings: ['sqs:ChangeMessageVisibility'],
    deadLetters: ['sqs:SendMessage'],
  },
  sweeper: {
    table: ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem'],
    // Bulk operations list the jobs they act on: open states on the open index, failed and trashed on the done index.
    queriedIndexes: [TABLE.openIndex.name, TABLE.doneIndex.name],
    postings: ['sqs:SendMessage', 'sqs:GetQueueAttributes'],
    deadLetters: [],
    keyedItems: [
      { kinds: ['cursor'], actions: ['dynamodb:GetItem', 'dynamodb:PutItem'] },
      // The schedule tick reads the schedules and the previous slot's job, and posts the slot's job; bulk
      // operations read the running set and each job before its transition; both list boards by name.
      { kinds: ['schedule', 'job', 'operation', 'board'], actions: ['dynamodb:GetItem'] },
      { kinds: ['job'], actions: ['dynamodb:PutItem'] },
    ],
  },
  streamProcessor: {
    table: [],
    queriedIndexes: [],
    postings: [],
    deadLetters: [],
    keyedItems: [
      { kinds: ['cursor'], actions: ['dynamodb:GetItem'] },
      { kinds: ['cursor', 'counter'], actions: ['dynamodb:UpdateItem'] },
    ],
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
    [access.table, [arns.table]],
    [access.queriedIndexes.length > 0 ? ['dynamodb:Query'] : [], access.queriedIndexes.map(arns.index)],
    [access.postings, [...arns.postings]],
    [access.deadLetters, [arns.deadLetters]],
  ];
  const statements = groups
    .filter(([actions, resources]) => actions.length > 0 && resources.length > 0)
    .map(([actions, resources]) => new PolicyStatement({ actions: [...actions], resources }));
  for (const { kinds, actions } of access.keyedItems ?? []) {
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
