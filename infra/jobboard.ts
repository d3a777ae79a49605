/**
 * `Jobboard`: the whole board as one construct, to embed in any CDK app. One table, the postings
 * queue and its DLQ, three functions (api behind an IAM-authorized HTTP API, conductor on the
 * queue, sweeper on a schedule), their least-privilege roles and the alarms.
 */
import { HTTP_ROUTES } from '../lib/http/contract.js';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Duration, Names, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination, PayloadFormatVersion, type ThrottleSettings } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Grant, Role, ServicePrincipal, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CONDUCTOR_DEFAULTS, LIMITS, resolveConductorOptions, resolveStoreOptions } from '../lib/config.js';
import { ConfigurationError } from '../lib/errors.js';
import { QUEUES, postingsVisibilitySeconds } from '../lib/queues.js';
import { ENV } from '../lib/env-names.js';
import { ACCESS, grantAccess, type BoardArns } from './access.js';
import { grantRoutes } from './route-grants.js';
import { JobboardAlarms } from './alarms.js';
import { DEFAULT_BUNDLE_CHOICE, SOURCE_MAP_ENVIRONMENT, lambdaBundlingOptions } from './bundling.js';
import { generatedEntriesDir, handlerEntry, type HandlerName, type JobTypesModule } from './handlers.js';
import { createJobsTable, indexNames } from './table.js';

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
  /** Conductor invocations the event source runs at once (2–1000). @default 10 */
  readonly maxConcurrency?: number;
  /** Records of one batch run at once, passed as `JOBBOARD_RECORD_CONCURRENCY`. @default lib's default */
  readonly recordConcurrency?: number;
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
  readonly sweeper?: FunctionSettings;
  /** Alarm and OK notifications. @default no actions */
  readonly alarmTopic?: ITopic;
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
  conductor: { timeout: Duration.seconds(60), memorySize: 1024 },
  sweeper: { timeout: Duration.seconds(60), memorySize: 512 },
};

/** API Gateway throttling when the api prop sets none: a runaway client cannot run up the bill or starve the others. */
export const API_THROTTLE_DEFAULTS: ThrottleSettings = { rateLimit: 100, burstLimit: 200 };

export const CONDUCTOR_EVENT_SOURCE_DEFAULTS = {
  /** SQS's largest batch without a batching window of its own; lib runs records concurrently. */
  batchSize: LIMITS.sqsBatchSize,
  maxBatchingWindow: Duration.seconds(1),
  maxConcurrency: 10,
} as const;

/**
 * The routes of the HTTP contract (`lib/http-routes.ts`, which `functions/api.ts` serves); each needs SigV4. Named one by one
 * rather than `ANY /{proxy+}`: unknown paths stop at API Gateway, and metrics and Lambda
 * permissions are per route. test/infra/api-routes.test.ts checks the handler serves each.
 */
export const API_ROUTES: readonly { readonly method: HttpMethod; readonly path: string }[] = HTTP_ROUTES.map((route) => ({
  method: HttpMethod[route.method],
  path: route.path,
}));

/** A Jobboard deployment. */
export class Jobboard extends Construct {
  readonly table: Table;
  readonly postings: Queue;
  readonly deadLetters: Queue;
  readonly api: NodejsFunction;
  readonly conductor: NodejsFunction;
  readonly sweeper: NodejsFunction;
  readonly httpApi: HttpApi;
  /** The stage clients call; its `url` ends with `/`. */
  readonly stage: HttpStage;
  readonly alarms: JobboardAlarms;
  /** What tells this board's named resources from another's in the same account. */
  readonly namePrefix: string;

  constructor(scope: Construct, id: string, props: JobboardProps = {}) {
    super(scope, id);
    checkProps(props);
    this.namePrefix = props.namePrefix ?? Names.uniqueResourceName(this, { maxLength: 40 });
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const conductorTimeout = props.conductor?.timeout ?? FUNCTION_DEFAULTS.conductor.timeout;

    this.table = createJobsTable(this, 'Table', { removalPolicy });
    // SQS-managed encryption: at rest without KMS calls per message or KMS grants to every producer and consumer.
    this.deadLetters = new Queue(this, 'DeadLetters', {
      retentionPeriod: Duration.seconds(QUEUES.deadLetter.retentionSeconds),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy,
    });
    // The posting only points at a job in the table (the sweeper re-posts lost ones), so the queue itself is disposable.
    this.postings = new Queue(this, 'Postings', {
      visibilityTimeout: Duration.seconds(postingsVisibilitySeconds(conductorTimeout.toSeconds())),
      retentionPeriod: Duration.seconds(QUEUES.postings.retentionSeconds),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: QUEUES.maxReceiveCount },
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });

