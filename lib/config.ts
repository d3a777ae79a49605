/**
 * Every tunable of Jobboard, with its default, in one place. Units are in the names.
 * Components take a partial options object and call the matching `resolve…` function, which
 * fills defaults and rejects a bad value with a message naming the option. Environment
 * variables are read elsewhere (functions/env.ts, local/), never here.
 */
import { ConfigurationError } from './errors.js';

/** Limits of the job contract (DESIGN.md). */
export const LIMITS = {
  /** Largest serialized payload accepted at post. */
  payloadBytes: 256 * 1024,
  /** Largest serialized result stored; a bigger one fails the job with `ResultTooLargeError`. */
  resultBytes: 64 * 1024,
  /** How many errors a job keeps, newest last. */
  errorHistory: 10,
  /** How many attempts a job's history keeps, newest last. */
  attemptHistory: 20,
  /** Largest serialized `ctx.progress()` object. */
  progressBytes: 1024,
  maxAttemptsMin: 1,
  maxAttemptsMax: 100,
  timeoutSecondsMin: 1,
  timeoutSecondsMax: 900,
  /** One year: the longest `delaySeconds`. */
  delaySecondsMax: 31_536_000,
  /** Job ids: 1–128 of these characters. */
  idPattern: /^[A-Za-z0-9_.:-]{1,128}$/,
  /** Board names: 1–64 of these characters. */
  boardPattern: /^[A-Za-z0-9_.-]{1,64}$/,
  maxRunningMax: 10_000,
  /** Scopes per job, and the largest `limit` of one scope. */
  scopesMax: 10,
  scopeLimitMax: 10_000,
  /** Parents per job. */
  dependsOnMax: 100,
  listLimitMax: 100,
  listLimitDefault: 50,
  /** SQS: the longest DelaySeconds of one message. */
  sqsMaxDelaySeconds: 15 * 60,
  /** SQS: the longest visibility timeout of one message. */
  sqsMaxVisibilitySeconds: 12 * 60 * 60,
  /** SQS: entries in one batch request. */
  sqsBatchSize: 10,
} as const;

/** Defaults a job gets when neither the request nor its job type says otherwise. */
export const JOB_DEFAULTS = {
  maxAttempts: 5,
  timeoutSeconds: 60,
} as const;

export interface StoreOptions {
  /** Name of the DynamoDB table. */
  tableName: string;
  /** How long finished jobs are kept before DynamoDB's TTL removes them. */
  retentionDays: number;
  /** Tolerated clock difference between conductors: a lease counts as expired only this long after its end. */
  clockSkewMs: number;
  /** Open jobs examined at most per list call when the state filter needs item reads. */
  listScanLimit: number;
}

export const STORE_DEFAULTS: Omit<StoreOptions, 'tableName'> = {
  retentionDays: 7,
  clockSkewMs: 1_000,
  listScanLimit: 1_000,
};

export function resolveStoreOptions(options: Partial<StoreOptions> & { tableName: string }): StoreOptions {
  const resolved = { ...STORE_DEFAULTS, ...defined(options) } as StoreOptions;
  requireText('tableName', resolved.tableName);
  requireNumber('retentionDays', resolved.retentionDays, { min: 0.001 });
  requireNumber('clockSkewMs', resolved.clockSkewMs, { min: 0, integer: true });
  requireNumber('listScanLimit', resolved.listScanLimit, { min: 100, integer: true });
  return resolved;
}

export interface BackoffOptions {
  /** Delay before the second attempt, before jitter. */
  baseMs: number;
  /** Longest delay between attempts, before jitter. */
  capMs: number;
}

export const BACKOFF_DEFAULTS: BackoffOptions = { baseMs: 1_000, capMs: 15 * 60 * 1_000 };

export function resolveBackoffOptions(options: Partial<BackoffOptions> = {}): BackoffOptions {
  const resolved = { ...BACKOFF_DEFAULTS, ...defined(options) };
  requireNumber('backoff.baseMs', resolved.baseMs, { min: 0 });
  requireNumber('backoff.capMs', resolved.capMs, { min: resolved.baseMs, max: LIMITS.sqsMaxVisibilitySeconds * 1_000 });
  return resolved;
}

