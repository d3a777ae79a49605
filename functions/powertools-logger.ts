/**
 * lib's `Logger` written through Powertools Logger, for the Lambda handlers: every line carries
 * the Lambda context (request id, function name, version, memory) and the cold-start flag once
 * `addContext` has run for the invocation, plus lib's own fields at the top level, `jobId` among
 * them for every line about a job, so one query finds a job's whole story across functions.
 *
 * The event name stays in an `event` key (as `JsonLogger` writes it; the construct's metric filter
 * counts `$.event = "record_failed"`) and is also Powertools' `message`.
 */
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import type { Logger } from '../lib/logger.js';

export class PowertoolsLogAdapter implements Logger {
  constructor(readonly powertools: PowertoolsLogger) {}

  info(event: string, fields: Record<string, unknown> = {}): void {
    this.powertools.info({ ...fields, message: event, event });
  }

  warn(event: string, fields: Record<string, unknown> = {}): void {
    this.powertools.warn({ ...fields, message: event, event });
  }

  error(event: string, fields: Record<string, unknown> = {}): void {
    this.powertools.error({ ...fields, message: event, event });
  }

  /**
   * At the start of each invocation: its Lambda context, and whether this is the cold start
   * (Powertools keeps that flag itself). Powertools reads only the fields named here; a local or
   * test invocation may pass fewer, and the missing ones are left out of the lines.
   */
  addContext(context: LambdaContextFields | undefined): void {
    this.powertools.addContext({ ...context } as Context);
  }
}

/** The part of a Lambda context a log line carries. */
export type LambdaContextFields = Partial<Pick<Context, 'functionName' | 'functionVersion' | 'memoryLimitInMB' | 'invokedFunctionArn' | 'awsRequestId'>>;
