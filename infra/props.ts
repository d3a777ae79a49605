/**
 * The props of the `Jobboard` construct, their defaults, and the checks that reject what a
 * deployed board could not honour, each naming the prop.
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { ThrottleSettings } from 'aws-cdk-lib/aws-apigatewayv2';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Runtime } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { CONDUCTOR_DEFAULTS, LIMITS, resolveConductorOptions, resolveStoreOptions } from '../lib/config.js';
import { ConfigurationError } from '../lib/errors.js';
import { LANES, type Lane } from '../lib/queues.js';
import { JOB_STATES, isJobState, type JobState } from '../lib/states.js';
import type { HandlerName, JobTypesModule } from './handlers.js';

/** Size and time of one function. */
export interface FunctionSettings {
  /** @default see {@link FUNCTION_DEFAULTS} */
  readonly timeout?: Duration;
  /** MB; more memory also means more CPU, hence faster cold starts. @default see {@link FUNCTION_DEFAULTS} */
  readonly memorySize?: number;
}

export interface ConductorSettings extends FunctionSettings {
  /** How long the event source gathers postings before invoking. @default 1 second */
  readonly maxBatchingWindow?: Duration;
  /** Conductor invocations the normal lane's event source runs at once (2–1000); same as `laneMaxConcurrency.normal`. @default 10 */
  readonly maxConcurrency?: number;
  /** Records of one batch run at once, passed as `JOBBOARD_RECORD_CONCURRENCY`. @default lib's default */
  readonly recordConcurrency?: number;
}

/** The stream processor: publishes job state changes and keeps the job counters (infra/stream.ts). */
export interface StreamProcessorSettings extends FunctionSettings {
  /** Deliveries of a failing batch before its range goes to the stream failures queue. @default {@link STREAM_EVENT_SOURCE_DEFAULTS} */
  readonly retryAttempts?: number;
  /** Records older than this are not processed but sent to the stream failures queue (60 s to 7 days). @default {@link STREAM_EVENT_SOURCE_DEFAULTS} */
  readonly maxRecordAge?: Duration;
}