    const arns: BoardArns = {
      table: this.table.tableArn,
      index: (name) => {
        if (!indexNames().includes(name)) throw new Error(`infra/access.ts names index ${name}, which lib/table.ts does not define`);
        return `${this.table.tableArn}/index/${name}`;
      },
      postings: this.postings.queueArn,
      deadLetters: this.deadLetters.queueArn,
    };
    const build = new FunctionFactory(this, props, removalPolicy, {
      [ENV.tableName]: this.table.tableName,
      [ENV.queueUrl]: this.postings.queueUrl,
      [ENV.deadLetterQueueUrl]: this.deadLetters.queueUrl,
      ...(props.retention === undefined ? {} : { [ENV.retentionDays]: String(props.retention.toDays({ integral: false })) }),
      ...props.environment,
    });
    this.api = build.create('api', props.api, arns, props.api?.reservedConcurrency === undefined ? {} : { reservedConcurrentExecutions: props.api.reservedConcurrency });
    this.conductor = build.create('conductor', { ...props.conductor, timeout: conductorTimeout }, arns);
    this.sweeper = build.create('sweeper', props.sweeper, arns, { retryAttempts: 0 });
    if (props.conductor?.recordConcurrency !== undefined) {
      this.conductor.addEnvironment(ENV.recordConcurrency, String(props.conductor.recordConcurrency));
    }

    this.conductor.addEventSource(
      new SqsEventSource(this.postings, {
        batchSize: CONDUCTOR_EVENT_SOURCE_DEFAULTS.batchSize,
        maxBatchingWindow: props.conductor?.maxBatchingWindow ?? CONDUCTOR_EVENT_SOURCE_DEFAULTS.maxBatchingWindow,
        maxConcurrency: props.conductor?.maxConcurrency ?? CONDUCTOR_EVENT_SOURCE_DEFAULTS.maxConcurrency,
        // Only the records the conductor could not finish come back (DESIGN.md, Conductor step 5).
        reportBatchItemFailures: true,
      }),
    );

