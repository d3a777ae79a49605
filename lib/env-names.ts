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
  /** EventBridge's endpoint, for the deploy rehearsal (which stands one in locally); unset on AWS. */
  eventsEndpoint: 'JOBBOARD_EVENTS_ENDPOINT',
  /**
   * Tests and the deploy rehearsal only: a file every AWS call of the function is appended to, as
   * IAM authorizes it (functions/access-audit.ts). Never set on a deployed function.
   */
  accessAuditFile: 'JOBBOARD_ACCESS_AUDIT_FILE',
  /** Metrics (every Lambda handler): the CloudWatch namespace, and `true` to add the board as a dimension. */
  metricsNamespace: 'JOBBOARD_METRICS_NAMESPACE',
  metricsByBoard: 'JOBBOARD_METRICS_BY_BOARD',
} as const;

/** Read by the stream processor (functions/stream-processor.ts) besides the table name and endpoints above. */
export const STREAM_ENV = {
  /** The EventBridge bus job state changes go to. */
  eventBusName: 'JOBBOARD_EVENT_BUS_NAME',
  /** `all`, or a comma list of the states whose changes are published. */
  publishedStates: 'JOBBOARD_PUBLISHED_STATES',
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
  streamIdleMs: 'JOBBOARD_STREAM_IDLE_MS',
} as const;
