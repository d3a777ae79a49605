/**
 * The names of the environment variables Jobboard's functions and local stack read. Names only:
 * lib/ never reads the environment (functions/env.ts does); the CDK construct sets these names
 * on the functions it deploys, so it takes them from here rather than from functions/.
 */

/** Read by every Lambda handler (functions/env.ts). */
export const ENV = {
  tableName: 'JOBBOARD_TABLE_NAME',
  /** The normal lane's postings queue. */
  queueUrl: 'JOBBOARD_QUEUE_URL',
  /** The high and low lanes' queues; when unset, those lanes share the normal lane's queue. */
  queueUrlHigh: 'JOBBOARD_QUEUE_URL_HIGH',
  queueUrlLow: 'JOBBOARD_QUEUE_URL_LOW',
  deadLetterQueueUrl: 'JOBBOARD_DLQ_URL',
  retentionDays: 'JOBBOARD_RETENTION_DAYS',
  recordConcurrency: 'JOBBOARD_RECORD_CONCURRENCY',
  /** Endpoints, for the local stack; unset on AWS. */
  dynamoEndpoint: 'JOBBOARD_DYNAMODB_ENDPOINT',
  /** Connections to DynamoDB at once (default: the SDK's 50). */
  dynamoMaxSockets: 'JOBBOARD_DYNAMODB_MAX_SOCKETS',
  sqsEndpoint: 'JOBBOARD_SQS_ENDPOINT',
} as const;

/** Read by the local stack (`npm start`). */
export const LOCAL_ENV = {
  port: 'PORT',
  dataDir: 'JOBBOARD_DATA_DIR',
  apiToken: 'JOBBOARD_API_TOKEN',
  conductorTimeoutSeconds: 'JOBBOARD_CONDUCTOR_TIMEOUT_SECONDS',
  conductorConcurrency: 'JOBBOARD_CONDUCTOR_CONCURRENCY',
  sweepIntervalSeconds: 'JOBBOARD_SWEEP_INTERVAL_SECONDS',
  dynamoMaxSockets: 'JOBBOARD_DYNAMODB_MAX_SOCKETS',
  logTransitions: 'JOBBOARD_LOG_TRANSITIONS',
} as const;
