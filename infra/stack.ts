/**
 * `JobboardStack`: one Jobboard in its own stack, with the outputs a client needs.
 * Environment-agnostic (no account or region): nothing is looked up, so it synthesizes offline.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Jobboard, type JobboardProps } from './jobboard.js';

export interface JobboardStackProps extends StackProps, JobboardProps {}

/** Output names, shared with scripts that read `cdk deploy --outputs-file`. */
export const STACK_OUTPUTS = {
  apiUrl: 'ApiUrl',
  tableName: 'TableName',
  queueUrl: 'QueueUrl',
  deadLetterQueueUrl: 'DeadLetterQueueUrl',
  eventBusName: 'EventBusName',
} as const;

export class JobboardStack extends Stack {
  readonly jobboard: Jobboard;

  constructor(scope: Construct, id: string, props: JobboardStackProps = {}) {
    super(scope, id, props);
    this.jobboard = new Jobboard(this, 'Jobboard', props);
    new CfnOutput(this, STACK_OUTPUTS.apiUrl, { value: this.jobboard.url, description: 'Base URL of the API (SigV4, service execute-api)' });
    new CfnOutput(this, STACK_OUTPUTS.tableName, { value: this.jobboard.table.tableName, description: 'DynamoDB table holding the jobs' });
    new CfnOutput(this, STACK_OUTPUTS.queueUrl, { value: this.jobboard.postings.queueUrl, description: 'SQS queue of postings' });
    new CfnOutput(this, STACK_OUTPUTS.deadLetterQueueUrl, { value: this.jobboard.deadLetters.queueUrl, description: 'SQS dead-letter queue of postings' });
    new CfnOutput(this, STACK_OUTPUTS.eventBusName, { value: this.jobboard.eventBus.eventBusName, description: 'EventBridge bus of job state changes (source "jobboard", detail-type "Job State Change")' });
  }
}
