/**
 * Least privilege, read from the template: every IAM statement is walked, every resource must
 * be one of this board's, and each function holds exactly the grants listed here. The lists are
 * written out independently of infra/access.ts on purpose: a change there must show up here.
 */
import { Template } from 'aws-cdk-lib/assertions';
import type { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobboardStack } from '../../infra/stack.js';
import { TABLE } from '../../lib/table.js';
import { newApp, onlyResource, removeAssembly, resourcesOfType } from './synth.js';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

const LOGS = ['logs:CreateLogStream on logs', 'logs:PutLogEvents on logs'];
const OPEN = `index/${TABLE.openIndex.name}`;
const DONE = `index/${TABLE.doneIndex.name}`;
/** The three priority lanes' postings queues, labelled by lane. */
const LANE_QUEUES = ['postings-high', 'postings', 'postings-low'];
const onLanes = (actions: string[]) => actions.flatMap((action) => LANE_QUEUES.map((queue) => `${action} on ${queue}`));

/** What each function may do, as `<action> on <resource>`; nothing else is allowed. */
const EXPECTED: Record<string, string[]> = {
  JobboardApi: [
    'dynamodb:PutItem on table where job#*,unique#*,operation#*',
    'dynamodb:GetItem on table where job#*,board#*,operation#*,schedule#*',
    'dynamodb:UpdateItem on table where job#*,board#*,operation#*,schedule#*',
    'dynamodb:BatchGetItem on table where job#*,counter#*',
    `dynamodb:Query on ${OPEN}`,
    `dynamodb:Query on ${DONE}`,
    // A posting goes out on the job's priority lane.
    ...onLanes(['sqs:SendMessage']),
    'sqs:ReceiveMessage on deadLetters',
    'sqs:DeleteMessage on deadLetters',
    // DELETE /schedules/{name}, and nothing else is ever deleted.
    'dynamodb:DeleteItem on table where schedule#*',
    ...LOGS,
  ],
  JobboardConductor: [
    // Transitions of jobs, and the board slots and scopes claims hold.
    'dynamodb:UpdateItem on table where job#*,board#*,scope#*',
    // Board settings (cached), a claim's job read back, the children of a parent that ended.
    'dynamodb:GetItem on table where job#*,board#*',
    'dynamodb:BatchGetItem on table where job#*',
    // ChangeMessageVisibility for leases and backoff, SendMessage for released children; the rest is what the
    // event source mapping needs. One event source mapping per lane.
    ...onLanes(['ChangeMessageVisibility', 'SendMessage', 'ReceiveMessage', 'DeleteMessage', 'GetQueueAttributes', 'GetQueueUrl'].map((a) => `sqs:${a}`)),
    'sqs:SendMessage on deadLetters',
    ...LOGS,
  ],
  JobboardSweeper: [
    'dynamodb:PutItem on table where cursor#*,job#*',
    'dynamodb:GetItem on table where cursor#*,board#*,job#*,operation#*,schedule#*',
    'dynamodb:UpdateItem on table where job#*,board#*,operation#*,schedule#*',
    'dynamodb:BatchGetItem on table where job#*',
    `dynamodb:Query on ${OPEN}`,
    // Bulk operations retry failed and trashed jobs, listed on the done index.
    `dynamodb:Query on ${DONE}`,
    ...onLanes(['sqs:SendMessage', 'sqs:GetQueueAttributes']),
    ...LOGS,
  ],
  JobboardStreamProcessor: [
    // What Lambda's poller reads, on this table's stream only.
    ...['DescribeStream', 'GetRecords', 'GetShardIterator', 'ListStreams'].map((a) => `dynamodb:${a} on stream`),
    'events:PutEvents on bus',
    // The mapping's on-failure destination.
    'sqs:SendMessage on streamFailures',
    // The counters: the shard's checkpoint is read, then moved with the deltas in one transaction.
    'dynamodb:GetItem on table where cursor#*',
    'dynamodb:UpdateItem on table where cursor#*,counter#*',
    ...LOGS,
  ],
};

