/**
 * The DynamoDB client a handler builds once per cold start: the SDK's defaults on AWS; on the
 * local stack an endpoint, dummy credentials and (optionally) a bounded connection pool.
 */
import { Agent } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DynamoClientSettings {
  /** DynamoDB Local's URL; unset on AWS. */
  dynamoEndpoint?: string;
  /** Connections at once (default: the SDK's 50). */
  dynamoMaxSockets?: number;
}

/** Region and credentials the emulators accept: set only with an endpoint, never on AWS. */
export function localClientConfig(endpoint: string | undefined): { region?: string; credentials?: { accessKeyId: string; secretAccessKey: string } } {
  return endpoint === undefined ? {} : { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
}

export function dynamoClients(settings: DynamoClientSettings): { dynamo: DynamoDBClient; documentClient: DynamoDBDocumentClient } {
  const dynamo = new DynamoDBClient({
    ...localClientConfig(settings.dynamoEndpoint),
    ...(settings.dynamoEndpoint ? { endpoint: settings.dynamoEndpoint } : {}),
    ...(settings.dynamoMaxSockets ? { requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: settings.dynamoMaxSockets }) } } : {}),
  });
  return { dynamo, documentClient: DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } }) };
}
