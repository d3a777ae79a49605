/**
 * The one place that reads environment variables. Lambda handlers and the local stack turn
 * them into the typed options of lib/.
 */
import { ENV, LOCAL_ENV, STREAM_ENV } from '../lib/env-names.js';
import { ConfigurationError } from '../lib/errors.js';
import type { PublishedStates } from '../lib/events/stream-processor.js';
import { JOB_STATES, isJobState } from '../lib/states.js';
import type { AccessAuditSettings } from './access-audit.js';

export { ENV, LOCAL_ENV, STREAM_ENV };


export interface FunctionEnvironment {
  tableName: string;
  /** The normal lane's queue. */
  queueUrl: string;
  /** The high and low lanes' queues; unset: those lanes use `queueUrl`. */
  queueUrlHigh?: string;
  queueUrlLow?: string;
  deadLetterQueueUrl: string;
  retentionDays?: number;
  recordConcurrency?: number;
  dynamoEndpoint?: string;
  sqsEndpoint?: string;
  dynamoMaxSockets?: number;
  /** Record every AWS call here (tests and the rehearsal; see functions/access-audit.ts). */
  accessAudit?: AccessAuditSettings;
}

/** The audit file from the environment, recorded under Lambda's own name for the function. */
function readAccessAudit(env: NodeJS.ProcessEnv): AccessAuditSettings | undefined {
  const file = env[ENV.accessAuditFile];
  return file === undefined || file === '' ? undefined : { file, functionName: env.AWS_LAMBDA_FUNCTION_NAME || 'unnamed' };
}

export function readEnvironment(env: NodeJS.ProcessEnv = process.env): FunctionEnvironment {
  const { required, optionalNumber } = readers(env);
  return {
    tableName: required(ENV.tableName),
    queueUrl: required(ENV.queueUrl),
    queueUrlHigh: env[ENV.queueUrlHigh] || undefined,
    queueUrlLow: env[ENV.queueUrlLow] || undefined,
    deadLetterQueueUrl: required(ENV.deadLetterQueueUrl),
    retentionDays: optionalNumber(ENV.retentionDays),
    recordConcurrency: optionalNumber(ENV.recordConcurrency),
    dynamoEndpoint: env[ENV.dynamoEndpoint] || undefined,
    sqsEndpoint: env[ENV.sqsEndpoint] || undefined,
    dynamoMaxSockets: optionalNumber(ENV.dynamoMaxSockets),
    accessAudit: readAccessAudit(env),
  };
}

/** What the stream processor reads: the table (for the counters), the bus, and which states it publishes. */
export interface StreamProcessorEnvironment {
  tableName: string;
  eventBusName: string;
  publishedStates: PublishedStates;
  dynamoEndpoint?: string;
  dynamoMaxSockets?: number;
  eventsEndpoint?: string;
  accessAudit?: AccessAuditSettings;
}

export function readStreamProcessorEnvironment(env: NodeJS.ProcessEnv = process.env): StreamProcessorEnvironment {
  const { required, optionalNumber } = readers(env);
  return {
    tableName: required(ENV.tableName),
    eventBusName: required(STREAM_ENV.eventBusName),
    publishedStates: parsePublishedStates(env[STREAM_ENV.publishedStates]),
    dynamoEndpoint: env[ENV.dynamoEndpoint] || undefined,
    dynamoMaxSockets: optionalNumber(ENV.dynamoMaxSockets),
    eventsEndpoint: env[ENV.eventsEndpoint] || undefined,
    accessAudit: readAccessAudit(env),
  };
}

/** `all` (the default when unset) or a comma list of states, each one of lib's states. */
export function parsePublishedStates(value: string | undefined): PublishedStates {
  const text = (value ?? '').trim();
  if (text === '' || text === 'all') return 'all';
  const parts = text.split(',').map((part) => part.trim());
  const unknown = parts.filter((part) => !isJobState(part));
  if (unknown.length > 0) {
    throw new ConfigurationError(
      `environment variable ${STREAM_ENV.publishedStates} must be "all" or a comma list of states (${JOB_STATES.join(', ')}), got ${JSON.stringify(value)}: unknown ${unknown.map((s) => JSON.stringify(s)).join(', ')}`,
    );
  }
  return [...new Set(parts.filter(isJobState))];
}

