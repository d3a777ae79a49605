/**
 * The AWS clients a handler builds once per cold start: the SDK's defaults on AWS; on the local
 * stack (and in the rehearsal) an endpoint, dummy credentials and (optionally) a bounded
 * connection pool. Every client any function uses is built here, so the access audit
 * (functions/access-audit.ts) sees every call: given an audit, each client records its calls.
 */
import { Agent } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { auditClient, type AccessAudit } from './access-audit.js';

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

/** An endpoint and the local config that goes with it, or nothing (AWS). */
function endpointConfig(endpoint: string | undefined): { endpoint?: string; region?: string; credentials?: { accessKeyId: string; secretAccessKey: string } } {
  return endpoint === undefined ? {} : { ...localClientConfig(endpoint), endpoint };
}

export function dynamoClients(settings: DynamoClientSettings, audit?: AccessAudit): { dynamo: DynamoDBClient; documentClient: DynamoDBDocumentClient } {
  const dynamo = new DynamoDBClient({
    ...endpointConfig(settings.dynamoEndpoint),
    ...(settings.dynamoMaxSockets ? { requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: settings.dynamoMaxSockets }) } } : {}),
  });
  // The DocumentClient sends through `dynamo`'s middleware stack: one audit covers both.
  auditClient(dynamo, 'dynamodb', audit);
  return { dynamo, documentClient: DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } }) };
}

export function sqsClient(settings: { sqsEndpoint?: string }, audit?: AccessAudit): SQSClient {
  return auditClient(new SQSClient(endpointConfig(settings.sqsEndpoint)), 'sqs', audit);
}

export function eventBridgeClient(settings: { eventsEndpoint?: string }, audit?: AccessAudit): EventBridgeClient {
  return auditClient(new EventBridgeClient(endpointConfig(settings.eventsEndpoint)), 'events', audit);
}

/** The table's change stream (the local stack reads it; on AWS, Lambda's event source mapping does). */
export function streamsClient(settings: { dynamoEndpoint?: string }, audit?: AccessAudit): DynamoDBStreamsClient {
  return auditClient(new DynamoDBStreamsClient(endpointConfig(settings.dynamoEndpoint)), 'dynamodb-streams', audit);
}
