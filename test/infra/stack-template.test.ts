/**
 * The synthesized template pins what DESIGN.md and lib/ require of the deployment. One app,
 * synthesized once with real bundling: `JobboardStack` with its defaults (demo job types), and the
 * `Jobboard` construct embedded in a plain stack with every prop that changes the template.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Duration, RemovalPolicy, Stack, type App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AccountRootPrincipal, Role } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../functions/env.js';
import { API_ROUTES, CONDUCTOR_EVENT_SOURCE_DEFAULTS, FUNCTION_DEFAULTS, Jobboard, KMS_ACTIONS } from '../../infra/jobboard.js';
import { JobboardStack, STACK_OUTPUTS } from '../../infra/stack.js';
import { BUNDLE_FILE } from '../../infra/bundling.js';
import { QUEUES, postingsVisibilitySeconds } from '../../lib/queues.js';
import { TABLE, createTableInput } from '../../lib/table.js';
import { FIXTURE_JOB_TYPE } from './fixtures/job-types.js';
import { FIXTURE_JOB_TYPES_ENTRY, arnOf, newApp, onlyResource, propsChecker, removeAssembly, resourcesOfType } from './synth.js';

const ALERTS_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:jobboard-alerts';
let app: App;
let template: Template;
let custom: Template;
let secured: Template;
let assemblyDir: string;

beforeAll(() => {
  app = newApp();
  const stack = new JobboardStack(app, 'Jobboard', { demoJobTypes: true });
  // The construct embedded in an app's own stack, with every prop that changes the template.
  const customStack = new Stack(app, 'Custom');
  const jobboard = new Jobboard(customStack, 'Jobboard', {
    jobTypes: { entry: FIXTURE_JOB_TYPES_ENTRY, exportName: 'fixtureJobTypes' },
    removalPolicy: RemovalPolicy.DESTROY,
    retention: Duration.days(30),
    namePrefix: 'orders',
    api: { reservedConcurrency: 5, throttle: { rateLimit: 20, burstLimit: 40 } },
    environment: { DOWNSTREAM_URL: 'https://downstream.example' },
    conductor: { timeout: Duration.seconds(120), memorySize: 2048, maxBatchingWindow: Duration.seconds(5), maxConcurrency: 50, recordConcurrency: 4 },
    postingsAgeAlarmThreshold: Duration.minutes(30),
    // A topic of another stack or account: the construct only needs its ARN.
    alarmTopic: Topic.fromTopicArn(customStack, 'Alerts', ALERTS_TOPIC),
  });
  jobboard.grantPost(new Role(customStack, 'Producer', { assumedBy: new AccountRootPrincipal() }));
  jobboard.grantRead(new Role(customStack, 'Viewer', { assumedBy: new AccountRootPrincipal() }));
  jobboard.grantAdmin(new Role(customStack, 'Operator', { assumedBy: new AccountRootPrincipal() }));
  // A board with a customer-managed key and tracing.
  const securedStack = new Stack(app, 'Secured');
  new Jobboard(securedStack, 'Jobboard', { demoJobTypes: true, encryptionKey: new Key(securedStack, 'Key', { enableKeyRotation: true }), tracing: true });
  assemblyDir = app.synth().directory;
  secured = Template.fromStack(securedStack);
  template = Template.fromStack(stack);
  custom = Template.fromStack(customStack);
});

afterAll(() => removeAssembly(app));

describe('table', () => {
  const lib = createTableInput('any');

  it('has the key schema, attributes and indexes of createTableInput', () => {
    const { resource } = onlyResource(template, 'AWS::DynamoDB::Table', 'JobboardTable');
    const props = resource.Properties!;
    expect(props.KeySchema).toEqual(lib.KeySchema);
    expect(new Set(props.AttributeDefinitions as unknown[])).toEqual(new Set(lib.AttributeDefinitions));
    const sortByName = (indexes: { IndexName?: string }[]) => [...indexes].sort((a, b) => (a.IndexName ?? '').localeCompare(b.IndexName ?? ''));
    expect(sortByName(props.GlobalSecondaryIndexes as { IndexName: string }[])).toEqual(sortByName(lib.GlobalSecondaryIndexes ?? []));
    expect(props.BillingMode).toBe('PAY_PER_REQUEST');
  });

  it('expires finished jobs on TABLE.ttlAttribute, keeps point-in-time recovery and encrypts with KMS', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('is retained and deletion-protected by default, destroyable when asked', () => {
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ DeletionProtectionEnabled: true }) });
    custom.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ DeletionProtectionEnabled: false }) });
  });
});

describe('queues', () => {
  it('redrives postings to the DLQ after QUEUES.maxReceiveCount receives', () => {
    const dlq = onlyResource(template, 'AWS::SQS::Queue', 'JobboardDeadLetters');
    const { resource } = onlyResource(template, 'AWS::SQS::Queue', 'JobboardPostings');
    expect(resource.Properties!.RedrivePolicy).toEqual({ deadLetterTargetArn: arnOf(dlq.id), maxReceiveCount: QUEUES.maxReceiveCount });
  });

  it.each([
    ['default', () => template, FUNCTION_DEFAULTS.conductor.timeout.toSeconds()],
    ['custom', () => custom, 120],
  ])('%s: visibility is postingsVisibilitySeconds(conductor timeout), at least 6 × the timeout', (_name, get, timeout) => {
    const t = get();
    const fn = onlyResource(t, 'AWS::Lambda::Function', 'JobboardConductor');
    expect(fn.resource.Properties!.Timeout).toBe(timeout);
    const visibility = onlyResource(t, 'AWS::SQS::Queue', 'JobboardPostings').resource.Properties!.VisibilityTimeout as number;
    expect(visibility).toBe(postingsVisibilitySeconds(timeout));
    expect(visibility).toBeGreaterThanOrEqual(6 * timeout);
  });

  it('keeps dead letters 14 days; every queue encrypted and TLS-only', () => {
    const dlq = onlyResource(template, 'AWS::SQS::Queue', 'JobboardDeadLetters');
    expect(dlq.resource.Properties!.MessageRetentionPeriod).toBe(14 * 86_400);
    expect(dlq.resource.DeletionPolicy).toBe('Retain');
    for (const queue of Object.values(resourcesOfType(template, 'AWS::SQS::Queue'))) expect(queue.Properties!.SqsManagedSseEnabled).toBe(true);
    const policies = Object.values(resourcesOfType(template, 'AWS::SQS::QueuePolicy'));
    // The DLQ, the three lanes' postings queues (test/infra/lanes.test.ts) and the stream failures queue.
    expect(policies).toHaveLength(5);
    for (const policy of policies) {
      expect(policy.Properties!.PolicyDocument).toMatchObject({
        Statement: [{ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }],
      });
    }
  });
});

describe('functions', () => {
  it('runs all four on Node.js 22, arm64; the three that run job code with the environment of functions/env.ts', () => {
    const functions = resourcesOfType(template, 'AWS::Lambda::Function');
    expect(Object.keys(functions)).toHaveLength(4);
    for (const fn of Object.values(functions)) expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler' });
    const table = onlyResource(template, 'AWS::DynamoDB::Table', 'JobboardTable').id;
    const postings = onlyResource(template, 'AWS::SQS::Queue', 'JobboardPostings').id;
    const high = onlyResource(template, 'AWS::SQS::Queue', 'JobboardHighPostings').id;
    const low = onlyResource(template, 'AWS::SQS::Queue', 'JobboardLowPostings').id;
    const dlq = onlyResource(template, 'AWS::SQS::Queue', 'JobboardDeadLetters').id;
    // The stream processor's own environment: test/infra/stream-processor.test.ts.
    for (const [id, fn] of Object.entries(functions).filter(([id]) => !id.startsWith('JobboardStreamProcessor'))) {
      expect(fn.Properties, id).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        Environment: {
          Variables: {
            [ENV.tableName]: { Ref: table },
            [ENV.queueUrl]: { Ref: postings },
            [ENV.queueUrlHigh]: { Ref: high },
            [ENV.queueUrlLow]: { Ref: low },
            [ENV.deadLetterQueueUrl]: { Ref: dlq },
            NODE_OPTIONS: '--enable-source-maps',
          },
        },
      });
    }
  });

  it('passes retention days and record concurrency only when set', () => {
    const variables = (t: Template, prefix: string) =>
      (onlyResource(t, 'AWS::Lambda::Function', prefix).resource.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables(template, 'JobboardConductor')).not.toHaveProperty(ENV.retentionDays);
    expect(variables(template, 'JobboardConductor')).not.toHaveProperty(ENV.recordConcurrency);
    expect(variables(custom, 'JobboardConductor')).toMatchObject({ [ENV.retentionDays]: '30', [ENV.recordConcurrency]: '4' });
    expect(variables(custom, 'JobboardApi')).toMatchObject({ [ENV.retentionDays]: '30' });
    expect(onlyResource(custom, 'AWS::Lambda::Function', 'JobboardConductor').resource.Properties!.MemorySize).toBe(2048);
  });

  it('passes extra environment for job code to all three functions', () => {
    for (const fn of ['JobboardApi', 'JobboardConductor', 'JobboardSweeper']) {
      const variables = (onlyResource(custom, 'AWS::Lambda::Function', fn).resource.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(variables, fn).toMatchObject({ DOWNSTREAM_URL: 'https://downstream.example' });
    }
    const plain = (onlyResource(template, 'AWS::Lambda::Function', 'JobboardApi').resource.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(plain).not.toHaveProperty('DOWNSTREAM_URL');
  });

  it('reserves api concurrency only when asked', () => {
    expect(onlyResource(custom, 'AWS::Lambda::Function', 'JobboardApi').resource.Properties!.ReservedConcurrentExecutions).toBe(5);
    expect(onlyResource(template, 'AWS::Lambda::Function', 'JobboardApi').resource.Properties!.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('throttles the API by default, or as the api prop says', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 } });
    custom.hasResourceProperties('AWS::ApiGatewayV2::Stage', { DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 } });
  });

  it('names the HTTP API after the prefix, or after the construct path, never just "HttpApi"', () => {
    expect(onlyResource(custom, 'AWS::ApiGatewayV2::Api', 'JobboardHttpApi').resource.Properties!.Name).toBe('orders-api');
    const name = onlyResource(template, 'AWS::ApiGatewayV2::Api', 'JobboardHttpApi').resource.Properties!.Name as string;
    expect(name).toMatch(/^Jobboard.+-api$/);
  });

  it('feeds the conductor batches of 10 with partial batch responses (normal lane; all lanes in lanes.test.ts)', () => {
    const conductor = onlyResource(template, 'AWS::Lambda::Function', 'JobboardConductor').id;
    const postings = onlyResource(template, 'AWS::SQS::Queue', 'JobboardPostings').id;
    // One per lane, and the stream processor's (test/infra/stream-processor.test.ts).
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 4);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: conductor },
      EventSourceArn: arnOf(postings),
      BatchSize: CONDUCTOR_EVENT_SOURCE_DEFAULTS.batchSize,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 10 },
    });
    custom.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      MaximumBatchingWindowInSeconds: 5,
      ScalingConfig: { MaximumConcurrency: 50 },
    });
  });

  it('runs the sweeper every minute, without retries piling up', () => {
    const sweeper = onlyResource(template, 'AWS::Lambda::Function', 'JobboardSweeper').id;
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: arnOf(sweeper), RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 } })],
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: sweeper }, MaximumRetryAttempts: 0 });
  });

  it('bundles what the jobTypes prop names instead of the demo types', () => {
    const bundle = (t: Template, prefix: string): string => {
      const code = onlyResource(t, 'AWS::Lambda::Function', prefix).resource.Properties!.Code as { S3Key: string };
      return readFileSync(path.join(assemblyDir, `asset.${code.S3Key.replace(/\.zip$/, '')}`, BUNDLE_FILE), 'utf8');
    };
    for (const fn of ['JobboardApi', 'JobboardConductor', 'JobboardSweeper']) {
      const demo = bundle(template, fn);
      const mine = bundle(custom, fn);
      expect(demo).toContain('demo.echo');
      expect(demo).not.toContain(FIXTURE_JOB_TYPE);
      expect(mine).toContain(FIXTURE_JOB_TYPE);
      expect(mine).not.toBe(demo);
    }
  });
});

describe('HTTP API', () => {
  it('has exactly the routes of the API, each one IAM-authorized', () => {
    const routes = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Route'));
    expect(routes.map((route) => route.Properties!.RouteKey).sort()).toEqual(API_ROUTES.map((route) => `${route.method} ${route.path}`).sort());
    expect(routes).toHaveLength(22);
    for (const route of routes) expect(route.Properties!.AuthorizationType).toBe('AWS_IAM');
  });

  it('proxies to the api function with payload format 2.0', () => {
    const api = onlyResource(template, 'AWS::Lambda::Function', 'JobboardApi').id;
    template.resourceCountIs('AWS::ApiGatewayV2::Integration', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: arnOf(api),
    });
  });

  it('grantPost, grantRead and grantAdmin each allow exactly their routes of the $default stage, and only execute-api:Invoke', () => {
    const api = onlyResource(custom, 'AWS::ApiGatewayV2::Api', 'JobboardHttpApi').id;
    const expected: Record<string, string[]> = {
      Producer: ['POST/jobs', 'POST/jobs/batch'],
      Viewer: ['GET/jobs', 'GET/jobs/*', 'GET/stats', 'GET/boards', 'GET/boards/*', 'GET/health', 'GET/schedules', 'GET/schedules/*', 'GET/openapi.json', 'GET/operations', 'GET/operations/*'],
      Operator: ['DELETE/jobs/*', 'POST/jobs/*/retry', 'POST/jobs/*/suspend', 'POST/jobs/*/resume', 'PUT/boards/*', 'POST/dead-letters/redrive', 'PUT/schedules/*', 'DELETE/schedules/*', 'POST/operations'],
    };
    const policies = Object.values(resourcesOfType(custom, 'AWS::IAM::ManagedPolicy'));
    for (const [grantee, routes] of Object.entries(expected)) {
      const role = onlyResource(custom, 'AWS::IAM::Role', grantee).id;
      const attached = policies.filter((p) => JSON.stringify(p.Properties!.Roles) === JSON.stringify([{ Ref: role }]));
      expect(attached, grantee).toHaveLength(1);
      const [statement, ...others] = (attached[0]!.Properties!.PolicyDocument as { Statement: { Action: string; Resource: { 'Fn::Join': [string, unknown[]] }[] }[] }).Statement;
      expect(others, grantee).toEqual([]);
      expect(statement!.Action).toBe('execute-api:Invoke');
      const granted = statement!.Resource.map((r) => {
        const parts = r['Fn::Join'][1];
        expect(parts).toContainEqual({ Ref: api });
        return String(parts[parts.length - 1]).replace('/$default/', '');
      });
      expect(granted.sort(), grantee).toEqual([...routes].sort());
    }
  });

  it('serves the $default stage with JSON access logs', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    const logs = onlyResource(template, 'AWS::Logs::LogGroup', 'JobboardApiAccessLogs').id;
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: arnOf(logs), Format: Match.stringLikeRegexp('"status":"\\$context.status"') },
    });
  });
});

describe('alarms', () => {
  const alarmOn = (t: Template, metric: string, dimension: Record<string, unknown>) => {
    const alarms = Object.values(resourcesOfType(t, 'AWS::CloudWatch::Alarm')).filter(
      (alarm) => alarm.Properties!.MetricName === metric && JSON.stringify(alarm.Properties!.Dimensions).includes(JSON.stringify(dimension)),
    );
    expect(alarms, `${metric} alarm on ${JSON.stringify(dimension)}`).toHaveLength(1);
    return alarms[0]!.Properties!;
  };

  it('watches the DLQ depth, conductor errors and throttles, postings age and sweeper and api errors', () => {
    const id = (type: string, prefix: string) => onlyResource(template, type, prefix).id;
    const dlq = alarmOn(template, 'ApproximateNumberOfMessagesVisible', { 'Fn::GetAtt': [id('AWS::SQS::Queue', 'JobboardDeadLetters'), 'QueueName'] });
    expect(dlq).toMatchObject({ Namespace: 'AWS/SQS', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    const age = alarmOn(template, 'ApproximateAgeOfOldestMessage', { 'Fn::GetAtt': [id('AWS::SQS::Queue', 'JobboardPostings'), 'QueueName'] });
    expect(age.Threshold).toBe(15 * 60);
    const conductor = { Ref: id('AWS::Lambda::Function', 'JobboardConductor') };
    expect(alarmOn(template, 'Errors', conductor).Namespace).toBe('AWS/Lambda');
    expect(alarmOn(template, 'Throttles', conductor).Namespace).toBe('AWS/Lambda');
    expect(alarmOn(template, 'Errors', { Ref: id('AWS::Lambda::Function', 'JobboardSweeper') }).EvaluationPeriods).toBe(3);
    expect(alarmOn(template, '5xx', { Ref: id('AWS::ApiGatewayV2::Api', 'JobboardHttpApi') }).Namespace).toBe('AWS/ApiGateway');
    // 11 on the job path, FailedRate and StartLatency on job metrics, 3 on the stream (test/infra/stream-processor.test.ts).
    template.resourceCountIs('AWS::CloudWatch::Alarm', 16);
  });

  it('alarms on an old dead letter, and keeps postings for less time than dead letters so one never expires on arrival', () => {
    const id = (type: string, prefix: string) => onlyResource(template, type, prefix).id;
    const deadLetters = { 'Fn::GetAtt': [id('AWS::SQS::Queue', 'JobboardDeadLetters'), 'QueueName'] };
    expect(alarmOn(template, 'ApproximateAgeOfOldestMessage', deadLetters)).toMatchObject({ Threshold: 7 * 86_400, TreatMissingData: 'notBreaching' });
    const retention = (prefix: string) => onlyResource(template, 'AWS::SQS::Queue', prefix).resource.Properties!.MessageRetentionPeriod as number;
    expect(retention('JobboardPostings')).toBe(4 * 86_400);
    expect(retention('JobboardPostings')).toBeLessThan(retention('JobboardDeadLetters') / 2);
  });

  it('alarms when the sweeper stops running: no invocations for 15 minutes, missing data breaching', () => {
    const sweeper = { Ref: onlyResource(template, 'AWS::Lambda::Function', 'JobboardSweeper').id };
    expect(alarmOn(template, 'Invocations', sweeper)).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 3,
      Period: 300,
      TreatMissingData: 'breaching',
    });
  });

  it('alarms on DynamoDB throttles (table operations and both indexes) and system errors', () => {
    const table = onlyResource(template, 'AWS::DynamoDB::Table', 'JobboardTable').id;
    const metricsOf = (alarmId: string) => {
      const [alarm] = Object.entries(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).filter(([key]) => key.includes(alarmId)).map(([, a]) => a);
      expect(alarm, alarmId).toBeDefined();
      expect(alarm!.Properties!.TreatMissingData).toBe('notBreaching');
      return (alarm!.Properties!.Metrics as { MetricStat?: { Metric: { MetricName: string; Dimensions: { Name: string; Value: unknown }[] } } }[])
        .flatMap((m) => (m.MetricStat === undefined ? [] : [m.MetricStat.Metric]))
        .map((m) => {
          expect(m.Dimensions).toContainEqual({ Name: 'TableName', Value: { Ref: table } });
          const other = m.Dimensions.find((d) => d.Name !== 'TableName');
          return `${m.MetricName} ${other?.Name}=${String(other?.Value)}`;
        })
        .sort();
    };
    expect(metricsOf('TableThrottles')).toEqual(
      [
        ...['BatchGetItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem'].map((op) => `ThrottledRequests Operation=${op}`),
        ...['done', 'open'].flatMap((index) => [`ReadThrottleEvents GlobalSecondaryIndexName=${index}`, `WriteThrottleEvents GlobalSecondaryIndexName=${index}`]),
      ].sort(),
    );
    expect(metricsOf('TableSystemErrors')).toEqual(['BatchGetItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem'].map((op) => `SystemErrors Operation=${op}`));
  });

  it('counts the conductor’s record_failed log lines with a metric filter, and alarms on them', () => {
    const logGroup = onlyResource(template, 'AWS::Logs::LogGroup', 'JobboardConductorLogs').id;
    const [filter, ...more] = Object.values(resourcesOfType(template, 'AWS::Logs::MetricFilter'));
    expect(more).toEqual([]);
    expect(filter!.Properties).toMatchObject({ LogGroupName: { Ref: logGroup }, FilterPattern: '{ $.event = "record_failed" }' });
    const transformation = (filter!.Properties!.MetricTransformations as { MetricNamespace: string; MetricName: string }[])[0]!;
    expect(transformation.MetricName).toBe('RecordFailed');
    const [alarm] = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm')).filter((a) => a.Properties!.MetricName === 'RecordFailed');
    expect(alarm!.Properties).toMatchObject({ Namespace: transformation.MetricNamespace, Threshold: 10, EvaluationPeriods: 2, TreatMissingData: 'notBreaching' });
  });

  it('takes the postings age threshold from props', () => {
    const postings = onlyResource(custom, 'AWS::SQS::Queue', 'JobboardPostings').id;
    expect(alarmOn(custom, 'ApproximateAgeOfOldestMessage', { 'Fn::GetAtt': [postings, 'QueueName'] }).Threshold).toBe(30 * 60);
  });

  it('notifies the alarm topic, when given, on alarm and on recovery', () => {
    for (const alarm of Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm'))) expect(alarm.Properties!.AlarmActions).toBeUndefined();
    const alarms = Object.values(resourcesOfType(custom, 'AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(16);
    for (const alarm of alarms) expect(alarm.Properties).toMatchObject({ AlarmActions: [ALERTS_TOPIC], OKActions: [ALERTS_TOPIC] });
  });
});

describe('a customer-managed key and tracing', () => {
  const keyArn = () => ({ 'Fn::GetAtt': [onlyResource(secured, 'AWS::KMS::Key', 'Key').id, 'Arn'] });

  it('encrypts the table, every queue and every log group with the key', () => {
    secured.hasResourceProperties('AWS::DynamoDB::Table', { SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn() } });
    const queues = Object.values(resourcesOfType(secured, 'AWS::SQS::Queue'));
    expect(queues).toHaveLength(5);
    for (const queue of queues) expect(queue.Properties!.KmsMasterKeyId).toEqual(keyArn());
    const logGroups = Object.values(resourcesOfType(secured, 'AWS::Logs::LogGroup'));
    expect(logGroups).toHaveLength(5);
    for (const logGroup of logGroups) expect(logGroup.Properties!.KmsKeyId).toEqual(keyArn());
    // CloudWatch Logs may use the key for this account's log groups only.
    const statements = (onlyResource(secured, 'AWS::KMS::Key', 'Key').resource.Properties!.KeyPolicy as { Statement: { Principal?: { Service?: unknown }; Condition?: unknown }[] }).Statement;
    expect(statements.some((st) => JSON.stringify(st.Principal?.Service ?? '').includes('logs.') && JSON.stringify(st.Condition).includes('kms:EncryptionContext:aws:logs:arn'))).toBe(true);
  });

  it('lets each function use the key (the stream processor reads an encrypted stream), and nothing else new', () => {
    for (const fn of ['JobboardApi', 'JobboardConductor', 'JobboardSweeper', 'JobboardStreamProcessor']) {
      const role = (onlyResource(secured, 'AWS::Lambda::Function', fn).resource.Properties!.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const statements = Object.values(resourcesOfType(secured, 'AWS::IAM::Policy'))
        .filter((p) => JSON.stringify(p.Properties!.Roles) === JSON.stringify([{ Ref: role }]))
        .flatMap((p) => (p.Properties!.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement);
      const kms = statements.filter((st) => JSON.stringify(st.Action).includes('kms:'));
      expect(kms, fn).toEqual([expect.objectContaining({ Action: [...KMS_ACTIONS].sort(), Resource: keyArn() })]);
    }
  });

  it('turns on active tracing for the four functions, and only when asked', () => {
    for (const fn of ['JobboardApi', 'JobboardConductor', 'JobboardSweeper', 'JobboardStreamProcessor']) {
      expect(onlyResource(secured, 'AWS::Lambda::Function', fn).resource.Properties!.TracingConfig, fn).toEqual({ Mode: 'Active' });
      expect(onlyResource(template, 'AWS::Lambda::Function', fn).resource.Properties!.TracingConfig, fn).toBeUndefined();
    }
  });
});

describe('outputs', () => {
  it('exports the API URL, table name, both queue URLs and the event bus', () => {
    const outputs = template.findOutputs('*');
    expect(Object.keys(outputs).sort()).toEqual(Object.values(STACK_OUTPUTS).sort());
    expect(JSON.stringify(outputs[STACK_OUTPUTS.apiUrl]!.Value)).toContain('execute-api');
    expect(outputs[STACK_OUTPUTS.tableName]!.Value).toEqual({ Ref: onlyResource(template, 'AWS::DynamoDB::Table', 'JobboardTable').id });
    expect(outputs[STACK_OUTPUTS.queueUrl]!.Value).toEqual({ Ref: onlyResource(template, 'AWS::SQS::Queue', 'JobboardPostings').id });
    expect(outputs[STACK_OUTPUTS.deadLetterQueueUrl]!.Value).toEqual({ Ref: onlyResource(template, 'AWS::SQS::Queue', 'JobboardDeadLetters').id });
    expect(outputs[STACK_OUTPUTS.eventBusName]!.Value).toEqual({ Ref: onlyResource(template, 'AWS::Events::EventBus', 'JobboardEvents').id });
  });
});

describe('props', () => {
  const { attempt, dispose } = propsChecker();
  afterAll(dispose);

  it('rejects what the board could not honour, naming the prop', () => {
    expect(attempt({ conductor: { timeout: Duration.seconds(5) } })).toThrow(/conductor\.timeout/);
    expect(attempt({ api: { timeout: Duration.seconds(60) } })).toThrow(/api\.timeout/);
    expect(attempt({ retention: Duration.days(0) })).toThrow(/prop retention/);
    expect(attempt({ conductor: { timeout: Duration.minutes(16) } })).toThrow(/prop conductor\.timeout must be at most 15 minutes/);
    expect(attempt({ sweeper: { memorySize: 64 } })).toThrow(/prop sweeper\.memorySize/);
    expect(attempt({ api: { memorySize: 1024.5 } })).toThrow(/prop api\.memorySize/);
    expect(attempt({ api: { reservedConcurrency: 0 } })).toThrow(/prop api\.reservedConcurrency/);
    expect(attempt({ namePrefix: 'has spaces' })).toThrow(/prop namePrefix/);
    expect(attempt({ environment: { JOBBOARD_TABLE_NAME: 'x' } })).toThrow(/prop environment/);
    expect(attempt({ environment: { AWS_REGION: 'x' } })).toThrow(/prop environment/);
    expect(attempt({ conductor: { recordConcurrency: 0 } })).toThrow(/recordConcurrency/);
  });

  it('needs job types: the user\'s module, or the demo types asked for by name, never both', () => {
    expect(attempt({}, {})).toThrow(/prop jobTypes is required/);
    expect(attempt({ jobTypes: { entry: FIXTURE_JOB_TYPES_ENTRY, exportName: 'fixtureJobTypes' } })).toThrow(/exclude each other/);
    expect(attempt({ jobTypes: { entry: FIXTURE_JOB_TYPES_ENTRY, exportName: 'fixtureJobTypes' } }, {})).not.toThrow();
  });

  it('rejects a jobTypes module that does not exist or an export name that is not an identifier', () => {
    expect(attempt({ jobTypes: { entry: 'no/such/module.ts', exportName: 'types' } }, {})).toThrow(/jobTypes\.entry/);
    expect(attempt({ jobTypes: { entry: FIXTURE_JOB_TYPES_ENTRY, exportName: 'not an identifier' } }, {})).toThrow(/jobTypes\.exportName/);
  });
});
