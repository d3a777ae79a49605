/**
 * Each function's environment, as the synthesized template sets it, read by the very parsers its
 * handler reads it with (functions/env.ts): every variable resolves, parses, and means what the
 * construct's props said. A construct that set a name the handler does not read (or a value it
 * cannot parse) would only fail at the first invocation on AWS.
 */
import { Duration, Stack, type App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { ENV, STREAM_ENV, readEnvironment, readMetricsEnvironment, readStreamProcessorEnvironment } from '../../functions/env.js';
import { Jobboard, type JobboardProps } from '../../infra/jobboard.js';
import { DeployedTemplate, physicalResources, type CfnTemplate } from '../../rehearsal/template.js';
import { newApp, removeAssembly } from './synth.js';

const placement = { account: '123456789012', region: 'eu-west-1' };
const apps: App[] = [];
afterAll(() => apps.forEach(removeAssembly));

/** The template of a board with these props, resolved as CloudFormation would (names = logical ids). */
function deployed(props: JobboardProps): DeployedTemplate {
  const app = newApp({ bundling: false });
  apps.push(app);
  const template = Template.fromStack(((stack) => (new Jobboard(stack, 'Board', props), stack))(new Stack(app, `Env${apps.length}`))).toJSON() as CfnTemplate;
  const physical = physicalResources(template, placement, { nameOf: (id) => id, queueUrl: (id) => `https://sqs.${placement.region}.amazonaws.com/${placement.account}/${id}` });
  return new DeployedTemplate(template, placement, physical);
}

/** Every variable the parsers of functions/env.ts read. */
const READ = new Set([...Object.values(ENV), ...Object.values(STREAM_ENV), 'NODE_OPTIONS']);

describe('each function’s environment in the template', () => {
  it.each([
    ['the defaults', { demoJobTypes: true } as JobboardProps],
    ['every setting', { demoJobTypes: true, retention: Duration.days(3), conductor: { recordConcurrency: 4, timeout: Duration.minutes(5) }, publishedStates: ['completed', 'failed'], metricsByBoard: true, environment: { MY_SETTING: 'x' } } as JobboardProps],
  ])('parses with the handler’s own parser, with %s', (_, props) => {
    const deployment = deployed(props);
    const table = deployment.resourcesOfType('AWS::DynamoDB::Table')[0];
    const queueUrl = (prefix: string) => `https://sqs.${placement.region}.amazonaws.com/${placement.account}/${deployment.resourcesOfType('AWS::SQS::Queue').find((id) => id.startsWith(prefix))}`;
    const functions = deployment.functions();
    expect(functions.map((fn) => fn.handler).sort()).toEqual(['api', 'conductor', 'streamProcessor', 'sweeper']);
    for (const fn of functions) {
      const env = fn.environment;
      // Nothing the handler would not read, but the user's own variables for job code.
      const unread = Object.keys(env).filter((name) => !READ.has(name as never) && !(name in (props.environment ?? {})));
      expect(unread, fn.handler).toEqual([]);
      const metrics = readMetricsEnvironment(env);
      expect(metrics.namespace).toMatch(/^Jobboard\//);
      expect(metrics.byBoard).toBe(props.metricsByBoard === true);
      if (fn.handler === 'streamProcessor') {
        const parsed = readStreamProcessorEnvironment(env);
        expect(parsed.tableName).toBe(table);
        expect(parsed.eventBusName).toMatch(/^arn:aws:events:eu-west-1:123456789012:event-bus\//);
        expect(parsed.publishedStates).toEqual(props.publishedStates ?? 'all');
        expect(env.MY_SETTING, 'the stream processor runs no job code').toBeUndefined();
        continue;
      }
      const parsed = readEnvironment(env);
      expect(parsed.tableName).toBe(table);
      expect(parsed.queueUrl).toBe(queueUrl('BoardPostings'));
      expect(parsed.queueUrlHigh).toBe(queueUrl('BoardHighPostings'));
      expect(parsed.queueUrlLow).toBe(queueUrl('BoardLowPostings'));
      expect(parsed.deadLetterQueueUrl).toBe(queueUrl('BoardDeadLetters'));
      expect(parsed.retentionDays).toBe(props.retention?.toDays());
      expect(parsed.recordConcurrency).toBe(fn.handler === 'conductor' ? props.conductor?.recordConcurrency : undefined);
      expect(parsed.dynamoEndpoint).toBeUndefined();
      expect(parsed.sqsEndpoint).toBeUndefined();
      expect(parsed.accessAudit, 'a deployed function records no calls').toBeUndefined();
      expect(env.MY_SETTING).toBe(props.environment?.MY_SETTING);
    }
    // Lambda's longest by default: every timeoutSeconds the API accepts can run.
    expect(deployment.function('conductor').timeoutSeconds).toBe(props.conductor?.timeout?.toSeconds() ?? 900);
  });
});
