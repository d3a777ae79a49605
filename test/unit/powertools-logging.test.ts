/**
 * lib's Logger through Powertools Logger, and the Lambda wiring around a handler: the context and
 * cold-start flag on every line, the job id at the top level, metrics flushed at the end of each
 * invocation (also when it throws). Output captured from stdout and stderr, as CloudWatch reads it.
 */
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ENV } from '../../functions/env.js';
import { lambdaHandler } from '../../functions/lambda-runtime.js';
import { PowertoolsLogAdapter } from '../../functions/powertools-logger.js';
import type { Runtime } from '../../functions/runtime.js';
import { EventBus, logObserver } from '../../lib/events/events.js';
import { buildJob } from '../support/jobs.js';

let lines: string[];
beforeEach(() => {
  // What Lambda sets for on-demand instances: Powertools reports cold starts only there.
  vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand');
  lines = [];
  const capture = (chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const parsed = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
const context = (awsRequestId: string) => ({ awsRequestId, functionName: 'jobboard-conductor', functionVersion: '$LATEST', memoryLimitInMB: '1024', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:jobboard-conductor' });

describe('PowertoolsLogAdapter', () => {
  it('writes lib’s event name as message and event, its fields at the top level, and the Lambda context with the cold-start flag', () => {
    const logger = new PowertoolsLogAdapter(new PowertoolsLogger({ serviceName: 'jobboard' }));
    logger.addContext(context('req-1'));
    logger.info('job_claimed', { jobId: 'j1', attempt: 1 });
    logger.addContext(context('req-2'));
    logger.warn('claim_lost', { jobId: 'j2' });
    const [first, second] = parsed();
    expect(first).toMatchObject({ level: 'INFO', message: 'job_claimed', event: 'job_claimed', service: 'jobboard', jobId: 'j1', attempt: 1, function_request_id: 'req-1', function_name: 'jobboard-conductor', cold_start: true });
    expect(second).toMatchObject({ level: 'WARN', event: 'claim_lost', jobId: 'j2', function_request_id: 'req-2', cold_start: false });
  });

  it('serializes errors in fields with their name and message', () => {
    const logger = new PowertoolsLogAdapter(new PowertoolsLogger({ serviceName: 'jobboard' }));
    logger.error('record_failed', { jobId: 'j1', error: new TypeError('storage down') });
    expect(parsed()[0]).toMatchObject({ level: 'ERROR', event: 'record_failed', jobId: 'j1', error: { name: 'TypeError', message: 'storage down' } });
  });

  it('is what lib’s log observer writes through: each transition line names its job', () => {
    const bus = new EventBus([logObserver(new PowertoolsLogAdapter(new PowertoolsLogger({ serviceName: 'jobboard' })))]);
    const job = buildJob({ type: 'demo.echo' });
    bus.emit({ kind: 'transition', name: 'job_posted', job, at: job.createdAt });
    expect(parsed()[0]).toMatchObject({ event: 'job_posted', jobId: job.id, type: 'demo.echo' });
  });
});

describe('lambdaHandler', () => {
  beforeEach(() => {
    vi.stubEnv(ENV.tableName, 'jobs');
    vi.stubEnv(ENV.queueUrl, 'https://sqs.eu-west-1.amazonaws.com/123456789012/postings');
    vi.stubEnv(ENV.deadLetterQueueUrl, 'https://sqs.eu-west-1.amazonaws.com/123456789012/postings-dlq');
    vi.stubEnv(ENV.metricsNamespace, 'Jobboard/orders');
    vi.stubEnv('AWS_REGION', 'eu-west-1');
  });

  /** A handler factory that reports one claim through the runtime it is given, and fails when asked. */
  const factory = (_jobTypes: unknown, runtime: () => Runtime) => async (event: { fail?: boolean }, _context: unknown) => {
    const job = { ...buildJob({ type: 'demo.echo' }), state: 'claimed' as const, attempts: 1, postedAt: 1_000, startedAt: 1_250 };
    runtime().events.emit({ kind: 'transition', name: 'job_claimed', job, at: 1_250 });
    if (event.fail === true) throw new Error('handler failed');
    return 'done';
  };

  it('gives the handler a runtime that logs through Powertools with the invocation’s context, and flushes its metrics at the end', async () => {
    const handler = lambdaHandler(factory, []);
    expect(await handler({}, context('req-1'))).toBe('done');
    const [log, metrics, ...rest] = parsed();
    expect(rest).toEqual([]);
    expect(log).toMatchObject({ event: 'job_claimed', function_request_id: 'req-1', cold_start: true });
    expect(metrics).toMatchObject({ _aws: { CloudWatchMetrics: [{ Namespace: 'Jobboard/orders' }] }, JobsStarted: 1, StartLatency: 250, type: 'demo.echo' });
  });

  it('flushes the metrics of an invocation that throws, and keeps nothing for the next', async () => {
    const handler = lambdaHandler(factory, []);
    await expect(handler({ fail: true }, context('req-1'))).rejects.toThrow('handler failed');
    expect(parsed().filter((line) => '_aws' in line)).toHaveLength(1);
    lines.length = 0;
    await handler({}, context('req-2'));
    expect(parsed().filter((line) => '_aws' in line).map((line) => line.JobsStarted)).toEqual([1]);
    expect(parsed().find((line) => line.event === 'job_claimed')).toMatchObject({ function_request_id: 'req-2', cold_start: false });
  });

  it('rejects a metrics setting it cannot read, naming the variable', async () => {
    vi.stubEnv(ENV.metricsByBoard, 'yes');
    await expect(lambdaHandler(factory, [])({}, context('req-1'))).rejects.toThrow(/JOBBOARD_METRICS_BY_BOARD/);
  });
});