export interface JobboardProps {
  /** The deployment's job types: a module exporting an array of them. Required unless `demoJobTypes` is set. */
  readonly jobTypes?: JobTypesModule;
  /** Deploy the demo job types (`demo.echo`, `demo.sleep`, …) instead, to try Jobboard out. @default false */
  readonly demoJobTypes?: boolean;
  /** For the table, the DLQ and the log groups: what holds jobs and their history. @default RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** How long finished jobs are kept (DynamoDB TTL), passed as `JOBBOARD_RETENTION_DAYS`. @default 7 days (lib's default) */
  readonly retention?: Duration;
  readonly api?: FunctionSettings & {
    /** Requests per second and burst API Gateway lets through. @default {@link API_THROTTLE_DEFAULTS} */
    readonly throttle?: ThrottleSettings;
    /** Concurrency reserved for (and capping) the api function. @default none: the account's unreserved pool */
    readonly reservedConcurrency?: number;
  };
  /** Prefix of the names that must differ between two boards in one account (the HTTP API's). @default a name unique to this construct's path */
  readonly namePrefix?: string;
  /** Extra environment variables for job code (all three functions run job-type code). Names starting with `JOBBOARD_` or `AWS_` are reserved. */
  readonly environment?: Readonly<Record<string, string>>;
  readonly conductor?: ConductorSettings;
  /**
   * Conductor invocations each priority lane's event source runs at once (2–1000 each). The high
   * lane gets the most so that high jobs start first even behind a backlog of low ones; the
   * conductor may run up to their sum at once. `normal` may also be set as `conductor.maxConcurrency`.
   * @default {@link LANE_MAX_CONCURRENCY_DEFAULTS}: high 20, normal 10, low 5
   */
  readonly laneMaxConcurrency?: Partial<Record<Lane, number>>;
  readonly sweeper?: FunctionSettings;
  readonly streamProcessor?: StreamProcessorSettings;
  /**
   * The EventBridge bus job state changes are published to (`source: "jobboard"`,
   * `detail-type: "Job State Change"`). @default a bus of the construct's own
   */
  readonly eventBus?: IEventBus;
  /**
   * Which states' changes are published: `'all'`, or a list (`['completed', 'failed']`
   * publishes a third as many events as `'all'` for plain jobs; README.md, Events, gives the cost).
   * Counters are kept for every state either way. @default 'all'
   */
  readonly publishedStates?: 'all' | readonly JobState[];
  /**
   * Add the board as a dimension of the job metrics (JobsStarted, StartLatency, …). Each board
   * then bills its own metrics (README.md, Metrics, gives the arithmetic). @default false: the
   * board is in each metric document's metadata only
   */
  readonly metricsByBoard?: boolean;
  /** Percentage of finished jobs that ended failed (5-minute periods, 3 in a row) that alarms. @default 10 */
  readonly failedRateAlarmThreshold?: number;
  /** 90th percentile of start latency (post or due time to claim; 5-minute periods, 3 in a row) that alarms. @default 1 minute */
  readonly startLatencyAlarmThreshold?: Duration;
  /** Alarm and OK notifications. @default no actions */
  readonly alarmTopic?: ITopic;
  /**
   * A customer-managed KMS key for the table, every queue and every log group, so access can be
   * revoked by disabling the key. The functions get `kms:Decrypt`, `kms:Encrypt`,
   * `kms:GenerateDataKey` and `kms:DescribeKey` on it. A key made in the same app gets the key
   * policy statement CloudWatch Logs needs; an imported key's policy must allow it already.
   * @default AWS-managed (table) and SQS-managed (queues) encryption, logs with CloudWatch's own
   */
  readonly encryptionKey?: IKey;
  /** X-Ray active tracing on the three functions. @default false */
  readonly tracing?: boolean;
  /** @default 15 minutes */
  readonly postingsAgeAlarmThreshold?: Duration;
  /** Age of the oldest dead-lettered posting that alarms. @default 7 days (half the DLQ's retention) */
  readonly deadLetterAgeAlarmThreshold?: Duration;
  /** @default one month */
  readonly logRetention?: RetentionDays;
  /** @default Node.js 22 */
  readonly runtime?: Runtime;
  /** Bundle the AWS SDK instead of using the runtime's copy. @default true (see infra/README.md) */
  readonly bundleAwsSdk?: boolean;
  /**
   * Folder whose node_modules holds esbuild; bundling runs there and generated entries go
   * under its node_modules/.cache. @default the current directory (where `cdk` runs)
   */
  readonly projectRoot?: string;
  /** @default the lock file found upwards from the current directory */
  readonly depsLockFilePath?: string;
}

export const FUNCTION_DEFAULTS: Readonly<Record<HandlerName, { timeout: Duration; memorySize: number }>> = {
  // API Gateway stops waiting after 30 s anyway; every route is a few DynamoDB calls.
  api: { timeout: Duration.seconds(10), memorySize: 1024 },
  // Lambda's longest, so every timeoutSeconds the API accepts (up to 900) can run: Lambda bills the
  // time a batch runs, not the timeout. Leases stay a minute (renewed while a run goes on), and a
  // batch's postings are hidden only as long as the first lease, so a crash is recovered as fast.
  conductor: { timeout: Duration.seconds(900), memorySize: 1024 },
  sweeper: { timeout: Duration.seconds(60), memorySize: 512 },
  // A full batch is ≤ 1,000 records: ≤ 100 PutEvents one after another and one counter transaction.
  streamProcessor: { timeout: Duration.seconds(60), memorySize: 512 },
};

/**
 * The stream processor's event source mapping (infra/stream.ts says why each is so).
 * Retries and record age are bounded, but generously: a batch that still fails is skipped (its
 * sequence range goes to the stream failures queue, which alarms) and its events are lost, so
 * the bound is set to ride out an EventBridge or DynamoDB outage of hours, not minutes.
 */
export const STREAM_EVENT_SOURCE_DEFAULTS = {
  batchSize: 1_000,
  maxBatchingWindow: Duration.seconds(1),
  tumblingWindow: Duration.minutes(15),
  retryAttempts: 10_000,
  maxRecordAge: Duration.hours(6),
} as const;

/** API Gateway throttling when the api prop sets none: a runaway client cannot run up the bill or starve the others. */
export const API_THROTTLE_DEFAULTS: ThrottleSettings = { rateLimit: 100, burstLimit: 200 };