    // A failed sweep is simply redone by the next one a minute later: no EventBridge or Lambda retries piling up.
    new Rule(this, 'SweeperSchedule', {
      description: 'Runs the Jobboard sweeper every minute',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(this.sweeper, { retryAttempts: 0, maxEventAge: Duration.minutes(1) })],
    });

    ({ httpApi: this.httpApi, stage: this.stage } = this.createHttpApi(props, removalPolicy));

    this.alarms = new JobboardAlarms(this, 'Alarms', {
      postings: this.postings,
      deadLetters: this.deadLetters,
      httpApi: this.httpApi,
      conductor: this.conductor,
      sweeper: this.sweeper,
      table: this.table,
      indexNames: indexNames(),
      conductorLogs: this.conductor.logGroup,
      metricNamespace: `Jobboard/${this.namePrefix}`,
      ...(props.alarmTopic === undefined ? {} : { topic: props.alarmTopic }),
      ...(props.deadLetterAgeAlarmThreshold === undefined ? {} : { deadLetterAgeThreshold: props.deadLetterAgeAlarmThreshold }),
      ...(props.postingsAgeAlarmThreshold === undefined ? {} : { postingsAgeThreshold: props.postingsAgeAlarmThreshold }),
    });
  }

  /** The URL clients call, ending with `/`. */
  get url(): string {
    return this.stage.url;
  }

  /** Lets a role, user or group post jobs: `POST /jobs` and `POST /jobs/batch`, nothing else. */
  grantPost(grantee: IGrantable): Grant {
    return grantRoutes(this, this.httpApi, this.stage, 'post', grantee);
  }

  /** Lets a role, user or group read jobs and counts: `GET /jobs`, `GET /jobs/{id}`, `GET /stats`, `GET /health`. */
  grantRead(grantee: IGrantable): Grant {
    return grantRoutes(this, this.httpApi, this.stage, 'read', grantee);
  }

  /** Lets an operator change jobs that exist: trash, retry, and redrive the dead-letter queue. */
  grantAdmin(grantee: IGrantable): Grant {
    return grantRoutes(this, this.httpApi, this.stage, 'admin', grantee);
  }

  /** Every route: `grantPost`, `grantRead` and `grantAdmin` together. */
  grantInvoke(grantee: IGrantable): Grant {
    this.grantPost(grantee);
    this.grantRead(grantee);
    return this.grantAdmin(grantee);
  }

  private createHttpApi(props: JobboardProps, removalPolicy: RemovalPolicy): { httpApi: HttpApi; stage: HttpStage } {
    const httpApi = new HttpApi(this, 'HttpApi', {
      apiName: `${this.namePrefix}-api`,
      description: 'Jobboard API: every route needs a SigV4-signed request (IAM)',
      // IAM on every route, the default authorizer included: a route added later cannot be left open.
      defaultAuthorizer: new HttpIamAuthorizer(),
      // Our own $default stage below, with access logs.
      createDefaultStage: false,
    });
    const integration = new HttpLambdaIntegration('Api', this.api, { payloadFormatVersion: PayloadFormatVersion.VERSION_2_0 });
    for (const route of API_ROUTES) httpApi.addRoutes({ path: route.path, methods: [route.method], integration });

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: props.logRetention ?? RetentionDays.ONE_MONTH, removalPolicy });
    const stage = new HttpStage(this, 'ApiStage', {
      httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.api?.throttle ?? API_THROTTLE_DEFAULTS,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // HTTP API variables only ($context.resourcePath and friends are REST-only and fail the deploy).
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            caller: '$context.identity.userArn',
            route: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
          }),
        ),
      },
    });
    return { httpApi, stage };
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
function checkProps(props: JobboardProps): void {
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
  for (const name of ['api', 'conductor', 'sweeper'] as const) {
    const settings = props[name];
    const seconds = settings?.timeout?.toSeconds();
    if (seconds !== undefined && seconds > LAMBDA_MAX_TIMEOUT_SECONDS) throw new ConfigurationError(`prop ${name}.timeout must be at most 15 minutes (Lambda's limit), got ${settings?.timeout?.toHumanString()}`);
    const memory = settings?.memorySize;
    if (memory !== undefined && (!Number.isInteger(memory) || memory < 128 || memory > 10_240)) throw new ConfigurationError(`prop ${name}.memorySize must be a whole number of MB from 128 to 10240, got ${memory}`);
  }
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

/** Builds the three functions alike: role, log group, bundling, environment, access. */
class FunctionFactory {
  private readonly projectRoot: string;

  constructor(
    private readonly scope: Jobboard,
    private readonly props: JobboardProps,
    private readonly removalPolicy: RemovalPolicy,
    private readonly environment: Record<string, string>,
  ) {
    this.projectRoot = path.resolve(props.projectRoot ?? process.cwd());
    requireLocalEsbuild(this.projectRoot);
  }

  create(name: HandlerName, settings: FunctionSettings | undefined, arns: BoardArns, extra: { retryAttempts?: number; reservedConcurrentExecutions?: number } = {}): NodejsFunction {
    const id = CONSTRUCT_IDS[name];
    // Own role without AWS managed policies: exactly the log group below plus ACCESS[name].
    const role = new Role(this.scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Jobboard ${name} function`,
    });
    const logGroup = new LogGroup(this.scope, `${id}Logs`, {
      retention: this.props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: this.removalPolicy,
    });
    logGroup.grantWrite(role);
    const fn = new NodejsFunction(this.scope, id, {
      description: `Jobboard ${name}`,
      entry: handlerEntry(name, this.props.jobTypes ?? 'demo', generatedEntriesDir(this.projectRoot)),
      handler: 'handler',
      runtime: this.props.runtime ?? Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: settings?.memorySize ?? FUNCTION_DEFAULTS[name].memorySize,
      timeout: settings?.timeout ?? FUNCTION_DEFAULTS[name].timeout,
      role,
      logGroup,
      environment: { ...this.environment, ...SOURCE_MAP_ENVIRONMENT },
      projectRoot: this.projectRoot,
      ...(this.props.depsLockFilePath === undefined ? {} : { depsLockFilePath: this.props.depsLockFilePath }),
      bundling: lambdaBundlingOptions({ bundleAwsSdk: this.props.bundleAwsSdk ?? DEFAULT_BUNDLE_CHOICE.bundleAwsSdk }),
      ...extra,
    });
    grantAccess(fn, ACCESS[name], arns);
    if (fn.runtime.runtimeEquals(Runtime.NODEJS_22_X)) {
      // Acknowledged here, not in a stack, so every app embedding the construct gets the reason with it.
      Validations.of(fn).acknowledge({ id: 'AwsSolutions-L1', reason: NODE_22_REASON });
    }
    return fn;
  }
}

/** Why Node.js 22 and not the newest runtime (cdk-nag AwsSolutions-L1). */
export const NODE_22_REASON =
  'Node.js 22 is the LTS line the handlers are developed and tested against (DESIGN.md: Lambda Node.js 22, code also runs on Node 20); its upstream support runs to April 2027. Node.js 24 is one prop away (runtime) once the suite runs on it.';

const CONSTRUCT_IDS: Readonly<Record<HandlerName, string>> = { api: 'Api', conductor: 'Conductor', sweeper: 'Sweeper' };

/**
 * `NodejsFunction` silently falls back to Docker when it cannot find esbuild. Jobboard bundles
 * locally only (no Docker on the build machines), so a missing esbuild is an error that says so.
 */
function requireLocalEsbuild(projectRoot: string): void {
  try {
    createRequire(path.join(projectRoot, 'package.json')).resolve('esbuild');
  } catch {
    throw new Error(`esbuild is not installed under ${projectRoot}: Jobboard bundles its functions locally, never in Docker. Run \`npm install --save-dev esbuild\` there, or set the projectRoot prop.`);
  }
}
