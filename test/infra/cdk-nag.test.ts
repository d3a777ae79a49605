/**
 * cdk-nag's AWS Solutions pack finds nothing, errors or warnings, and every acknowledged rule
 * carries its reason. cdk-nag 3 runs as a CDK policy-validation plugin (`Validations`), not an
 * aspect: the tests call the pack directly for a readable list, and synthesize with it
 * registered the way infra/app.ts does, which fails on any finding.
 */
import { Stack, Validations, type App } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Jobboard, NODE_22_REASON } from '../../infra/jobboard.js';
import { JobboardStack } from '../../infra/stack.js';
import { STREAM_FAILURES_REASON } from '../../infra/stream.js';
import { FIXTURE_JOB_TYPES_ENTRY, newApp, removeAssembly } from './synth.js';

let app: App;
let stacks: Stack[];
let synthError: unknown;

beforeAll(() => {
  // The checks read resource properties only, never the code inside: skip bundling.
  app = newApp({ bundling: false });
  stacks = [
    new JobboardStack(app, 'Jobboard', { demoJobTypes: true }),
    new JobboardStack(app, 'Custom', { jobTypes: { entry: FIXTURE_JOB_TYPES_ENTRY, exportName: 'fixtureJobTypes' } }),
    securedStack(app),
  ];
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  try {
    app.synth();
  } catch (error) {
    synthError = error;
  }
});

afterAll(() => removeAssembly(app));

/** A board with a customer-managed key and X-Ray tracing (whose grant on "*" the construct acknowledges with its reason). */
function securedStack(scope: App): Stack {
  const stack = new Stack(scope, 'Secured');
  new Jobboard(stack, 'Jobboard', { demoJobTypes: true, tracing: true, encryptionKey: new Key(stack, 'Key', { enableKeyRotation: true }) });
  return stack;
}

/** Every acknowledgment recorded on the tree: rule id, reason and where. */
function acknowledgments(root: IConstruct): { id: string; reason: string; path: string }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({ id: id.replace(/^annotation::/i, ''), reason, path: construct.node.path })),
      ),
  );
}

describe('cdk-nag AwsSolutions', () => {
  it('reports no violation, error or warning', () => {
    for (const stack of stacks) {
      const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(stack);
      const findings = report.violations.map((v) => `${v.severity} ${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}: ${v.description}`);
      expect(findings, stack.stackName).toEqual([]);
    }
  });

  it('lets the app synthesize with the pack registered, as cdk synth does', () => {
    expect(synthError).toBeUndefined();
  });

  it('leaves no CDK warning or error annotation', () => {
    for (const stack of stacks) {
      expect(Annotations.fromStack(stack).findError('*', Match.anyValue()), stack.stackName).toEqual([]);
      expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue()), stack.stackName).toEqual([]);
    }
  });

  it('acknowledges only the Node.js 22 runtime finding, on the four functions, and the stream failures queue having no DLQ, each with its reason', () => {
    const acks = acknowledgments(stacks[0]!);
    expect(acks.map((ack) => `${ack.id} ${ack.path}`).sort()).toEqual(
      [...['Api', 'Conductor', 'StreamProcessor', 'Sweeper'].map((fn) => `AwsSolutions-L1 Jobboard/Jobboard/${fn}`), 'AwsSolutions-SQS3 Jobboard/Jobboard/StreamFailures'].sort(),
    );
    for (const ack of acks) {
      expect(ack.reason).toBe(ack.id === 'AwsSolutions-SQS3' ? STREAM_FAILURES_REASON : NODE_22_REASON);
      expect(ack.reason.length).toBeGreaterThan(60);
    }
  });
});