let app: App;
let template: Template;

beforeAll(() => {
  // IAM does not depend on the code inside the functions: skip bundling.
  app = newApp({ bundling: false });
  template = Template.fromStack(new JobboardStack(app, 'Jobboard', { demoJobTypes: true }));
});

afterAll(() => removeAssembly(app));

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Every statement of every identity policy: inline role policies and AWS::IAM::Policy resources. */
function identityStatements(): { policy: string; roles: unknown[]; statement: Statement }[] {
  const found: { policy: string; roles: unknown[]; statement: Statement }[] = [];
  for (const [id, policy] of Object.entries(resourcesOfType(template, 'AWS::IAM::Policy'))) {
    const document = policy.Properties!.PolicyDocument as { Statement: Statement[] };
    for (const statement of document.Statement) found.push({ policy: id, roles: policy.Properties!.Roles as unknown[], statement });
  }
  for (const [id, role] of Object.entries(resourcesOfType(template, 'AWS::IAM::Role'))) {
    for (const inline of (role.Properties!.Policies as { PolicyDocument: { Statement: Statement[] } }[] | undefined) ?? []) {
      for (const statement of inline.PolicyDocument.Statement) found.push({ policy: `${id} (inline)`, roles: [{ Ref: id }], statement });
    }
  }
  return found;
}

/** Every string inside a value (a resource may be a Fn::Join of several). */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

/** Names a resource of a statement by what it is, or `unknown: …`. */
function labelOf(resource: unknown, logGroupId: string): string {
  const arn = (id: string) => JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] });
  const table = onlyResource(template, 'AWS::DynamoDB::Table', 'JobboardTable').id;
  const known: Record<string, string> = {
    [arn(table)]: 'table',
    [JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [table, 'Arn'] }, `/${OPEN}`]] })]: OPEN,
    [JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [table, 'Arn'] }, `/${DONE}`]] })]: DONE,
    [arn(onlyResource(template, 'AWS::SQS::Queue', 'JobboardHighPostings').id)]: 'postings-high',
    [arn(onlyResource(template, 'AWS::SQS::Queue', 'JobboardPostings').id)]: 'postings',
    [arn(onlyResource(template, 'AWS::SQS::Queue', 'JobboardLowPostings').id)]: 'postings-low',
    [arn(onlyResource(template, 'AWS::SQS::Queue', 'JobboardDeadLetters').id)]: 'deadLetters',
    [arn(onlyResource(template, 'AWS::SQS::Queue', 'JobboardStreamFailures').id)]: 'streamFailures',
    [JSON.stringify({ 'Fn::GetAtt': [table, 'StreamArn'] })]: 'stream',
    [arn(onlyResource(template, 'AWS::Events::EventBus', 'JobboardEvents').id)]: 'bus',
    [arn(logGroupId)]: 'logs',
  };
  return known[JSON.stringify(resource)] ?? `unknown: ${JSON.stringify(resource)}`;
}

