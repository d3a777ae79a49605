/**
 * The access audit: an SDK middleware that records every AWS call a function makes, as IAM
 * authorizes it (the action, the resource, and for DynamoDB the `dynamodb:LeadingKeys` of each
 * item). The emulators check no permissions, so this record is what the access audit
 * (test/infra/access-audit.test.ts) and the deploy rehearsal (`npm run rehearse`) evaluate
 * against the policies the synthesized template gives each function's role.
 *
 * On only when asked for (a sink passed in, or `JOBBOARD_ACCESS_AUDIT_FILE` set): a deployed
 * function never sets it, so production pays one `undefined` check per client, at build time.
 */
import { appendFileSync } from 'node:fs';
import { TABLE } from '../lib/table.js';

/** What IAM authorizes a request against. */
export type AuditedResource =
  | { type: 'table'; table: string }
  | { type: 'index'; table: string; index: string }
  | { type: 'stream'; streamArn: string }
  | { type: 'queue'; queueUrl: string }
  /** An EventBridge bus, by name or ARN (PutEvents takes either). */
  | { type: 'eventBus'; bus: string };

/** One authorization: a call may need several (each item of a transaction is checked under its own action). */
export interface AuditedRequest {
  /** IAM action, e.g. `dynamodb:UpdateItem`, `sqs:SendMessage`. */
  action: string;
  resource: AuditedResource;
  /** DynamoDB: the partition key of every item the request touches (`dynamodb:LeadingKeys`). */
  leadingKeys?: string[];
}

/** One SDK call of one function. */
export interface AuditedCall {
  /** Who made it: the function's name (its role decides). */
  function: string;
  /** The SDK command, e.g. `TransactWriteItemsCommand`. */
  command: string;
  requests: AuditedRequest[];
  /** The project frames of the stack that sent it, innermost first: where to look when it is denied. */
  codePath: string[];
}

export type AccessAuditSink = (call: AuditedCall) => void;

/** What a client is given to record into. */
export interface AccessAudit {
  functionName: string;
  sink: AccessAuditSink;
}

/** Where the access audit writes, and the name the calls are recorded under (read by functions/env.ts). */
export interface AccessAuditSettings {
  file: string;
  functionName: string;
}

/** The audit these settings ask for: calls appended to the file. None without settings (on AWS, always none). */
export function auditOf(settings: AccessAuditSettings | undefined): AccessAudit | undefined {
  return settings === undefined ? undefined : { functionName: settings.functionName, sink: fileAuditSink(settings.file) };
}

/** A sink that appends each call as one JSON line (the rehearsal's function processes write here). */
export function fileAuditSink(file: string): AccessAuditSink {
  return (call) => appendFileSync(file, `${JSON.stringify(call)}\n`);
}

/** A client's middleware stack, as far as the audit needs it (every SDK v3 client has one). */
interface AuditableClient {
  middlewareStack: {
    add(
      middleware: (next: (args: { input: unknown }) => Promise<unknown>, context: { commandName?: string }) => (args: { input: unknown }) => Promise<unknown>,
      options: { step: 'initialize'; name: string; priority: 'low' },
    ): void;
  };
}

/**
 * Records each call of `client` into the audit, then sends it on. At the initialize step with low
 * priority, so a DocumentClient's input is seen as written (native values, not marshalled).
 */
export function auditClient<C>(client: C, service: AuditedService, audit: AccessAudit | undefined): C {
  if (audit === undefined) return client;
  (client as unknown as AuditableClient).middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? 'UnknownCommand';
      audit.sink({ function: audit.functionName, command, requests: iamRequestsOf(service, command, args.input), codePath: projectFrames(new Error().stack) });
      return next(args);
    },
    { step: 'initialize', name: 'jobboardAccessAudit', priority: 'low' },
  );
  return client;
}

export type AuditedService = 'dynamodb' | 'dynamodb-streams' | 'sqs' | 'events';

type Input = Record<string, unknown>;

/**
 * The authorizations one call needs (pure): the SDK's batch commands are checked under their
 * single-item actions, and a transaction's items each under their own action, on their own table.
 */
