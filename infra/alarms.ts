/**
 * The board's alarms: each one names a condition an operator must act on (infra/README.md says
 * what to do). Missing data is "not breaching" for metrics an idle board simply does not publish
 * (silence is not a fault there), and "breaching" where silence *is* the fault: a sweeper that
 * stopped running publishes no invocations at all.
 */
import { Duration } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, MathExpression, Metric, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { FilterPattern, MetricFilter, type ILogGroup } from 'aws-cdk-lib/aws-logs';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Default age of the oldest posting that counts as a stalled board. */
export const DEFAULT_POSTINGS_AGE_THRESHOLD = Duration.minutes(15);

/**
 * Default age of the oldest dead-lettered posting that raises `DeadLetterAge`: half the DLQ's
 * 14-day retention, so an operator has a week to redrive or retry before SQS deletes it.
 */
export const DEFAULT_DEAD_LETTER_AGE_THRESHOLD = Duration.days(7);

/** DynamoDB operations the functions send (what can be throttled or fail on AWS's side). */
export const TABLE_OPERATIONS = ['GetItem', 'PutItem', 'UpdateItem', 'BatchGetItem', 'Query'] as const;

/** The conductor's log event for a record that hit storage trouble (lib/run/conductor.ts). */
export const RECORD_FAILED_EVENT = 'record_failed';

export interface JobboardAlarmsProps {
  readonly postings: IQueue;
  readonly deadLetters: IQueue;
  readonly httpApi: IHttpApi;
  readonly conductor: IFunction;
  readonly sweeper: IFunction;
  readonly table: ITable;
  /** Names of the table's global secondary indexes (their throttles count too). */
  readonly indexNames: readonly string[];
  /** Where the conductor logs (its `record_failed` lines are counted). */
  readonly conductorLogs: ILogGroup;
  /** Namespace of the metrics the log filters publish; one per board. */
  readonly metricNamespace: string;
  /** Alarm and OK notifications go here when given. */
  readonly topic?: ITopic;
  /** Oldest posting age that raises `PostingsAge`. @default 15 minutes */
  readonly postingsAgeThreshold?: Duration;
  /** Oldest dead-letter age that raises `DeadLetterAge`. @default 7 days */
  readonly deadLetterAgeThreshold?: Duration;
}

/** Alarms of one board, by name. */
export class JobboardAlarms extends Construct {
  /** A posting reached the DLQ: a job failed for good, or a posting could not be processed at all. */
  readonly deadLetters: Alarm;
  /** The conductor function itself failed (crash or timeout), as opposed to a job failing. */
  readonly conductorErrors: Alarm;
  /** Lambda refused conductor invocations: account or function concurrency is exhausted. */
  readonly conductorThrottles: Alarm;
  /** Postings wait longer than the threshold: conductors are not keeping up or not running. */
  readonly postingsAge: Alarm;
  /** The sweeper failed on every run for 15 minutes: lost postings and due jobs are not repaired. */
  readonly sweeperErrors: Alarm;
  /** Callers got HTTP 5xx: storage trouble (503), unexpected errors (500), crashes or timeouts of the api function. */
  readonly apiErrors: Alarm;
  /** A dead-lettered posting is old: SQS deletes it at 14 days, with the record of a job that failed for good. */
  readonly deadLetterAge: Alarm;
  /** The sweeper did not run for 15 minutes (missing data alarms: silence is the fault). */
  readonly sweeperNotRunning: Alarm;
  /** DynamoDB throttled requests to the table or its indexes. */
  readonly tableThrottles: Alarm;
  /** DynamoDB answered with internal errors. */
  readonly tableSystemErrors: Alarm;
  /** Conductors hit storage trouble on records repeatedly (their postings come back, jobs wait). */
  readonly recordFailures: Alarm;

