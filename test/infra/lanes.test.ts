/**
 * Priority lanes in the template (DESIGN.md, Priority): a postings queue per lane, alike but for
 * their event sources' concurrency, each redriving to the one DLQ, each feeding the conductor,
 * and every function that sends postings told every lane's queue URL.
 */
import { Duration, Stack, type App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../lib/env-names.js';
import { CONDUCTOR_EVENT_SOURCE_DEFAULTS, FUNCTION_DEFAULTS, Jobboard, LANE_MAX_CONCURRENCY_DEFAULTS } from '../../infra/jobboard.js';
import { LANES, QUEUES, postingsVisibilitySeconds, type Lane } from '../../lib/queues.js';
import { arnOf, newApp, onlyResource, propsChecker, removeAssembly, resourcesOfType } from './synth.js';

const QUEUE_PREFIX: Record<Lane, string> = { high: 'JobboardHighPostings', normal: 'JobboardPostings', low: 'JobboardLowPostings' };
const ENV_NAME: Record<Lane, string> = { high: ENV.queueUrlHigh, normal: ENV.queueUrl, low: ENV.queueUrlLow };

let app: App;
let plain: Template;
let tuned: Template;
let plainBoard: Jobboard;

beforeAll(() => {
  // Queues, event sources and environment do not depend on the code inside: skip bundling.
  app = newApp({ bundling: false });
  const plainStack = new Stack(app, 'Plain');
  plainBoard = new Jobboard(plainStack, 'Jobboard', { demoJobTypes: true });
  const tunedStack = new Stack(app, 'Tuned');
  new Jobboard(tunedStack, 'Jobboard', {
    demoJobTypes: true,
    conductor: { timeout: Duration.seconds(90), maxBatchingWindow: Duration.seconds(3) },
    laneMaxConcurrency: { high: 100, low: 2 },
  });
  plain = Template.fromStack(plainStack);
  tuned = Template.fromStack(tunedStack);
});

afterAll(() => removeAssembly(app));

const queueId = (t: Template, lane: Lane) => onlyResource(t, 'AWS::SQS::Queue', QUEUE_PREFIX[lane]).id;

describe('priority lanes', () => {
  it('has three postings queues and a DLQ; each postings queue redrives to the DLQ alike', () => {
    // The fifth is the stream processor's failure queue (test/infra/stream-processor.test.ts).
    expect(Object.keys(resourcesOfType(plain, 'AWS::SQS::Queue')).filter((id) => !id.startsWith('JobboardStreamFailures'))).toHaveLength(4);
    const dlq = onlyResource(plain, 'AWS::SQS::Queue', 'JobboardDeadLetters').id;
    for (const lane of LANES) {
      const props = onlyResource(plain, 'AWS::SQS::Queue', QUEUE_PREFIX[lane]).resource.Properties!;
      expect(props, lane).toMatchObject({
        RedrivePolicy: { deadLetterTargetArn: arnOf(dlq), maxReceiveCount: QUEUES.maxReceiveCount },
        MessageRetentionPeriod: QUEUES.postings.retentionSeconds,
        VisibilityTimeout: postingsVisibilitySeconds(FUNCTION_DEFAULTS.conductor.timeout.toSeconds()),
        SqsManagedSseEnabled: true,
      });
      expect(onlyResource(tuned, 'AWS::SQS::Queue', QUEUE_PREFIX[lane]).resource.Properties!.VisibilityTimeout, lane).toBe(postingsVisibilitySeconds(90));
    }
  });

  it('exposes the lanes on the construct, postings being the normal one', () => {
    expect(plainBoard.lanes.normal).toBe(plainBoard.postings);
    expect(new Set(LANES.map((lane) => plainBoard.lanes[lane])).size).toBe(3);
  });

  it('feeds the conductor from each lane, with partial batch responses and the lane’s maximum concurrency', () => {
    for (const [t, expected, window] of [
      [plain, LANE_MAX_CONCURRENCY_DEFAULTS, 1],
      [tuned, { high: 100, normal: LANE_MAX_CONCURRENCY_DEFAULTS.normal, low: 2 }, 3],
    ] as const) {
      const conductor = onlyResource(t, 'AWS::Lambda::Function', 'JobboardConductor').id;
      const mappings = Object.values(resourcesOfType(t, 'AWS::Lambda::EventSourceMapping')).filter((m) => JSON.stringify(m.Properties!.FunctionName) === JSON.stringify({ Ref: conductor }));
      expect(mappings).toHaveLength(3);
      for (const lane of LANES) {
        const mapping = mappings.filter((m) => JSON.stringify(m.Properties!.EventSourceArn) === JSON.stringify(arnOf(queueId(t, lane))));
        expect(mapping, lane).toHaveLength(1);
        expect(mapping[0]!.Properties, lane).toMatchObject({
          FunctionName: { Ref: conductor },
          BatchSize: CONDUCTOR_EVENT_SOURCE_DEFAULTS.batchSize,
          MaximumBatchingWindowInSeconds: window,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          ScalingConfig: { MaximumConcurrency: expected[lane] },
        });
      }
    }
    expect(LANE_MAX_CONCURRENCY_DEFAULTS.high).toBeGreaterThan(LANE_MAX_CONCURRENCY_DEFAULTS.normal);
    expect(LANE_MAX_CONCURRENCY_DEFAULTS.normal).toBeGreaterThan(LANE_MAX_CONCURRENCY_DEFAULTS.low);
  });

  it('tells every function that sends postings each lane’s queue URL', () => {
    for (const fn of ['JobboardApi', 'JobboardConductor', 'JobboardSweeper']) {
      const variables = (onlyResource(plain, 'AWS::Lambda::Function', fn).resource.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
      for (const lane of LANES) expect(variables[ENV_NAME[lane]], `${fn} ${lane}`).toEqual({ Ref: queueId(plain, lane) });
    }
  });
});

describe('laneMaxConcurrency', () => {
  const { attempt, dispose } = propsChecker();
  afterAll(dispose);

  it('rejects what Lambda would refuse, naming the prop', () => {
    expect(attempt({ laneMaxConcurrency: { high: 1 } })).toThrow(/prop laneMaxConcurrency\.high must be a whole number from 2 to 1000/);
    expect(attempt({ laneMaxConcurrency: { low: 1001 } })).toThrow(/prop laneMaxConcurrency\.low/);
    expect(attempt({ laneMaxConcurrency: { urgent: 5 } as never })).toThrow(/prop laneMaxConcurrency: unknown lane "urgent"/);
    expect(attempt({ conductor: { maxConcurrency: 1 } })).toThrow(/prop conductor\.maxConcurrency/);
    expect(attempt({ conductor: { maxConcurrency: 20 }, laneMaxConcurrency: { normal: 30 } })).toThrow(/laneMaxConcurrency\.normal .* conductor\.maxConcurrency/);
    expect(attempt({ conductor: { maxConcurrency: 20 }, laneMaxConcurrency: { normal: 20, high: 1000, low: 2 } })).not.toThrow();
  });
});
