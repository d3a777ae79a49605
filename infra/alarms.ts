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
import { JOB_METRICS, METRICS_SERVICE, METRIC_DIMENSIONS } from '../lib/events/job-metrics.js';

/** Default age of the oldest posting that counts as a stalled board. */
export const DEFAULT_POSTINGS_AGE_THRESHOLD = Duration.minutes(15);

/**
 * Default age of the oldest dead-lettered posting that raises `DeadLetterAge`: half the DLQ's
 * 14-day retention, so an operator has a week to redrive or retry before SQS deletes it.
 */
export const DEFAULT_DEAD_LETTER_AGE_THRESHOLD = Duration.days(7);

/** Percentage of finished jobs ending `failed` that raises `FailedRate`. */
export const DEFAULT_FAILED_RATE_THRESHOLD = 10;

/** 90th percentile of start latency that raises `StartLatency`. */
export const DEFAULT_START_LATENCY_THRESHOLD = Duration.minutes(1);

/** Age of the stream's oldest unprocessed record that raises `StreamIteratorAge`: events and counts that far behind. */
export const STREAM_ITERATOR_AGE_THRESHOLD = Duration.minutes(5);

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
  /** Namespace of the metrics the log filters and the functions (EMF) publish; one per board. */
  readonly metricNamespace: string;
  readonly streamProcessor: IFunction;
  /** The stream event source's on-failure destination. */
  readonly streamFailures: IQueue;
  /** @default {@link DEFAULT_FAILED_RATE_THRESHOLD} percent */
  readonly failedRateThreshold?: number;
  /** @default {@link DEFAULT_START_LATENCY_THRESHOLD} */
  readonly startLatencyThreshold?: Duration;
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
  /** Too many finished jobs end `failed` (metric math on the job metrics). */
  readonly failedRate: Alarm;
  /** Jobs wait too long between being posted (or due) and starting: the 90th percentile. */
  readonly startLatency: Alarm;
  /** The stream processor function failed: events and counts wait while Lambda retries. */
  readonly streamErrors: Alarm;
  /** The stream processor is behind: events and counts lag the table. */
  readonly streamIteratorAge: Alarm;
  /** Lambda gave up on stream batches: their events were never published. */
  readonly streamFailures: Alarm;

  constructor(scope: Construct, id: string, props: JobboardAlarmsProps) {
    super(scope, id);
    const fiveMinutes = Duration.minutes(5);
    const atLeastOnce = (alarmId: string, metric: IMetric, description: string, evaluationPeriods = 1): Alarm => this.atLeastOnce(alarmId, metric, description, props.topic, evaluationPeriods);

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
    ({ failedRate: this.failedRate, startLatency: this.startLatency } = this.jobMetricAlarms(props));
    ({ streamErrors: this.streamErrors, streamIteratorAge: this.streamIteratorAge, streamFailures: this.streamFailures } = this.streamAlarms(props));
    // Measured at API Gateway, not as Lambda errors: the handler turns most failures into a 5xx response, which Lambda counts as success.
    this.apiErrors = atLeastOnce(
      'ApiErrors',
      props.httpApi.metricServerError({ period: fiveMinutes, statistic: 'Sum' }),
      'The API answered HTTP 5xx: storage trouble, an unexpected error, or the api function crashed or timed out.',
    );
  }

  /** Alarms on the metrics the functions publish (lib/events/job-metrics.ts), over every type and board. */
  private jobMetricAlarms(props: JobboardAlarmsProps): { failedRate: Alarm; startLatency: Alarm } {
    const period = Duration.minutes(5);
    const jobMetric = (metricName: string, statistic: string) =>
      new Metric({ namespace: props.metricNamespace, metricName, dimensionsMap: { [METRIC_DIMENSIONS.service]: METRICS_SERVICE }, period, statistic });
    const rateThreshold = props.failedRateThreshold ?? DEFAULT_FAILED_RATE_THRESHOLD;
    const failedRate = new MathExpression({
      expression: 'IF(FILL(c, 0) + FILL(f, 0) > 0, 100 * FILL(f, 0) / (FILL(c, 0) + FILL(f, 0)), 0)',
      usingMetrics: { c: jobMetric(JOB_METRICS.completed, 'Sum'), f: jobMetric(JOB_METRICS.failed, 'Sum') },
      label: 'failed jobs, % of finished',
      period,
    });
    const failedRateAlarm = this.alarm('FailedRate', {
      metric: failedRate,
      threshold: rateThreshold,
      evaluationPeriods: 3,
      description: `${rateThreshold}% or more of finished jobs ended failed in each 5-minute period for 15 minutes. Runbook: list them (GET /jobs?state=failed) and read their errors; a deploy or a dependency is the usual cause; once fixed, retry them in bulk (POST /operations {"action": "retry", "filter": {"state": "failed"}}).`,
      topic: props.topic,
    });
    const latency = props.startLatencyThreshold ?? DEFAULT_START_LATENCY_THRESHOLD;
    const startLatency = this.alarm('StartLatency', {
      metric: jobMetric(JOB_METRICS.startLatency, 'p90'),
      threshold: latency.toMilliseconds(),
      evaluationPeriods: 3,
      description: `The 90th percentile of start latency (post or due time to claim) was ${latency.toHumanString()} or more for 15 minutes. Runbook: check PostingsAge, ConductorThrottles and ConductorErrors; if conductors are healthy and busy, raise laneMaxConcurrency; check paused boards and maxRunning limits (GET /boards).`,
      topic: props.topic,
    });
    return { failedRate: failedRateAlarm, startLatency };
  }

  /** Alarms on the stream processor: it failing, lagging, or skipping batches. */
  private streamAlarms(props: JobboardAlarmsProps): { streamErrors: Alarm; streamIteratorAge: Alarm; streamFailures: Alarm } {
    const streamErrors = this.atLeastOnce(
      'StreamProcessorErrors',
      props.streamProcessor.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      'The stream processor function failed; Lambda retries the batch, and events and counts wait. Runbook: read its log group (errors name the cause: DynamoDB throttling, EventBridge permissions or limits); a failure that repeats blocks its stream shard until it is fixed (see StreamIteratorAge).',
      props.topic,
    );
    const streamIteratorAge = this.alarm('StreamIteratorAge', {
      metric: props.streamProcessor.metric('IteratorAge', { period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: STREAM_ITERATOR_AGE_THRESHOLD.toMilliseconds(),
      evaluationPeriods: 3,
      description: `The stream processor is ${STREAM_ITERATOR_AGE_THRESHOLD.toHumanString()} or more behind the table for 3 minutes: events arrive late and /stats lags. Runbook: check StreamProcessorErrors and the function's throttles; a batch failing again and again blocks its shard until fixed or until its records pass the mapping's maximum age (then they go to the stream failures queue).`,
      topic: props.topic,
    });
    const streamFailures = this.atLeastOnce(
      'StreamFailures',
      props.streamFailures.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      'Lambda gave up on stream batches: their job state changes were not published (counts were kept unless the counter write itself failed). Runbook: each message names a shard and a sequence range; within the stream\'s 24 hours, read those records and publish them again; compare /stats with a full listing; then delete the message.',
      props.topic,
    );
    return { streamErrors, streamIteratorAge, streamFailures };
  }

  /** Fires on one occurrence or more in each of `evaluationPeriods` periods. */
  private atLeastOnce(id: string, metric: IMetric, description: string, topic: ITopic | undefined, evaluationPeriods = 1): Alarm {
    return this.alarm(id, { metric, threshold: 1, evaluationPeriods, description, topic });
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
