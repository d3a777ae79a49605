/**
 * The change stream on AWS, pinned in the template: the table's stream, the stream processor's
 * event source mapping, its exact grants, the bus (own or given), the settings it passes as
 * environment, and the alarms on job metrics and on the stream.
 */
import { Duration, Stack, type App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV, STREAM_ENV } from '../../functions/env.js';
import { Jobboard, STREAM_EVENT_SOURCE_DEFAULTS } from '../../infra/jobboard.js';
import { JobboardStack } from '../../infra/stack.js';
import { JOB_METRICS, METRICS_SERVICE } from '../../lib/events/job-metrics.js';
import { TABLE } from '../../lib/table.js';
import { arnOf, newApp, onlyResource, propsChecker, removeAssembly, resourcesOfType, type TemplateResource } from './synth.js';

const USER_BUS = 'arn:aws:events:eu-west-1:123456789012:event-bus/company-events';
let app: App;
let template: Template;
let custom: Template;

beforeAll(() => {
  // Nothing here depends on the code inside the functions: skip bundling.
  app = newApp({ bundling: false });
  const stack = new JobboardStack(app, 'Jobboard', { demoJobTypes: true });
  const customStack = new Stack(app, 'Custom');
  new Jobboard(customStack, 'Jobboard', {
    demoJobTypes: true,
    namePrefix: 'orders',
    eventBus: EventBus.fromEventBusArn(customStack, 'CompanyBus', USER_BUS),
    publishedStates: ['completed', 'failed'],
    metricsByBoard: true,
    streamProcessor: { retryAttempts: 50, maxRecordAge: Duration.hours(1), memorySize: 1024 },
    failedRateAlarmThreshold: 5,
    startLatencyAlarmThreshold: Duration.seconds(30),
  });
  template = Template.fromStack(stack);
  custom = Template.fromStack(customStack);
});

afterAll(() => removeAssembly(app));

const id = (t: Template, type: string, prefix: string) => onlyResource(t, type, prefix).id;
const processor = (t: Template) => onlyResource(t, 'AWS::Lambda::Function', 'JobboardStreamProcessor');
const variables = (fn: { resource: TemplateResource }) => (fn.resource.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;

describe('the table’s stream', () => {
  it('carries both images (lib’s TABLE.streamViewType: NEW_AND_OLD_IMAGES)', () => {
    expect(TABLE.streamViewType).toBe('NEW_AND_OLD_IMAGES');
    template.hasResourceProperties('AWS::DynamoDB::Table', { StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' } });
  });
});

describe('the stream processor’s event source mapping', () => {
  it('reads the table’s stream from the oldest record, in big ordered batches, one at a time per shard, with a tumbling window', () => {
    const mapping = onlyResource(template, 'AWS::Lambda::EventSourceMapping', 'JobboardStreamProcessor').resource.Properties!;
    expect(mapping).toEqual({
      FunctionName: { Ref: processor(template).id },
      EventSourceArn: { 'Fn::GetAtt': [id(template, 'AWS::DynamoDB::Table', 'JobboardTable'), 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 1_000,
      MaximumBatchingWindowInSeconds: 1,
      TumblingWindowInSeconds: 900,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: false,
      ParallelizationFactor: 1,
      MaximumRetryAttempts: STREAM_EVENT_SOURCE_DEFAULTS.retryAttempts,
      MaximumRecordAgeInSeconds: STREAM_EVENT_SOURCE_DEFAULTS.maxRecordAge.toSeconds(),
      DestinationConfig: { OnFailure: { Destination: arnOf(id(template, 'AWS::SQS::Queue', 'JobboardStreamFailures')) } },
      // Only job items invoke it: its own counter and checkpoint writes never do.
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ dynamodb: { Keys: { pk: { S: [{ prefix: 'job#' }] } } } }) }] },
    });
  });

  it('bounds retries and record age as the props say', () => {
    custom.hasResourceProperties('AWS::Lambda::EventSourceMapping', { MaximumRetryAttempts: 50, MaximumRecordAgeInSeconds: 3_600 });
    expect(processor(custom).resource.Properties!.MemorySize).toBe(1024);
  });

  it('sends failed batches to an encrypted, TLS-only queue kept 14 days', () => {
    const failures = onlyResource(template, 'AWS::SQS::Queue', 'JobboardStreamFailures');
    expect(failures.resource.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86_400 });
    const policies = Object.values(resourcesOfType(template, 'AWS::SQS::QueuePolicy')).filter((p) => JSON.stringify(p.Properties!.Queues).includes(failures.id));
    expect(policies).toHaveLength(1);
    expect(policies[0]!.Properties!.PolicyDocument).toMatchObject({ Statement: [{ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }] });
  });
});

