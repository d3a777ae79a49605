/**
 * The one place that reads environment variables. Lambda handlers and the local stack turn
 * them into the typed options of lib/.
 */
import { ENV, LOCAL_ENV } from '../lib/env-names.js';
import { ConfigurationError } from '../lib/errors.js';

export { ENV, LOCAL_ENV };


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
    queueUrlHigh: env[ENV.queueUrlHigh] || undefined,
    queueUrlLow: env[ENV.queueUrlLow] || undefined,
    deadLetterQueueUrl: required(ENV.deadLetterQueueUrl),
    retentionDays: optionalNumber(ENV.retentionDays),
    recordConcurrency: optionalNumber(ENV.recordConcurrency),
    dynamoEndpoint: env[ENV.dynamoEndpoint] || undefined,
    sqsEndpoint: env[ENV.sqsEndpoint] || undefined,
    dynamoMaxSockets: optionalNumber(ENV.dynamoMaxSockets),
  };
}

/** Settings of the local stack (`npm start`), with defaults that work on a laptop. */
export interface LocalStackEnvironment {
  /** HTTP port on 127.0.0.1. */
  port: number;
  /** Where DynamoDB Local keeps its data, so accepted jobs survive a restart. */
  dataDir: string;
  /** When set, every route but /health needs `Authorization: Bearer <token>`. */
  apiToken: string | undefined;
  /** The conductor's Lambda-like invocation timeout. */
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
    conductorTimeoutSeconds: number(LOCAL_ENV.conductorTimeoutSeconds, 60, 5, 900),
    conductorConcurrency: number(LOCAL_ENV.conductorConcurrency, 4, 1, 100),
    sweepIntervalSeconds: number(LOCAL_ENV.sweepIntervalSeconds, 60, 1, 3_600),
    dynamoMaxSockets: number(LOCAL_ENV.dynamoMaxSockets, 8, 1, 1_000),
    logTransitions: (env[LOCAL_ENV.logTransitions] ?? 'true') !== 'false',
  };
}