/** Settings of the Lambda handlers' metrics. */
export interface MetricsEnvironment {
  /** CloudWatch namespace of the EMF metrics. */
  namespace: string;
  /** Add the board as a dimension (each board then bills its own metrics). */
  byBoard: boolean;
}

/** Namespace when the construct sets none (a function deployed by hand). */
export const DEFAULT_METRICS_NAMESPACE = 'Jobboard';

export function readMetricsEnvironment(env: NodeJS.ProcessEnv = process.env): MetricsEnvironment {
  const byBoard = (env[ENV.metricsByBoard] ?? 'false').trim();
  if (byBoard !== 'true' && byBoard !== 'false') throw new ConfigurationError(`environment variable ${ENV.metricsByBoard} must be "true" or "false", got ${JSON.stringify(env[ENV.metricsByBoard])}`);
  return { namespace: env[ENV.metricsNamespace] || DEFAULT_METRICS_NAMESPACE, byBoard: byBoard === 'true' };
}

/** A required variable, and an optional number, each failing with a message that names the variable. */
function readers(env: NodeJS.ProcessEnv) {
  return {
    required: (name: string): string => {
      const value = env[name];
      if (value === undefined || value === '') throw new ConfigurationError(`environment variable ${name} is not set`);
      return value;
    },
    optionalNumber: (name: string): number | undefined => {
      const value = env[name];
      if (value === undefined || value === '') return undefined;
      const parsed = Number(value);
      if (!Number.isFinite(parsed)) throw new ConfigurationError(`environment variable ${name} must be a number, got ${JSON.stringify(value)}`);
      return parsed;
    },
  };
}

/** The local conductor's invocation timeout by default: Lambda's longest, so every `timeoutSeconds` the API accepts is honoured. */
export const LOCAL_CONDUCTOR_TIMEOUT_SECONDS = 900;

/** Settings of the local stack (`npm start`), with defaults that work on a laptop. */
export interface LocalStackEnvironment {
  /** HTTP port on 127.0.0.1. */
  port: number;
  /** Where DynamoDB Local keeps its data, so accepted jobs survive a restart. */
  dataDir: string;
  /** When set, every route but /health needs `Authorization: Bearer <token>`. */
  apiToken: string | undefined;
  /**
   * The conductor's Lambda-like invocation timeout. Leases are shorter (renewed as a run goes on),
   * so crash recovery does not wait for it.
   */
  conductorTimeoutSeconds: number;
  /** Conductor invocations at once (the event source's maximum concurrency). */
  conductorConcurrency: number;
  sweepIntervalSeconds: number;
  /**
   * Requests to DynamoDB Local at once. It serves a few concurrent writes fastest and slows down
   * under many; the rest wait for a connection.
   */
  dynamoMaxSockets: number;
  /** Print a JSON line per job transition. */
  logTransitions: boolean;
  /** How long the change stream's reader waits after finding nothing new. */
  streamIdleMs: number;
}


export function readLocalStackEnvironment(env: NodeJS.ProcessEnv = process.env): LocalStackEnvironment {
  const number = (name: string, fallback: number, min: number, max: number): number => {
    const value = env[name];
    if (value === undefined || value === '') return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
      throw new ConfigurationError(`environment variable ${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
    }
    return parsed;
  };
  return {
    port: number(LOCAL_ENV.port, 3000, 0, 65_535),
    dataDir: env[LOCAL_ENV.dataDir] || '.jobboard',
    apiToken: env[LOCAL_ENV.apiToken] || undefined,
    conductorTimeoutSeconds: number(LOCAL_ENV.conductorTimeoutSeconds, LOCAL_CONDUCTOR_TIMEOUT_SECONDS, 5, 900),
    conductorConcurrency: number(LOCAL_ENV.conductorConcurrency, 4, 1, 100),
    sweepIntervalSeconds: number(LOCAL_ENV.sweepIntervalSeconds, 60, 1, 3_600),
    dynamoMaxSockets: number(LOCAL_ENV.dynamoMaxSockets, 8, 1, 1_000),
    logTransitions: (env[LOCAL_ENV.logTransitions] ?? 'true') !== 'false',
    streamIdleMs: number(LOCAL_ENV.streamIdleMs, 200, 10, 600_000),
  };
}