export const CONDUCTOR_EVENT_SOURCE_DEFAULTS = {
  /** SQS's largest batch without a batching window of its own; lib runs records concurrently. */
  batchSize: LIMITS.sqsBatchSize,
  maxBatchingWindow: Duration.seconds(1),
  maxConcurrency: 10,
} as const;

/** Event source concurrency per priority lane when `laneMaxConcurrency` sets none. */
export const LANE_MAX_CONCURRENCY_DEFAULTS: Readonly<Record<Lane, number>> = { high: 20, normal: CONDUCTOR_EVENT_SOURCE_DEFAULTS.maxConcurrency, low: 5 };

/** The event source concurrency of each lane, from the props and the defaults. */
export function laneMaxConcurrency(props: JobboardProps): Record<Lane, number> {
  const set = props.laneMaxConcurrency ?? {};
  return {
    high: set.high ?? LANE_MAX_CONCURRENCY_DEFAULTS.high,
    normal: set.normal ?? props.conductor?.maxConcurrency ?? LANE_MAX_CONCURRENCY_DEFAULTS.normal,
    low: set.low ?? LANE_MAX_CONCURRENCY_DEFAULTS.low,
  };
}

/** Lambda's bounds on an SQS event source's maximum concurrency. */
const ESM_MAX_CONCURRENCY = { min: 2, max: 1_000 } as const;

function checkLaneConcurrency(props: JobboardProps): void {
  const check = (name: string, value: unknown) => {
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < ESM_MAX_CONCURRENCY.min || value > ESM_MAX_CONCURRENCY.max) {
      throw new ConfigurationError(`prop ${name} must be a whole number from ${ESM_MAX_CONCURRENCY.min} to ${ESM_MAX_CONCURRENCY.max} (Lambda's limits for an SQS event source), got ${String(value)}`);
    }
  };
  check('conductor.maxConcurrency', props.conductor?.maxConcurrency);
  for (const [lane, value] of Object.entries(props.laneMaxConcurrency ?? {})) {
    if (!(LANES as readonly string[]).includes(lane)) throw new ConfigurationError(`prop laneMaxConcurrency: unknown lane ${JSON.stringify(lane)} (lanes: ${LANES.join(', ')})`);
    check(`laneMaxConcurrency.${lane}`, value);
  }
  const normal = props.laneMaxConcurrency?.normal;
  if (normal !== undefined && props.conductor?.maxConcurrency !== undefined && normal !== props.conductor.maxConcurrency) {
    throw new ConfigurationError(`props laneMaxConcurrency.normal (${normal}) and conductor.maxConcurrency (${props.conductor.maxConcurrency}) both set the normal lane's concurrency: set one`);
  }
}

/** API Gateway gives up on an integration after 30 seconds; a longer api timeout would only hide that. */
const API_GATEWAY_TIMEOUT_SECONDS = 30;
/** Lambda's longest function timeout. */
const LAMBDA_MAX_TIMEOUT_SECONDS = 15 * 60;

/**
 * Rejects props the deployed board could not honour, naming the prop. Values lib/ also reads
 * (retention, record concurrency) go through lib's own checks, so both sides agree on the bounds.
 */
