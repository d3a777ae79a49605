/**
 * Job metrics: which transition measures what (lib/events/job-metrics.ts), and the EMF documents
 * the recorder writes through Powertools Metrics (captured from stdout, as CloudWatch reads them).
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TransitionEvent, TransitionName } from '../../lib/events/events.js';
import { JOB_METRICS, jobMetricsOf } from '../../lib/events/job-metrics.js';
import type { Job } from '../../lib/model.js';
import { EVENTS_PER_DOCUMENT, JobMetricsRecorder } from '../../functions/job-metrics-recorder.js';
import { buildJob } from '../support/jobs.js';

const T0 = 1_700_000_000_000;
const job = (fields: Partial<Job> = {}): Job => ({ ...buildJob({ type: 'demo.echo', board: 'mail' }, { typeVersion: 1 }, T0), postedAt: T0, ...fields });
const transition = (name: TransitionName, fields: Partial<Job> = {}, extra: Partial<TransitionEvent> = {}): TransitionEvent => ({ kind: 'transition', name, job: job(fields), at: T0 + 5_000, ...extra });
const claimed = (fields: Partial<Job> = {}, detail?: Record<string, unknown>) =>
  transition('job_claimed', { state: 'claimed', attempts: 1, startedAt: T0 + 1_500, ...fields }, detail === undefined ? {} : { detail });
const byMetric = (event: TransitionEvent) => Object.fromEntries(jobMetricsOf(event).map((s) => [s.metric, s.value]));

describe('jobMetricsOf', () => {
  it('a claim starts an attempt and measures the wait from the post', () => {
    expect(byMetric(claimed())).toEqual({ [JOB_METRICS.started]: 1, [JOB_METRICS.startLatency]: 1_500 });
  });

  it('the wait of a delayed job or a retry counts from its due time, not from the post', () => {
    expect(byMetric(claimed({ waitUntil: T0 + 1_000, postedAt: T0 + 1_000, createdAt: T0 - 60_000 }))[JOB_METRICS.startLatency]).toBe(500);
    // Never negative: a claim by a host whose clock is a little behind.
    expect(byMetric(claimed({ waitUntil: T0 + 2_000 }))[JOB_METRICS.startLatency]).toBe(0);
  });

  it('a takeover after a lost lease counts a lost attempt and a start, and no wait', () => {
    expect(byMetric(claimed({ attempts: 2 }, { tookOverFrom: 'owner-1', lostAttempt: 1 }))).toEqual({ [JOB_METRICS.started]: 1, [JOB_METRICS.lost]: 1 });
  });

  it('ends of runs count their outcome and measure the run', () => {
    expect(byMetric(transition('job_consumed', { state: 'completed' }, { durationMs: 800 }))).toEqual({ [JOB_METRICS.completed]: 1, [JOB_METRICS.runDuration]: 800 });
    expect(byMetric(transition('job_abandoned', {}, { durationMs: 300, detail: { error: { message: 'x' } } }))).toEqual({ [JOB_METRICS.abandoned]: 1, [JOB_METRICS.runDuration]: 300 });
    expect(byMetric(transition('job_failed', { state: 'failed' }, { durationMs: 200, detail: { error: { message: 'x' }, reason: 'permanent' } }))).toEqual({ [JOB_METRICS.failed]: 1, [JOB_METRICS.runDuration]: 200 });
  });

  it('a job failed unclaimed (attempts exhausted, dispatchBy passed) counts as failed, with no run', () => {
    expect(byMetric(transition('job_failed', { state: 'failed', startedAt: T0 }, { durationMs: 4_000, detail: { reason: 'exhausted' } }))).toEqual({ [JOB_METRICS.failed]: 1 });
  });

  it('a cancel of a running job counts as cancelled, with its run; trashing a waiting job does not', () => {
    expect(byMetric(transition('job_trashed', { state: 'trashed', startedAt: T0 + 1_000 }, { detail: { stoppedRun: 'cancelled' } }))).toEqual({ [JOB_METRICS.cancelled]: 1, [JOB_METRICS.runDuration]: 4_000 });
    expect(byMetric(transition('job_trashed', { state: 'trashed' }, { detail: { stopRequested: 'cancel' } }))).toEqual({ [JOB_METRICS.cancelled]: 1 });
    expect(jobMetricsOf(transition('job_trashed', { state: 'trashed' }))).toEqual([]);
    expect(jobMetricsOf(transition('job_posted'))).toEqual([]);
    expect(jobMetricsOf({ kind: 'posting', name: 'posting_dropped', jobId: 'x' })).toEqual([]);
  });
});

interface EmfDocument {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

describe('JobMetricsRecorder', () => {
  let lines: string[];
  beforeEach(() => {
    lines = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(`stderr: ${String(chunk)}`);
      return true;
    });
  });
  afterEach(() => vi.restoreAllMocks());

  const recorder = (byBoard = false) => new JobMetricsRecorder(new Metrics({ namespace: 'Jobboard/test', serviceName: 'jobboard' }), { byBoard });
  const documents = () => lines.map((line) => JSON.parse(line) as EmfDocument);

  it('writes nothing until flushed, then one EMF document per type and board, dimensions service and service+type', () => {
    const metrics = recorder();
    metrics.observer(claimed({ id: 'a' }));
    metrics.observer(claimed({ id: 'b', startedAt: T0 + 2_500 }));
    metrics.observer(transition('job_consumed', { id: 'a', state: 'completed' }, { durationMs: 700 }));
    metrics.observer(claimed({ id: 'c', type: 'mail.send' }));
    expect(lines).toEqual([]);
    metrics.flush();
    const [echo, send, ...none] = documents();
    expect(none).toEqual([]);
    expect(echo!._aws.CloudWatchMetrics[0]!.Namespace).toBe('Jobboard/test');
    expect(echo!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service'], ['service', 'type']]);
    expect(echo).toMatchObject({ service: 'jobboard', type: 'demo.echo', board: 'mail', jobIds: 'a,b', JobsStarted: 2, JobsCompleted: 1, StartLatency: [1_500, 2_500], RunDuration: 700 });
    const units = Object.fromEntries(echo!._aws.CloudWatchMetrics[0]!.Metrics.map((m) => [m.Name, m.Unit]));
    expect(units).toEqual({ JobsStarted: 'Count', JobsCompleted: 'Count', StartLatency: 'Milliseconds', RunDuration: 'Milliseconds' });
    expect(send).toMatchObject({ type: 'mail.send', jobIds: 'c', JobsStarted: 1 });
    // The board is metadata, not a dimension: no board ever makes a metric of its own.
    expect(echo!._aws.CloudWatchMetrics[0]!.Dimensions.flat()).not.toContain('board');
  });

  it('a flush forgets what it wrote, and a flush with nothing recorded writes nothing (not even a warning)', () => {
    const metrics = recorder();
    metrics.observer(claimed());
    metrics.flush();
    lines.length = 0;
    metrics.flush();
    metrics.observer(transition('job_posted'));
    metrics.flush();
    expect(lines).toEqual([]);
  });

  it('with byBoard, the board is a dimension too (service+board), and Powertools has nothing to warn about', () => {
    const metrics = recorder(true);
    metrics.observer(claimed());
    metrics.flush();
    const [document] = documents();
    expect(lines.filter((line) => line.startsWith('stderr'))).toEqual([]);
    expect(document!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service'], ['service', 'type'], ['service', 'board']]);
    expect(document).toMatchObject({ board: 'mail', type: 'demo.echo' });
  });

  it('splits a busy group into documents of at most 99 events (EMF takes 100 values per metric)', () => {
    const metrics = recorder();
    for (let i = 0; i < 150; i++) metrics.observer(claimed({ id: `j${i}` }));
    metrics.flush();
    const parts = documents();
    expect(parts.map((d) => d.JobsStarted)).toEqual([EVENTS_PER_DOCUMENT, 150 - EVENTS_PER_DOCUMENT]);
    expect(parts.map((d) => (d.StartLatency as number[]).length)).toEqual([EVENTS_PER_DOCUMENT, 150 - EVENTS_PER_DOCUMENT]);
    for (const part of parts) expect(part._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service'], ['service', 'type']]);
  });
});