/** `<action> on <resource>` for everything the function's role allows. */
function grantsOf(functionPrefix: string): string[] {
  const fn = onlyResource(template, 'AWS::Lambda::Function', functionPrefix).resource;
  const roleId = (fn.Properties!.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const logGroupId = (fn.Properties!.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
  const grants = new Set<string>();
  for (const { roles, statement } of identityStatements()) {
    if (!roles.some((role) => JSON.stringify(role) === JSON.stringify({ Ref: roleId }))) continue;
    expect(statement.Effect).toBe('Allow');
    // A statement limited to some keys says which: `… on table where cursor#*`.
    const leadingKeys = (statement as { Condition?: Record<string, Record<string, string[]>> }).Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'];
    const where = leadingKeys === undefined ? '' : ` where ${leadingKeys.join(',')}`;
    for (const action of list(statement.Action)) for (const resource of list(statement.Resource)) grants.add(`${action} on ${labelOf(resource, logGroupId)}${where}`);
  }
  return [...grants].sort();
}

describe('every IAM statement', () => {
  it('names its actions: no "*", no "service:*", no wildcard at all', () => {
    const statements = identityStatements();
    expect(statements.length).toBeGreaterThan(0);
    for (const { policy, statement } of statements) {
      for (const action of list(statement.Action)) expect(action, `${policy}: ${action}`).not.toContain('*');
    }
  });

  it('names its resources: no "*" anywhere in a resource', () => {
    for (const { policy, statement } of identityStatements()) {
      expect(statement.Resource, policy).toBeDefined();
      for (const text of strings(statement.Resource)) expect(text, `${policy}: ${JSON.stringify(statement.Resource)}`).not.toContain('*');
    }
  });

  it('touches only this stack’s table, its indexes and stream, its five queues (three lanes, the DLQ, stream failures), its bus and the function’s own log group', () => {
    for (const prefix of Object.keys(EXPECTED)) {
      for (const grant of grantsOf(prefix)) expect(grant, prefix).not.toContain('unknown');
    }
    // No policy is left attached to anything but the four function roles.
    const roles = Object.keys(resourcesOfType(template, 'AWS::IAM::Role'));
    expect(roles).toHaveLength(4);
  });
});

describe('each function', () => {
  it.each(Object.keys(EXPECTED))('%s holds exactly its grants', (prefix) => {
    expect(grantsOf(prefix)).toEqual([...EXPECTED[prefix]!].sort());
  });

  it('every item action is limited to item kinds: no function may touch every item of the table', () => {
    for (const prefix of Object.keys(EXPECTED)) {
      for (const grant of grantsOf(prefix).filter((g) => g.includes(' on table'))) expect(grant, prefix).toMatch(/ on table where /);
    }
  });

  it('the conductor creates no item and queries no index: it works on the jobs its postings name', () => {
    const conductor = grantsOf('JobboardConductor').join('\n');
    for (const action of ['Query', 'PutItem', 'Scan']) expect(conductor).not.toContain(`dynamodb:${action} `);
  });

  it('nobody can scan or write in batches, and nobody can delete items but schedules', () => {
    const grants = Object.keys(EXPECTED).flatMap(grantsOf);
    // DELETE /schedules/{name} is the one delete, and it is limited to schedule items.
    expect(grants.filter((grant) => grant.includes('dynamodb:DeleteItem'))).toEqual(['dynamodb:DeleteItem on table where schedule#*']);
    const all = grants.filter((grant) => !grant.includes('dynamodb:DeleteItem')).join('\n');
    for (const action of ['Scan', 'DeleteItem', 'BatchWriteItem', 'ConditionCheckItem', 'DeleteTable', 'PartiQL']) expect(all).not.toContain(`dynamodb:${action}`);
    expect(all).not.toContain('sqs:PurgeQueue');
  });

  it('roles have no AWS managed policies and trust only Lambda', () => {
    for (const role of Object.values(resourcesOfType(template, 'AWS::IAM::Role'))) {
      expect(role.Properties!.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties!.AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }],
      });
    }
  });
});

describe('resource policies', () => {
  it('queue policies only deny (plain-HTTP requests); they grant nothing', () => {
    for (const policy of Object.values(resourcesOfType(template, 'AWS::SQS::QueuePolicy'))) {
      for (const statement of (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement) expect(statement.Effect).toBe('Deny');
    }
  });

  it('functions can be invoked only by this API’s routes and this schedule', () => {
    const permissions = Object.values(resourcesOfType(template, 'AWS::Lambda::Permission'));
    expect(permissions.length).toBeGreaterThan(0);
    for (const permission of permissions) {
      expect(['apigateway.amazonaws.com', 'events.amazonaws.com']).toContain(permission.Properties!.Principal);
      expect(permission.Properties!.SourceArn, JSON.stringify(permission.Properties)).toBeDefined();
    }
  });
});
