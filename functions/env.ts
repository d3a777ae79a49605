/**
 * The one place that reads environment variables. Lambda handlers and the local stack turn
 * them into the typed options of lib/.
 */
import { ConfigurationError } from '../lib/errors.js';

export const ENV = {
  tableName: 'JOBBOARD_TABLE_NAME',
  queueUrl: 'JOBBOARD_QUEUE_URL',
  deadLetterQueueUrl: 'JOBBOARD_DLQ_URL',
  retentionDays: 'JOBBOARD_RETENTION_DAYS',
  recordConcurrency: 'JOBBOARD_RECORD_CONCURRENCY',
  /** Endpoints, for the local stack; unset on AWS. */
  dynamoEndpoint: 'JOBBOARD_DYNAMODB_ENDPOINT',
  sqsEndpoint: 'JOBBOARD_SQS_ENDPOINT',
} as const;

export interface FunctionEnvironment {
  tableName: string;
  queueUrl: string;
  deadLetterQueueUrl: string;
  retentionDays?: number;
  recordConcurrency?: number;
  dynamoEndpoint?: string;
  sqsEndpoint?: string;
}

export function readEnvironment(env: NodeJS.ProcessEnv = process.env): FunctionEnvironment {
  const required = (name: string): string => {
    const value = env[name];
    if (value === undefined || value === '') throw new ConfigurationError(`environment variable ${name} is not set`);
    return value;
  };
  const optionalNumber = (name: string): number | undefined => {
    const value = env[name];
    if (value === undefined || value === '') return undefined;
    const parsed = Number(value);
    if (!Number.isFinite(parsed)) throw new ConfigurationError(`environment variable ${name} must be a number, got ${JSON.stringify(value)}`);
    return parsed;
  };
  return {
    tableName: required(ENV.tableName),
    queueUrl: required(ENV.queueUrl),
    deadLetterQueueUrl: required(ENV.deadLetterQueueUrl),
    retentionDays: optionalNumber(ENV.retentionDays),
    recordConcurrency: optionalNumber(ENV.recordConcurrency),
    dynamoEndpoint: env[ENV.dynamoEndpoint] || undefined,
    sqsEndpoint: env[ENV.sqsEndpoint] || undefined,
  };
}
