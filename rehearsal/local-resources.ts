/**
 * Stands up a template's table and queues on the emulators, from the template's own properties
 * (key schema, indexes, stream; visibility, retention, redrive), named after their logical ids,
 * and returns the template resolved onto them.
 */
import { CreateTableCommand, DescribeTableCommand, type CreateTableCommandInput, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DeployedTemplate, physicalResources, type CfnResource, type CfnTemplate, type Placement } from './template.js';

/** Where every ARN of the rehearsal lives: the template is environment-agnostic, so this is ours to pick. */
export const REHEARSAL_PLACEMENT: Placement = { account: '123456789012', region: 'us-east-1' };

export interface LocalResources {
  deployment: DeployedTemplate;
  tableName: string;
  /** The table's logical id. */
  tableId: string;
  /** DynamoDB Local's own ARN of the table's stream (what its stream API answers to). */
  localStreamArn: string;
  /** Queue URLs by logical id. */
  queueUrls: Map<string, string>;
}

/**
 * `namePrefix` goes before every resource's logical id, so rehearsals sharing one DynamoDB Local
 * (the test run's) keep apart.
 */
export async function createLocalResources(template: CfnTemplate, clients: { dynamo: DynamoDBClient; sqs: SQSClient }, namePrefix = '', placement: Placement = REHEARSAL_PLACEMENT): Promise<LocalResources> {
  const nameOf = (logicalId: string) => `${namePrefix}${logicalId}`;
  const tables = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::DynamoDB::Table');
  if (tables.length !== 1) throw new Error(`the rehearsal expects one table, the template has ${tables.length}`);
  const [tableId, table] = tables[0] as [string, CfnResource];
  const tableName = nameOf(tableId);
  await clients.dynamo.send(new CreateTableCommand(createTableInputOf(tableName, table)));
  const described = await clients.dynamo.send(new DescribeTableCommand({ TableName: tableName }));
  const localStreamArn = described.Table?.LatestStreamArn ?? '';

  // Queues without a redrive policy (the dead-letter queues) first: the others name them.
  const queues = Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::SQS::Queue')
    .sort(([, a], [, b]) => Number(a.Properties?.RedrivePolicy !== undefined) - Number(b.Properties?.RedrivePolicy !== undefined));
  const queueUrls = new Map<string, string>();
  const emulatorArns = new Map<string, string>();
  for (const [id, queue] of queues) {
    const props = queue.Properties ?? {};
    const attributes: Record<string, string> = {};
    for (const name of ['VisibilityTimeout', 'MessageRetentionPeriod', 'DelaySeconds', 'ReceiveMessageWaitTimeSeconds'] as const) {
      if (props[name] !== undefined) attributes[name] = String(props[name]);
    }
    const redrive = props.RedrivePolicy as { deadLetterTargetArn: { 'Fn::GetAtt': [string, string] }; maxReceiveCount: number } | undefined;
    if (redrive !== undefined) {
      const target = emulatorArns.get(redrive.deadLetterTargetArn['Fn::GetAtt'][0]);
      if (target === undefined) throw new Error(`queue ${id}'s dead-letter queue is not in the template`);
      attributes.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: target, maxReceiveCount: redrive.maxReceiveCount });
    }
    const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: nameOf(id), Attributes: attributes }));
    const { Attributes } = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    queueUrls.set(id, QueueUrl ?? '');
    emulatorArns.set(id, Attributes?.QueueArn ?? '');
  }

  const streamLabel = localStreamArn.split('/stream/')[1];
  const physical = physicalResources(template, placement, {
    nameOf,
    queueUrl: (id) => queueUrls.get(id) ?? `https://sqs.${placement.region}.amazonaws.com/${placement.account}/${nameOf(id)}`,
    ...(streamLabel === undefined ? {} : { streamLabel }),
  });
  return { deployment: new DeployedTemplate(template, placement, physical), tableName, tableId, localStreamArn, queueUrls };
}

/** The CreateTable request a CloudFormation table's properties describe. */
function createTableInputOf(name: string, table: CfnResource): CreateTableCommandInput {
  const props = table.Properties ?? {};
  const stream = props.StreamSpecification as { StreamViewType?: string } | undefined;
  return {
    TableName: name,
    KeySchema: props.KeySchema as CreateTableCommandInput['KeySchema'],
    AttributeDefinitions: props.AttributeDefinitions as CreateTableCommandInput['AttributeDefinitions'],
    BillingMode: (props.BillingMode as CreateTableCommandInput['BillingMode']) ?? 'PAY_PER_REQUEST',
    ...(props.GlobalSecondaryIndexes === undefined ? {} : { GlobalSecondaryIndexes: props.GlobalSecondaryIndexes as CreateTableCommandInput['GlobalSecondaryIndexes'] }),
    ...(stream?.StreamViewType === undefined ? {} : { StreamSpecification: { StreamEnabled: true, StreamViewType: stream.StreamViewType as 'NEW_AND_OLD_IMAGES' } }),
  };
}