export function checkProps(props: JobboardProps): void {
  const placeholder = 'checked-at-synth';
  if ((props.jobTypes === undefined) === (props.demoJobTypes !== true)) {
    throw new ConfigurationError(
      props.jobTypes === undefined
        ? 'prop jobTypes is required: the module and export of your job types (or demoJobTypes: true to deploy the demo types)'
        : 'props jobTypes and demoJobTypes exclude each other: a deployment runs your job types or the demo ones',
    );
  }
  if (props.retention !== undefined) {
    try {
      resolveStoreOptions({ tableName: placeholder, retentionDays: props.retention.toDays({ integral: false }) });
    } catch {
      throw new ConfigurationError(`prop retention must be a positive duration, got ${props.retention.toHumanString()}`);
    }
  }
  for (const name of ['api', 'conductor', 'sweeper', 'streamProcessor'] as const) {
    const settings = props[name];
    const seconds = settings?.timeout?.toSeconds();
    if (seconds !== undefined && seconds > LAMBDA_MAX_TIMEOUT_SECONDS) throw new ConfigurationError(`prop ${name}.timeout must be at most 15 minutes (Lambda's limit), got ${settings?.timeout?.toHumanString()}`);
    const memory = settings?.memorySize;
    if (memory !== undefined && (!Number.isInteger(memory) || memory < 128 || memory > 10_240)) throw new ConfigurationError(`prop ${name}.memorySize must be a whole number of MB from 128 to 10240, got ${memory}`);
  }
  checkLaneConcurrency(props);
  checkStreamProps(props);
  const reserved = props.api?.reservedConcurrency;
  if (reserved !== undefined && (!Number.isInteger(reserved) || reserved < 1)) throw new ConfigurationError(`prop api.reservedConcurrency must be a whole number ≥ 1, got ${reserved}`);
  if (props.namePrefix !== undefined && !/^[A-Za-z0-9][A-Za-z0-9-]{0,39}$/.test(props.namePrefix)) {
    throw new ConfigurationError(`prop namePrefix must be 1–40 of A-Z a-z 0-9 - (starting with a letter or digit), got ${JSON.stringify(props.namePrefix)}`);
  }
  for (const key of Object.keys(props.environment ?? {})) {
    if (/^(JOBBOARD_|AWS_)/.test(key) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new ConfigurationError(`prop environment: ${JSON.stringify(key)} is reserved or not a variable name (JOBBOARD_* and AWS_* belong to Jobboard and Lambda)`);
  }
  if (props.conductor?.recordConcurrency !== undefined) {
    resolveConductorOptions({ recordConcurrency: props.conductor.recordConcurrency });
  }
  const conductorMs = props.conductor?.timeout?.toMilliseconds();
  const reserveMs = CONDUCTOR_DEFAULTS.minRemainingToStartMs + CONDUCTOR_DEFAULTS.deadlineReserveMs;
  if (conductorMs !== undefined && conductorMs <= 2 * reserveMs) {
    throw new ConfigurationError(`prop conductor.timeout must be longer than ${(2 * reserveMs) / 1_000} s (the conductor keeps ${reserveMs / 1_000} s of each invocation in reserve), got ${conductorMs / 1_000} s`);
  }
  const apiSeconds = props.api?.timeout?.toSeconds();
  if (apiSeconds !== undefined && apiSeconds > API_GATEWAY_TIMEOUT_SECONDS) {
    throw new ConfigurationError(`prop api.timeout must be at most ${API_GATEWAY_TIMEOUT_SECONDS} s (API Gateway's integration limit), got ${apiSeconds} s`);
  }
}

/** Lambda's bounds on a stream event source's retries and record age. */
const STREAM_LIMITS = { maxRetryAttempts: 10_000, minRecordAgeSeconds: 60, maxRecordAgeSeconds: 7 * 86_400 } as const;

function checkStreamProps(props: JobboardProps): void {
  const states = props.publishedStates;
  if (states !== undefined && states !== 'all') {
    const unknown = states.filter((state) => !isJobState(state));
    if (states.length === 0 || unknown.length > 0) {
      throw new ConfigurationError(`prop publishedStates must be 'all' or a non-empty list of states (${JOB_STATES.join(', ')}), got ${JSON.stringify(states)}`);
    }
  }
  const retries = props.streamProcessor?.retryAttempts;
  if (retries !== undefined && (!Number.isInteger(retries) || retries < 0 || retries > STREAM_LIMITS.maxRetryAttempts)) {
    throw new ConfigurationError(`prop streamProcessor.retryAttempts must be a whole number from 0 to ${STREAM_LIMITS.maxRetryAttempts}, got ${retries}`);
  }
  const age = props.streamProcessor?.maxRecordAge?.toSeconds();
  if (age !== undefined && (age < STREAM_LIMITS.minRecordAgeSeconds || age > STREAM_LIMITS.maxRecordAgeSeconds)) {
    throw new ConfigurationError(`prop streamProcessor.maxRecordAge must be from 60 seconds to 7 days, got ${props.streamProcessor?.maxRecordAge?.toHumanString()}`);
  }
  const rate = props.failedRateAlarmThreshold;
  if (rate !== undefined && !(rate > 0 && rate <= 100)) throw new ConfigurationError(`prop failedRateAlarmThreshold must be a percentage above 0 and at most 100, got ${rate}`);
}
