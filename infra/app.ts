/**
 * The CDK app (`cdk.json` runs it with tsx). cdk-nag's AWS Solutions pack runs as a policy
 * validation plugin at every synth, so `cdk synth` fails on any finding nobody acknowledged.
 *
 * Context (`-c key=value`), for deploying without writing an app of one's own:
 * - `jobboard:stackName` (default `Jobboard`): several boards in one account get several names;
 * - `jobboard:jobTypes` = `<module path>#<export name>`: the job types to deploy; without it, the demo ones.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { JobTypesModule } from './handlers.js';
import { JobboardStack } from './stack.js';

const app = new App();
const stackName = contextString(app, 'jobboard:stackName') ?? 'Jobboard';
const jobTypes = parseJobTypes(contextString(app, 'jobboard:jobTypes'));
new JobboardStack(app, stackName, {
  description: 'Jobboard: a serverless job board (API, SQS postings, DynamoDB claims, Lambda conductors)',
  ...(jobTypes === undefined ? { demoJobTypes: true } : { jobTypes }),
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

function contextString(scope: App, key: string): string | undefined {
  const value: unknown = scope.node.tryGetContext(key);
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new Error(`context ${key} must be a non-empty string, got ${JSON.stringify(value)}`);
  return value;
}

function parseJobTypes(value: string | undefined): JobTypesModule | undefined {
  if (value === undefined) return undefined;
  const hash = value.lastIndexOf('#');
  if (hash <= 0 || hash === value.length - 1) throw new Error(`context jobboard:jobTypes must look like path/to/module.ts#exportName, got ${JSON.stringify(value)}`);
  return { entry: value.slice(0, hash), exportName: value.slice(hash + 1) };
}
