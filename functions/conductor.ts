/** Lambda handler for the postings queue's event source: one conductor per invocation. */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { JobType } from '../lib/registry.js';
import { lazyRuntime, type Runtime } from './runtime.js';

export type ConductorHandler = (event: SQSEvent, context: Pick<Context, 'awsRequestId' | 'getRemainingTimeInMillis'>) => Promise<SQSBatchResponse>;

/** A conductor handler running these job types. `runtime` overrides the environment (local stack, tests). */
export function createConductorHandler(jobTypes: readonly JobType<never>[], runtime: () => Runtime = lazyRuntime(jobTypes)): ConductorHandler {
  return (event, context) => runtime().conductor.processBatch(event.Records, context);
}
