/**
 * The board's alarms: each one names a condition an operator must act on (infra/README.md says
 * what to do). Missing data is "not breaching": an idle board publishes no Lambda metrics, and
 * silence is not a fault.
 */
import { Duration } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Default age of the oldest posting that counts as a stalled board. */
export const DEFAULT_POSTINGS_AGE_THRESHOLD = Duration.minutes(15);

export interface JobboardAlarmsProps {
  readonly postings: IQueue;
  readonly deadLetters: IQueue;
  readonly httpApi: IHttpApi;
  readonly conductor: IFunction;
  readonly sweeper: IFunction;
  /** Alarm and OK notifications go here when given. */
  readonly topic?: ITopic;
  /** Oldest posting age that raises `PostingsAge`. @default 15 minutes */
  readonly postingsAgeThreshold?: Duration;
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
    // Measured at API Gateway, not as Lambda errors: the handler turns most failures into a 5xx response, which Lambda counts as success.
    this.apiErrors = atLeastOnce(
      'ApiErrors',
      props.httpApi.metricServerError({ period: fiveMinutes, statistic: 'Sum' }),
      'The API answered HTTP 5xx: storage trouble, an unexpected error, or the api function crashed or timed out.',
    );
  }

  private alarm(
    id: string,
    options: { metric: IMetric; threshold: number; evaluationPeriods: number; description: string; topic: ITopic | undefined },
  ): Alarm {
    const alarm = new Alarm(this, id, {
      metric: options.metric,
      threshold: options.threshold,
      evaluationPeriods: options.evaluationPeriods,
      datapointsToAlarm: options.evaluationPeriods,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
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
