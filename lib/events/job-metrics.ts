/**
 * The job metrics each transition event stands for (DESIGN.md, Events, counts and metrics), as
 * plain data: functions/ writes them as CloudWatch EMF with Powertools Metrics, and the CDK
 * construct alarms on them by these names. No Powertools here (lib/ stays free of it).
 */
import type { JobboardEvent, TransitionEvent } from './events.js';

/** Metric names, as CloudWatch shows them. */
export const JOB_METRICS = {
  /** Attempts started: every claim, a takeover of a lost lease included. */
  started: 'JobsStarted',
  completed: 'JobsCompleted',
  /** Jobs that ended `failed` (a permanent error, the last attempt, attempts exhausted, or dispatchBy passed). */
  failed: 'JobsFailed',
  /** Attempts given back for a retry. */
  abandoned: 'JobsAbandoned',
  /** Attempts whose lease ran out without an outcome (counted when another claim takes over). */
  lost: 'JobsLost',
  /** Running attempts stopped by a cancel (DELETE on a claimed job). */
  cancelled: 'JobsCancelled',
  /** Claim to end of an attempt that ran to an outcome, milliseconds. */
  runDuration: 'RunDuration',
  /** Post (or due) time to the claim that starts a job, milliseconds. */
  startLatency: 'StartLatency',
} as const;

export type JobMetricName = (typeof JOB_METRICS)[keyof typeof JOB_METRICS];

/** Dimension names: `service` is Powertools' own (one value per deployment); `type` and `board` are the job's. */
export const METRIC_DIMENSIONS = { service: 'service', type: 'type', board: 'board' } as const;

/** The `service` dimension's value: one per deployment, the namespace tells deployments apart. */
export const METRICS_SERVICE = 'jobboard';

export interface JobMetricSample {
  metric: JobMetricName;
  unit: 'Count' | 'Milliseconds';
  value: number;
}

/** What a transition measures: none for posting events and for transitions no metric follows. */
export function jobMetricsOf(event: JobboardEvent): JobMetricSample[] {
  if (event.kind !== 'transition') return [];
  const count = (metric: JobMetricName): JobMetricSample => ({ metric, unit: 'Count', value: 1 });
  const samples: JobMetricSample[] = [];
  switch (event.name) {
    case 'job_claimed':
      samples.push(count(JOB_METRICS.started));
      // A takeover starts an attempt too, but its job was started before: it measures a lost attempt, not a wait.
      if (event.detail?.tookOverFrom !== undefined) samples.push(count(JOB_METRICS.lost));
      else samples.push({ metric: JOB_METRICS.startLatency, unit: 'Milliseconds', value: startLatencyMs(event) });
      break;
    case 'job_consumed':
      samples.push(count(JOB_METRICS.completed));
      break;
    case 'job_abandoned':
      samples.push(count(JOB_METRICS.abandoned));
      break;
    case 'job_failed':
      samples.push(count(JOB_METRICS.failed));
      break;
    case 'job_trashed':
      if (cancelled(event)) samples.push(count(JOB_METRICS.cancelled));
      break;
    default:
      break;
  }
  const durationMs = runDurationMs(event);
  if (durationMs !== undefined) samples.push({ metric: JOB_METRICS.runDuration, unit: 'Milliseconds', value: durationMs });
  return samples;
}

/**
 * Post or due time to the claim: from `waitUntil` when the job waited for a time (a delay or a
 * retry's backoff), else from when it was posted. Never negative: hosts' clocks differ a little.
 */
export function startLatencyMs(event: TransitionEvent): number {
  const { job } = event;
  const from = job.waitUntil ?? job.postedAt ?? job.createdAt;
  return Math.max(0, (job.startedAt ?? event.at) - from);
}

/** A cancel of a running attempt: its run stopped for it, or a dead owner's job whose cancel was pending. */
function cancelled(event: TransitionEvent): boolean {
  return event.detail?.stoppedRun === 'cancelled' || event.detail?.stopRequested === 'cancel';
}

/**
 * How long the attempt this event ends ran, for the events that end an attempt which ran: an
 * owner's consume, abandon or fail (with the error it ran into), and a run stopped by a cancel or
 * suspend. None for a job failed unclaimed (attempts exhausted, dispatchBy passed): its
 * `startedAt` is an older attempt's.
 */
function runDurationMs(event: TransitionEvent): number | undefined {
  const ran = event.name === 'job_consumed' || event.name === 'job_abandoned' || (event.name === 'job_failed' && event.detail?.error !== undefined) || event.detail?.stoppedRun !== undefined;
  if (!ran) return undefined;
  const durationMs = event.durationMs ?? (event.job.startedAt === undefined ? undefined : event.at - event.job.startedAt);
  return durationMs === undefined ? undefined : Math.max(0, durationMs);
}