export interface ConductorOptions {
  /** Records of one batch run at the same time, at most. */
  recordConcurrency: number;
  /** A record is not started when the invocation has less time left than this. */
  minRemainingToStartMs: number;
  /** Kept free before the invocation's deadline: the abort signal fires this long before it, so the outcome can be written. */
  deadlineReserveMs: number;
  /**
   * Lease taken at claim, bounded by the invocation's time left. The claim cannot know the job's
   * timeout without a read, so a run that outlasts this renews its lease as it goes.
   */
  leaseMs: number;
  /** Added to every lease, so the outcome write lands inside it. */
  leaseMarginMs: number;
}

export const CONDUCTOR_DEFAULTS: ConductorOptions = {
  recordConcurrency: 10,
  minRemainingToStartMs: 3_000,
  deadlineReserveMs: 2_000,
  leaseMs: 60_000,
  leaseMarginMs: 5_000,
};

export function resolveConductorOptions(options: Partial<ConductorOptions> = {}): ConductorOptions {
  const resolved = { ...CONDUCTOR_DEFAULTS, ...defined(options) };
  requireNumber('recordConcurrency', resolved.recordConcurrency, { min: 1, max: 100, integer: true });
  requireNumber('minRemainingToStartMs', resolved.minRemainingToStartMs, { min: 0 });
  requireNumber('deadlineReserveMs', resolved.deadlineReserveMs, { min: 0 });
  requireNumber('leaseMs', resolved.leaseMs, { min: 1_000 });
  requireNumber('leaseMarginMs', resolved.leaseMarginMs, { min: 0 });
  return resolved;
}

export interface SweeperOptions {
  /** A posting not picked up this long after it became deliverable is presumed lost, when the queue is idle. */
  horizonMs: number;
  /** …and presumed lost even behind a backlog once it is this old. */
  backlogHorizonMs: number;
  /** Delayed jobs falling due within this window are posted now (with an SQS delay). */
  lookaheadMs: number;
  /** Index entries read per page of a sweep. */
  pageSize: number;
  /** A sweep stops this long before its invocation's deadline, and saves where it got to. */
  reserveMs: number;
}

export const SWEEPER_DEFAULTS: SweeperOptions = {
  horizonMs: 2 * 60 * 1_000,
  backlogHorizonMs: 60 * 60 * 1_000,
  lookaheadMs: 2 * 60 * 1_000,
  pageSize: 100,
  reserveMs: 5_000,
};

export function resolveSweeperOptions(options: Partial<SweeperOptions> = {}): SweeperOptions {
  const resolved = { ...SWEEPER_DEFAULTS, ...defined(options) };
  requireNumber('horizonMs', resolved.horizonMs, { min: 0 });
  requireNumber('backlogHorizonMs', resolved.backlogHorizonMs, { min: resolved.horizonMs });
  requireNumber('lookaheadMs', resolved.lookaheadMs, { min: 0, max: LIMITS.sqsMaxDelaySeconds * 1_000 });
  requireNumber('pageSize', resolved.pageSize, { min: 1, max: 1_000, integer: true });
  requireNumber('reserveMs', resolved.reserveMs, { min: 0 });
  return resolved;
}

/** Drops keys whose value is undefined, so they do not override defaults. */
function defined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function requireText(name: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ConfigurationError(`option ${name} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
}

function requireNumber(name: string, value: unknown, bounds: { min?: number; max?: number; integer?: boolean }): void {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (bounds.integer !== true || Number.isInteger(value)) &&
    (bounds.min === undefined || value >= bounds.min) &&
    (bounds.max === undefined || value <= bounds.max);
  if (!ok) {
    const range = `${bounds.min ?? '-∞'}..${bounds.max ?? '∞'}`;
    throw new ConfigurationError(`option ${name} must be a ${bounds.integer ? 'whole ' : ''}number in ${range}, got ${JSON.stringify(value)}`);
  }
}
