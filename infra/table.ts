/**
 * The CDK table, built from `createTableInput` in lib/table.ts: the very request the local stack
 * and the tests send to DynamoDB Local. Translating that request (rather than retyping its keys)
 * means a new index or key in lib/ reaches AWS without an edit here.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
  type Attribute,
  type GlobalSecondaryIndexProps,
} from 'aws-cdk-lib/aws-dynamodb';
import type { KeySchemaElement, CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { TABLE, createTableInput } from '../lib/table.js';

export interface JobsTableProps {
  readonly removalPolicy: RemovalPolicy;
  /** A customer-managed key instead of the AWS-managed one. */
  readonly encryptionKey?: IKey;
}

/** The table's definition as lib/ states it (the name is CloudFormation's to choose). */
export function tableDefinition(): CreateTableCommandInput {
  return createTableInput('cloudformation-chooses-the-name');
}

/**
 * Creates the jobs table.
 * - On-demand billing, as lib/ requests: job traffic is bursty and capacity planning is not the user's job.
 * - TTL on `TABLE.ttlAttribute`: collects finished jobs after the retention window (never used as a lease).
 * - Point-in-time recovery: the table is the only record of every job.
 * - Encryption with the AWS managed key (`aws/dynamodb`): unlike the default AWS owned key its use
 *   shows in CloudTrail, and unlike a customer managed key it needs no key policy, no per-function
 *   KMS grants and no monthly key fee. Boards that must revoke access by disabling a key can
 *   switch to `TableEncryption.CUSTOMER_MANAGED` and grant `kms:Decrypt`/`kms:GenerateDataKey`.
 * - Deletion protection while the table is retained, so neither the console nor a stack change deletes it.
 * - The change stream lib/ asks for (both images: events and counters need the state before and after).
 */
export function createJobsTable(scope: Construct, id: string, props: JobsTableProps): Table {
  const input = tableDefinition();
  if (input.BillingMode !== BillingMode.PAY_PER_REQUEST) throw new Error(`lib/table.ts asks for billing mode ${input.BillingMode}; infra/table.ts supports PAY_PER_REQUEST`);
  const table = new Table(scope, id, {
    partitionKey: keyAttribute(input, input.KeySchema, 'HASH'),
    ...optionalSortKey(input, input.KeySchema),
    billingMode: BillingMode.PAY_PER_REQUEST,
    timeToLiveAttribute: TABLE.ttlAttribute,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    ...(props.encryptionKey === undefined
      ? { encryption: TableEncryption.AWS_MANAGED }
      : { encryption: TableEncryption.CUSTOMER_MANAGED, encryptionKey: props.encryptionKey }),
    removalPolicy: props.removalPolicy,
    deletionProtection: props.removalPolicy === RemovalPolicy.RETAIN,
    ...streamOf(input),
  });
  for (const index of input.GlobalSecondaryIndexes ?? []) {
    if (index.IndexName === undefined) throw new Error('lib/table.ts defines an index without a name');
    const projection = index.Projection?.ProjectionType ?? 'ALL';
    const props: GlobalSecondaryIndexProps = {
      indexName: index.IndexName,
      partitionKey: keyAttribute(input, index.KeySchema, 'HASH'),
      ...optionalSortKey(input, index.KeySchema),
      projectionType: PROJECTIONS[projection],
      ...(projection === 'INCLUDE' ? { nonKeyAttributes: [...(index.Projection?.NonKeyAttributes ?? [])] } : {}),
    };
    table.addGlobalSecondaryIndex(props);
  }
  return table;
}

/** Names of the table's global secondary indexes, from lib/. */
export function indexNames(): string[] {
  return (tableDefinition().GlobalSecondaryIndexes ?? []).map((index) => index.IndexName ?? '');
}

/** The table's stream as lib/ specifies it, or none. */
function streamOf(input: CreateTableCommandInput): { stream?: StreamViewType } {
  const spec = input.StreamSpecification;
  if (spec?.StreamEnabled !== true) return {};
  const viewType = Object.values(StreamViewType).find((value) => value === spec.StreamViewType);
  if (viewType === undefined) throw new Error(`lib/table.ts asks for stream view type ${spec.StreamViewType}, which CDK does not know`);
  return { stream: viewType };
}

const PROJECTIONS: Record<string, ProjectionType> = {
  ALL: ProjectionType.ALL,
  KEYS_ONLY: ProjectionType.KEYS_ONLY,
  INCLUDE: ProjectionType.INCLUDE,
};

const ATTRIBUTE_TYPES: Record<string, AttributeType> = { S: AttributeType.STRING, N: AttributeType.NUMBER, B: AttributeType.BINARY };

function keyAttribute(input: CreateTableCommandInput, schema: KeySchemaElement[] | undefined, keyType: 'HASH' | 'RANGE'): Attribute {
  const name = schema?.find((element) => element.KeyType === keyType)?.AttributeName;
  if (name === undefined) throw new Error(`lib/table.ts: a key schema has no ${keyType} key`);
  const declared = input.AttributeDefinitions?.find((definition) => definition.AttributeName === name)?.AttributeType;
  const type = declared === undefined ? undefined : ATTRIBUTE_TYPES[declared];
  if (type === undefined) throw new Error(`lib/table.ts: key attribute ${name} has no attribute definition`);
  return { name, type };
}

function optionalSortKey(input: CreateTableCommandInput, schema: KeySchemaElement[] | undefined): { sortKey?: Attribute } {
  return schema?.some((element) => element.KeyType === 'RANGE') ? { sortKey: keyAttribute(input, schema, 'RANGE') } : {};
}