describe('the stream processor’s grants', () => {
  /** Its role's statements as `<actions> on <resource>[ where <leading keys>]`. */
  const grants = (t: Template): string[] => {
    const role = (processor(t).resource.Properties!.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    return Object.values(resourcesOfType(t, 'AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties!.Roles) === JSON.stringify([{ Ref: role }]))
      .flatMap((p) => (p.Properties!.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, string[]>> }[] }).Statement)
      .map((st) => {
        const keys = st.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'];
        return `${[st.Action].flat().join(',')} on ${JSON.stringify(st.Resource)}${keys === undefined ? '' : ` where ${keys.join(',')}`}`;
      })
      .sort();
  };

  it('are exactly: stream read on the stream, PutEvents on the bus, SendMessage on its failure queue, counters and checkpoint items, its logs', () => {
    const table = id(template, 'AWS::DynamoDB::Table', 'JobboardTable');
    expect(grants(template)).toEqual(
      [
        `dynamodb:DescribeStream,dynamodb:GetRecords,dynamodb:GetShardIterator,dynamodb:ListStreams on ${JSON.stringify({ 'Fn::GetAtt': [table, 'StreamArn'] })}`,
        `events:PutEvents on ${JSON.stringify(arnOf(id(template, 'AWS::Events::EventBus', 'JobboardEvents')))}`,
        `sqs:SendMessage on ${JSON.stringify(arnOf(id(template, 'AWS::SQS::Queue', 'JobboardStreamFailures')))}`,
        `dynamodb:GetItem on ${JSON.stringify(arnOf(table))} where cursor#*`,
        `dynamodb:UpdateItem on ${JSON.stringify(arnOf(table))} where cursor#*,counter#*`,
        `logs:CreateLogStream,logs:PutLogEvents on ${JSON.stringify(arnOf(id(template, 'AWS::Logs::LogGroup', 'JobboardStreamProcessorLogs')))}`,
      ].sort(),
    );
  });

  it('put events on the bus the user passed, and no bus is made', () => {
    custom.resourceCountIs('AWS::Events::EventBus', 0);
    expect(grants(custom)).toContain(`events:PutEvents on ${JSON.stringify(USER_BUS)}`);
  });

  it('exist before the mapping is created (Lambda checks the role when the mapping is made)', () => {
    const fn = processor(template);
    const mapping = onlyResource(template, 'AWS::Lambda::EventSourceMapping', 'JobboardStreamProcessor');
    expect(mapping.resource.Properties!.FunctionName).toEqual({ Ref: fn.id });
    expect((fn.resource as { DependsOn?: string[] }).DependsOn).toContain(id(template, 'AWS::IAM::Policy', 'JobboardStreamProcessorRoleDefaultPolicy'));
  });
});

describe('the stream processor’s settings', () => {
  it('gets the table, the bus (by ARN), the published states and the metrics settings, and nothing of the job functions', () => {
    expect(variables(processor(template))).toEqual({
      [ENV.tableName]: { Ref: id(template, 'AWS::DynamoDB::Table', 'JobboardTable') },
      [STREAM_ENV.eventBusName]: arnOf(id(template, 'AWS::Events::EventBus', 'JobboardEvents')),
      [STREAM_ENV.publishedStates]: 'all',
      [ENV.metricsNamespace]: expect.stringMatching(/^Jobboard\/Jobboard/),
      NODE_OPTIONS: '--enable-source-maps',
    });
    expect(variables(processor(custom))).toMatchObject({ [STREAM_ENV.eventBusName]: USER_BUS, [STREAM_ENV.publishedStates]: 'completed,failed' });
  });

  it('every function publishes its metrics to the board’s namespace; the board is a dimension only when asked', () => {
    for (const fn of ['JobboardApi', 'JobboardConductor', 'JobboardSweeper', 'JobboardStreamProcessor']) {
      expect(variables(onlyResource(custom, 'AWS::Lambda::Function', fn)), fn).toMatchObject({ [ENV.metricsNamespace]: 'Jobboard/orders', [ENV.metricsByBoard]: 'true' });
      expect(variables(onlyResource(template, 'AWS::Lambda::Function', fn)), fn).not.toHaveProperty(ENV.metricsByBoard);
    }
  });
});

describe('alarms on job metrics and on the stream', () => {
  const alarm = (t: Template, name: string) => {
    const found = Object.entries(resourcesOfType(t, 'AWS::CloudWatch::Alarm')).filter(([key]) => key.startsWith(`JobboardAlarms${name}`));
    expect(found, name).toHaveLength(1);
    const props = found[0]![1].Properties!;
    expect(props.AlarmDescription, name).toMatch(/Runbook: .{40,}/);
    return props;
  };
  const namespace = (t: Template) => variables(onlyResource(t, 'AWS::Lambda::Function', 'JobboardConductor'))[ENV.metricsNamespace];

  it('FailedRate: failed ÷ (completed + failed) as a percentage over the service, 10% for 15 minutes', () => {
    const props = alarm(template, 'FailedRate');
    expect(props).toMatchObject({ Threshold: 10, EvaluationPeriods: 3, DatapointsToAlarm: 3, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
    const metrics = props.Metrics as { Id: string; Expression?: string; ReturnData?: boolean; MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: unknown[] }; Stat: string; Period: number } }[];
    const expression = metrics.find((m) => m.Expression !== undefined)!;
    expect(expression.Expression).toBe('IF(FILL(c, 0) + FILL(f, 0) > 0, 100 * FILL(f, 0) / (FILL(c, 0) + FILL(f, 0)), 0)');
    const stats = Object.fromEntries(metrics.filter((m) => m.MetricStat !== undefined).map((m) => [m.Id, m.MetricStat!]));
    expect(stats.c).toEqual({ Metric: { Namespace: namespace(template), MetricName: JOB_METRICS.completed, Dimensions: [{ Name: 'service', Value: METRICS_SERVICE }] }, Stat: 'Sum', Period: 300 });
    expect(stats.f).toEqual({ Metric: { Namespace: namespace(template), MetricName: JOB_METRICS.failed, Dimensions: [{ Name: 'service', Value: METRICS_SERVICE }] }, Stat: 'Sum', Period: 300 });
    expect(alarm(custom, 'FailedRate').Threshold).toBe(5);
  });

  it('StartLatency: its 90th percentile over the service, 1 minute for 15 minutes', () => {
    expect(alarm(template, 'StartLatency')).toMatchObject({
      Namespace: namespace(template),
      MetricName: JOB_METRICS.startLatency,
      Dimensions: [{ Name: 'service', Value: METRICS_SERVICE }],
      ExtendedStatistic: 'p90',
      Period: 300,
      Threshold: 60_000,
      EvaluationPeriods: 3,
    });
    expect(alarm(custom, 'StartLatency').Threshold).toBe(30_000);
  });

  it('the stream processor’s errors and iterator age, and the batches Lambda gave up on', () => {
    const fn = { Ref: processor(template).id };
    expect(alarm(template, 'StreamProcessorErrors')).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: fn }], Threshold: 1 });
    expect(alarm(template, 'StreamIteratorAge')).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'IteratorAge', Statistic: 'Maximum', Dimensions: [{ Name: 'FunctionName', Value: fn }], Threshold: 300_000, EvaluationPeriods: 3 });
    const failures = { 'Fn::GetAtt': [id(template, 'AWS::SQS::Queue', 'JobboardStreamFailures'), 'QueueName'] };
    expect(alarm(template, 'StreamFailures')).toMatchObject({ Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [{ Name: 'QueueName', Value: failures }], Threshold: 1 });
  });
});

describe('props of the change stream', () => {
  const { attempt, dispose } = propsChecker();
  afterAll(dispose);

  it('rejects what Lambda or lib could not honour, naming the prop', () => {
    expect(attempt({ publishedStates: [] })).toThrow(/prop publishedStates/);
    expect(attempt({ publishedStates: ['done' as never] })).toThrow(/prop publishedStates/);
    expect(attempt({ streamProcessor: { retryAttempts: 10_001 } })).toThrow(/prop streamProcessor\.retryAttempts/);
    expect(attempt({ streamProcessor: { maxRecordAge: Duration.seconds(30) } })).toThrow(/prop streamProcessor\.maxRecordAge/);
    expect(attempt({ streamProcessor: { memorySize: 64 } })).toThrow(/prop streamProcessor\.memorySize/);
    expect(attempt({ failedRateAlarmThreshold: 0 })).toThrow(/prop failedRateAlarmThreshold/);
  });
});
