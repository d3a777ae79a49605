/**
 * Job types: code registered under a name and version that validates payloads and runs jobs.
 */
import { JOB_DEFAULTS, LIMITS, resolveBackoffOptions, type BackoffOptions } from './config.js';
import { ConfigurationError, ValidationError } from './errors.js';
import type { Logger } from './logger.js';
import type { Job } from './model.js';

export type { Logger };


/** What a running job gets. */
export interface JobContext<P = Record<string, unknown>> {
  job: Readonly<Job>;
  payload: P;
  /** 1 on the first attempt. */
  attempt: number;
  /** Fires at the job's timeout or before the invocation's deadline: stop and throw. */
  signal: AbortSignal;
  /** Extends the lease and the posting's visibility. Throws `ClaimLostError` if the job was taken over. */
  heartbeat(): Promise<void>;
  /**
   * Reports progress: a number from 0 to 100, or a JSON object of at most 1 KiB. It shows as the
   * job's `progress`. Writes are coalesced (at most one every 2 s; the last value wins and is kept
   * when the attempt ends), so call it as often as you like. A bad value throws a `ValidationError`.
   */
  progress(value: number | Record<string, unknown>): void;
  /**
   * Ends this attempt with the job `suspended` (it waits for an operator's resume; the attempt
   * does not count). Throws a `SuspendError`; throwing one yourself does the same.
   */
  suspend(reason?: string): never;
  logger: Logger;
}

export interface JobTypeDefinition<P = Record<string, unknown>> {
  name: string;
  /** Whole number ≥ 1. A job posted under a newer version than the running code knows is handed back. */
  version: number;
  /** Throws (any error) or returns issues to reject a payload at post time. */
  validate?: (payload: Record<string, unknown>) => void | string[];
  defaults?: { maxAttempts?: number; timeoutSeconds?: number; backoff?: Partial<BackoffOptions> };
  run(context: JobContext<P>): Promise<unknown>;
}

export interface JobType<P = Record<string, unknown>> extends JobTypeDefinition<P> {
  defaults: { maxAttempts: number; timeoutSeconds: number; backoff: BackoffOptions };
}

const NAME_PATTERN = /^[A-Za-z0-9_.:-]{1,200}$/;

/** Checks a definition and fills its defaults. */
export function defineJobType<P = Record<string, unknown>>(definition: JobTypeDefinition<P>): JobType<P> {
  if (!NAME_PATTERN.test(definition.name)) throw new ConfigurationError(`job type name ${JSON.stringify(definition.name)} must match ${NAME_PATTERN}`);
  if (!Number.isInteger(definition.version) || definition.version < 1) {
    throw new ConfigurationError(`job type ${definition.name}: version must be a whole number ≥ 1`);
  }
  const maxAttempts = definition.defaults?.maxAttempts ?? JOB_DEFAULTS.maxAttempts;
  const timeoutSeconds = definition.defaults?.timeoutSeconds ?? JOB_DEFAULTS.timeoutSeconds;
  if (!Number.isInteger(maxAttempts) || maxAttempts < LIMITS.maxAttemptsMin || maxAttempts > LIMITS.maxAttemptsMax) {
    throw new ConfigurationError(`job type ${definition.name}: defaults.maxAttempts must be ${LIMITS.maxAttemptsMin}–${LIMITS.maxAttemptsMax}`);
  }
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < LIMITS.timeoutSecondsMin || timeoutSeconds > LIMITS.timeoutSecondsMax) {
    throw new ConfigurationError(`job type ${definition.name}: defaults.timeoutSeconds must be ${LIMITS.timeoutSecondsMin}–${LIMITS.timeoutSecondsMax}`);
  }
  return { ...definition, defaults: { maxAttempts, timeoutSeconds, backoff: resolveBackoffOptions(definition.defaults?.backoff) } };
}

/** The job types one deployment knows. */
export class JobTypeRegistry {
  private readonly types = new Map<string, JobType>();

  constructor(types: readonly JobType<never>[] = []) {
    for (const type of types) this.register(type);
  }

  register(type: JobType<never>): void {
    if (this.types.has(type.name)) throw new ConfigurationError(`job type ${type.name} is registered twice`);
    this.types.set(type.name, type as unknown as JobType);
  }

  get(name: string): JobType | undefined {
    return this.types.get(name);
  }

  names(): string[] {
    return [...this.types.keys()].sort();
  }

  /**
   * Checks a payload against its type at post time. Unknown types and rejected payloads are
   * `ValidationError`s, so the API answers 400 and nothing is written.
   */
  validatePayload(typeName: unknown, payload: unknown): JobType {
    const type = typeof typeName === 'string' ? this.types.get(typeName) : undefined;
    if (type === undefined) {
      throw new ValidationError(`unknown job type ${JSON.stringify(typeName)}`, [{ path: 'type', message: `known types: ${this.names().join(', ')}` }]);
    }
    if (type.validate === undefined || payload === null || typeof payload !== 'object' || Array.isArray(payload)) return type;
    let issues: string[] = [];
    try {
      issues = type.validate(payload as Record<string, unknown>) ?? [];
    } catch (error) {
      issues = [error instanceof Error ? error.message : String(error)];
    }
    if (issues.length > 0) {
      throw new ValidationError(`payload is not valid for ${type.name}`, issues.map((message) => ({ path: 'payload', message })));
    }
    return type;
  }
}