  constructor(scope: Construct, id: string, props: JobboardAlarmsProps) {
    super(scope, id);
    const fiveMinutes = Duration.minutes(5);
    const atLeastOnce = (alarmId: string, metric: IMetric, description: string, evaluationPeriods = 1): Alarm =>
      this.alarm(alarmId, { metric, threshold: 1, evaluationPeriods, description, topic: props.topic });

    this.deadLetters = atLeastOnce(
      'DeadLetters',
      props.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      'Postings are waiting in the dead-letter queue: jobs failed for good or postings could not be processed.',
    );
    this.conductorErrors = atLeastOnce(
      'ConductorErrors',
      props.conductor.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
      'The conductor function failed (crash or timeout); its batch came back to the queue.',
    );
    this.conductorThrottles = atLeastOnce(
      'ConductorThrottles',
      props.conductor.metricThrottles({ period: fiveMinutes, statistic: 'Sum' }),
      'Lambda throttled the conductor: concurrency is exhausted and postings wait.',
    );
    const ageThreshold = props.postingsAgeThreshold ?? DEFAULT_POSTINGS_AGE_THRESHOLD;
    this.postingsAge = this.alarm('PostingsAge', {
      metric: props.postings.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: ageThreshold.toSeconds(),
      evaluationPeriods: 1,
      description: `The oldest posting is older than ${ageThreshold.toHumanString()}: conductors are not keeping up or not running.`,
      topic: props.topic,
    });
    // One failed sweep is repaired by the next one a minute later; three 5-minute periods in a row are not.
    this.sweeperErrors = atLeastOnce(
      'SweeperErrors',
      props.sweeper.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
      'The sweeper failed in every 5-minute period for 15 minutes: lost postings and due delayed jobs are not repaired.',
      3,
    );
    const deadLetterThreshold = props.deadLetterAgeThreshold ?? DEFAULT_DEAD_LETTER_AGE_THRESHOLD;
    this.deadLetterAge = this.alarm('DeadLetterAge', {
      metric: props.deadLetters.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: deadLetterThreshold.toSeconds(),
      evaluationPeriods: 1,
      description: `A dead-lettered posting is older than ${deadLetterThreshold.toHumanString()}: redrive it or retry its job before SQS deletes it at 14 days.`,
      topic: props.topic,
    });
    // Every minute a sweep runs; three 5-minute periods without one mean the schedule or the function is gone.
    this.sweeperNotRunning = this.alarm('SweeperNotRunning', {
      metric: props.sweeper.metricInvocations({ period: fiveMinutes, statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 3,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.BREACHING,
      description: 'The sweeper has not run for 15 minutes: lost postings, due delayed jobs and expired dispatches are not handled.',
      topic: props.topic,
    });
    const tableMetric = (metricName: string, dimensions: Record<string, string>) =>
      new Metric({ namespace: 'AWS/DynamoDB', metricName, dimensionsMap: { TableName: props.table.tableName, ...dimensions }, period: fiveMinutes, statistic: 'Sum' });
    const sum = (metrics: Metric[], label: string) =>
      new MathExpression({ expression: metrics.map((_, n) => `FILL(m${n}, 0)`).join(' + '), usingMetrics: Object.fromEntries(metrics.map((m, n) => [`m${n}`, m])), label, period: fiveMinutes });
    this.tableThrottles = atLeastOnce(
      'TableThrottles',
      sum(
        [
          ...TABLE_OPERATIONS.map((operation) => tableMetric('ThrottledRequests', { Operation: operation })),
          ...props.indexNames.flatMap((index) => ['ReadThrottleEvents', 'WriteThrottleEvents'].map((name) => tableMetric(name, { GlobalSecondaryIndexName: index }))),
        ],
        'throttled requests (table and indexes)',
      ),
      'DynamoDB throttled requests to the jobs table or its indexes: jobs are retried, but slower (see the runbook for hot keys and limits).',
    );
    this.tableSystemErrors = atLeastOnce(
      'TableSystemErrors',
      sum(TABLE_OPERATIONS.map((operation) => tableMetric('SystemErrors', { Operation: operation })), 'DynamoDB system errors'),
      'DynamoDB answered with internal errors: requests were retried or their postings came back.',
    );
    const recordFailed = new MetricFilter(this, 'RecordFailedFilter', {
      logGroup: props.conductorLogs,
      filterPattern: FilterPattern.stringValue('$.event', '=', RECORD_FAILED_EVENT),
      metricNamespace: props.metricNamespace,
      metricName: 'RecordFailed',
      metricValue: '1',
    });
    this.recordFailures = this.alarm('RecordFailures', {
      metric: recordFailed.metric({ period: fiveMinutes, statistic: 'Sum' }),
      threshold: 10,
      evaluationPeriods: 2,
      description: 'Conductors hit storage trouble on 10 or more records in each of two 5-minute periods: postings come back and jobs wait.',
      topic: props.topic,
    });
    // Measured at API Gateway, not as Lambda errors: the handler turns most failures into a 5xx response, which Lambda counts as success.
    this.apiErrors = atLeastOnce(
      'ApiErrors',
      props.httpApi.metricServerError({ period: fiveMinutes, statistic: 'Sum' }),
      'The API answered HTTP 5xx: storage trouble, an unexpected error, or the api function crashed or timed out.',
    );
  }

  private alarm(
    id: string,
    options: {
      metric: IMetric;
      threshold: number;
      evaluationPeriods: number;
      description: string;
      topic: ITopic | undefined;
      comparisonOperator?: ComparisonOperator;
      treatMissingData?: TreatMissingData;
    },
  ): Alarm {
    const alarm = new Alarm(this, id, {
      metric: options.metric,
      threshold: options.threshold,
      evaluationPeriods: options.evaluationPeriods,
      datapointsToAlarm: options.evaluationPeriods,
      comparisonOperator: options.comparisonOperator ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: options.treatMissingData ?? TreatMissingData.NOT_BREACHING,
      alarmDescription: options.description,
    });
    if (options.topic !== undefined) {
      const action = new SnsAction(options.topic);
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
    return alarm;
  }
}
