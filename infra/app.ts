/**
 * The CDK app (`cdk.json` runs it with tsx). cdk-nag's AWS Solutions pack runs as a policy
 * validation plugin at every synth, so `cdk synth` fails on any finding nobody acknowledged.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { JobboardStack } from './stack.js';

const app = new App();
new JobboardStack(app, 'Jobboard', { description: 'Jobboard: a serverless job board (API, SQS postings, DynamoDB claims, Lambda conductors)' });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