export function iamRequestsOf(service: AuditedService, command: string, input: unknown): AuditedRequest[] {
  const operation = command.replace(/Command$/, '');
  const given = (input ?? {}) as Input;
  switch (service) {
    case 'dynamodb':
      return dynamoRequests(operation, given);
    case 'dynamodb-streams':
      // GetRecords names a shard iterator, not a stream: IAM checks it against the stream it was issued
      // for, whose ARN is the iterator's first part (`<stream arn>|1|…`).
      return [{ action: `dynamodb:${operation}`, resource: { type: 'stream', streamArn: String(given.StreamArn ?? String(given.ShardIterator ?? '').split('|')[0]) } }];
    case 'sqs':
      return [{ action: `sqs:${SQS_BATCH_ACTIONS[operation] ?? operation}`, resource: { type: 'queue', queueUrl: String(given.QueueUrl ?? '') } }];
    case 'events': {
      const entries = (given.Entries as { EventBusName?: string }[] | undefined) ?? [];
      const buses = [...new Set(entries.map((entry) => entry.EventBusName ?? 'default'))];
      return buses.map((bus) => ({ action: `events:${operation}`, resource: { type: 'eventBus', bus } }));
    }
  }
}

/** SQS batch commands are authorized as their single-message actions. */
const SQS_BATCH_ACTIONS: Readonly<Record<string, string>> = {
  SendMessageBatch: 'SendMessage',
  DeleteMessageBatch: 'DeleteMessage',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
};

/** A transaction's item kinds and the action IAM checks each under. */
const TRANSACT_ACTIONS: Readonly<Record<string, string>> = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem', Get: 'GetItem' };

function dynamoRequests(operation: string, input: Input): AuditedRequest[] {
  const table = String(input.TableName ?? '');
  switch (operation) {
    case 'GetItem':
    case 'UpdateItem':
    case 'DeleteItem':
      return [{ action: `dynamodb:${operation}`, resource: { type: 'table', table }, leadingKeys: [partitionKeyOf(input.Key)] }];
    case 'PutItem':
      return [{ action: 'dynamodb:PutItem', resource: { type: 'table', table }, leadingKeys: [partitionKeyOf(input.Item)] }];
    case 'Query':
    case 'Scan': {
      const index = input.IndexName === undefined ? undefined : String(input.IndexName);
      return [{ action: `dynamodb:${operation}`, resource: index === undefined ? { type: 'table', table } : { type: 'index', table, index } }];
    }
    case 'BatchGetItem':
    case 'BatchWriteItem': {
      const perTable = (input.RequestItems ?? {}) as Record<string, { Keys?: unknown[] } | { PutRequest?: { Item: unknown }; DeleteRequest?: { Key: unknown } }[]>;
      return Object.entries(perTable).map(([name, request]) => ({
        action: `dynamodb:${operation}`,
        resource: { type: 'table', table: name },
        leadingKeys: Array.isArray(request)
          ? request.map((write) => partitionKeyOf(write.PutRequest?.Item ?? write.DeleteRequest?.Key))
          : (request.Keys ?? []).map(partitionKeyOf),
      }));
    }
    case 'TransactWriteItems':
    case 'TransactGetItems':
      return ((input.TransactItems ?? []) as Record<string, Input>[]).map((item) => {
        const [kind, spec] = Object.entries(item)[0] ?? ['Unknown', {}];
        return {
          action: `dynamodb:${TRANSACT_ACTIONS[kind] ?? kind}`,
          resource: { type: 'table', table: String(spec.TableName ?? '') },
          leadingKeys: [partitionKeyOf(spec.Key ?? spec.Item)],
        };
      });
    default:
      return [{ action: `dynamodb:${operation}`, resource: { type: 'table', table } }];
  }
}

/** The partition key's value of a key or item, as a string (native, or marshalled as `{S}`). */
function partitionKeyOf(key: unknown): string {
  const value = ((key ?? {}) as Record<string, unknown>)[TABLE.partitionKey];
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && 'S' in value) return String((value as { S: unknown }).S);
  return String(value);
}

/** The frames of a stack trace that are the project's own code (not the SDK, not Node). */
function projectFrames(stack: string | undefined): string[] {
  return (stack ?? '')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().replace(/^at /, ''))
    .filter((line) => /\b(lib|functions|local|rehearsal)\//.test(line) && !line.includes('node_modules') && !line.includes('access-audit'))
    .slice(0, 6);
}
