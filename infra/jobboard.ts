/**
 * `Jobboard`: the whole board as one construct, to embed in any CDK app. One table with its
 * change stream, a postings queue per priority lane and their DLQ, four functions (api behind an
 * IAM-authorized HTTP API, conductor on the lanes, sweeper on a schedule, stream processor on the
 * table's stream publishing to an EventBridge bus), their least-privilege roles and the alarms.
 */
import { Duration, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination, PayloadFormatVersion } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule, Schedule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, ServicePrincipal, type Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { QueueEncryption, type Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV, STREAM_ENV } from '../lib/env-names.js';
import { HTTP_ROUTES } from '../lib/http/contract.js';
import { LANES, type Lane } from '../lib/queues.js';
import type { BoardArns } from './access.js';
import { JobboardAlarms } from './alarms.js';
import { FunctionFactory } from './functions.js';
import { addLaneEventSources, createPostingQueues } from './postings.js';
import { API_THROTTLE_DEFAULTS, FUNCTION_DEFAULTS, checkProps, type JobboardProps } from './props.js';
import { grantRoutes } from './route-grants.js';
import { connectChangeStream } from './stream.js';
import { createJobsTable, indexNames } from './table.js';

export {
  API_THROTTLE_DEFAULTS,
  CONDUCTOR_EVENT_SOURCE_DEFAULTS,
  FUNCTION_DEFAULTS,
  LANE_MAX_CONCURRENCY_DEFAULTS,
  STREAM_EVENT_SOURCE_DEFAULTS,
  type ConductorSettings,
  type FunctionSettings,
  type JobboardProps,
  type StreamProcessorSettings,
} from './props.js';
export { KMS_ACTIONS, NODE_22_REASON, XRAY_REASON } from './functions.js';

/**
 * The routes of the HTTP contract (`lib/http/contract.ts`, which `functions/api.ts` serves); each needs SigV4. Named one by one
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
  /** The normal lane's postings queue (the one queue of boards from before lanes). */
  readonly postings: Queue;
  /** The postings queue of each priority lane; `normal` is `postings`. */
  readonly lanes: Record<Lane, Queue>;
  readonly deadLetters: Queue;
  readonly api: NodejsFunction;
  readonly conductor: NodejsFunction;
  readonly sweeper: NodejsFunction;
  /** Publishes job state changes to `eventBus` and keeps the job counters, from the table's stream. */
  readonly streamProcessor: NodejsFunction;
  /** Where job state changes go: `source: "jobboard"`, `detail-type: "Job State Change"`. */
  readonly eventBus: IEventBus;
  /** The stream batches Lambda gave up on (sequence ranges): their events were not published. */
  readonly streamFailures: Queue;
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

    const encryptionKey = props.encryptionKey;
    if (encryptionKey !== undefined) allowLogsToUse(encryptionKey, this);
    this.table = createJobsTable(this, 'Table', { removalPolicy, ...(encryptionKey === undefined ? {} : { encryptionKey }) });
    // SQS-managed encryption by default: at rest without KMS calls per message or KMS grants to every producer and consumer.
    const queueEncryption = encryptionKey === undefined ? { encryption: QueueEncryption.SQS_MANAGED } : { encryption: QueueEncryption.KMS, encryptionMasterKey: encryptionKey };
    ({ deadLetters: this.deadLetters, lanes: this.lanes } = createPostingQueues(this, { conductorTimeout, removalPolicy, encryption: queueEncryption }));
    this.postings = this.lanes.normal;

    const arns: BoardArns = {
      table: this.table.tableArn,
      index: (name) => {
        if (!indexNames().includes(name)) throw new Error(`infra/access.ts names index ${name}, which lib/table.ts does not define`);
        return `${this.table.tableArn}/index/${name}`;
      },
      postings: LANES.map((lane) => this.lanes[lane].queueArn),
      deadLetters: this.deadLetters.queueArn,
    };
    const metricNamespace = `Jobboard/${this.namePrefix}`;
    const metricsEnvironment = { [ENV.metricsNamespace]: metricNamespace, ...(props.metricsByBoard === true ? { [ENV.metricsByBoard]: 'true' } : {}) };
    const build = new FunctionFactory(this, props, removalPolicy, {
      ...metricsEnvironment,
      [ENV.tableName]: this.table.tableName,
      [ENV.queueUrl]: this.lanes.normal.queueUrl,
      [ENV.queueUrlHigh]: this.lanes.high.queueUrl,
      [ENV.queueUrlLow]: this.lanes.low.queueUrl,
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

    addLaneEventSources(this.conductor, this.lanes, props);

    this.eventBus = props.eventBus ?? new EventBus(this, 'Events', { description: 'Jobboard job state changes (source "jobboard", detail-type "Job State Change")' });
    // It runs no job code: only what it reads (functions/env.ts), not the queues nor the user's variables.
    this.streamProcessor = build.create('streamProcessor', props.streamProcessor, arns, {}, {
      ...metricsEnvironment,
      [ENV.tableName]: this.table.tableName,
      [STREAM_ENV.eventBusName]: this.eventBus.eventBusArn,
      [STREAM_ENV.publishedStates]: props.publishedStates === undefined || props.publishedStates === 'all' ? 'all' : props.publishedStates.join(','),
    });
    ({ failures: this.streamFailures } = connectChangeStream(this, {
      table: this.table,
      processor: this.streamProcessor,
      eventBus: this.eventBus,
      removalPolicy,
      encryption: queueEncryption,
      ...(props.streamProcessor === undefined ? {} : { settings: props.streamProcessor }),
    }));

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
      metricNamespace,
      streamProcessor: this.streamProcessor,
      streamFailures: this.streamFailures,
      ...(props.failedRateAlarmThreshold === undefined ? {} : { failedRateThreshold: props.failedRateAlarmThreshold }),
      ...(props.startLatencyAlarmThreshold === undefined ? {} : { startLatencyThreshold: props.startLatencyAlarmThreshold }),
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

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy,
      ...(props.encryptionKey === undefined ? {} : { encryptionKey: props.encryptionKey }),
    });
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

/**
 * Lets CloudWatch Logs in this region use the key for this account's log groups (what a KMS-encrypted
 * log group needs). Only a key made in this app can be changed; an imported one must allow it already.
 */
function allowLogsToUse(key: IKey, scope: Construct): void {
  const { region, account, partition } = Stack.of(scope);
  key.addToResourcePolicy(
    new PolicyStatement({
      principals: [new ServicePrincipal(`logs.${region}.amazonaws.com`)],
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:log-group:*` } },
    }),
  );
}
