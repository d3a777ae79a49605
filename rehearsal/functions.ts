/**
 * The deployment's functions as the rehearsal calls them: by handler, with a Lambda event and a
 * context that counts down the function's own timeout. Two ways to stand them up:
 * - in process (here): the handler factories over lib/, each function with clients of its own that
 *   record every call under its name: quick, for the access audit test;
 * - as shipped (`hosted-functions.ts`): the bundles the construct deploys, each in a Node.js 22
 *   process of its own, loaded the way Lambda loads them.
 * Either way each function reads the environment the template gives it, endpoints added.
 */
import { randomUUID } from 'node:crypto';
import { createApiHandler } from '../functions/api.js';
import { createConductorHandler } from '../functions/conductor.js';
import type { AccessAuditSink } from '../functions/access-audit.js';
import { ENV } from '../functions/env.js';
import { readEnvironment, readStreamProcessorEnvironment } from '../functions/env.js';
import { demoJobTypes } from '../functions/job-types/demo.js';
import { createRuntime } from '../functions/runtime.js';
import { createStreamProcessorHandler, createStreamRuntime } from '../functions/stream-processor.js';
import { createSweeperHandler } from '../functions/sweeper.js';
import type { HandlerName } from '../infra/handlers.js';
import { silentLogger } from '../lib/logger.js';
import type { DeployedTemplate, TemplateFunction } from './template.js';

/** Where the emulators listen: what a function gets besides the template's environment. */
export interface LocalEndpoints {
  dynamoEndpoint: string;
  sqsEndpoint: string;
  eventsEndpoint: string;
}

/** What Lambda passes a handler besides the event. */
export interface InvocationContext {
  awsRequestId: string;
  functionName: string;
  getRemainingTimeInMillis(): number;
}

export interface DeployedFunctions {
  /** Runs one invocation of the handler's function; resolves with what the handler returned. */
  invoke(handler: HandlerName, event: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

/** The template's environment for a function, with the emulators' endpoints. */
export function localEnvironment(fn: TemplateFunction, endpoints: LocalEndpoints): Record<string, string> {
  return {
    ...fn.environment,
    [ENV.dynamoEndpoint]: endpoints.dynamoEndpoint,
    [ENV.sqsEndpoint]: endpoints.sqsEndpoint,
    [ENV.eventsEndpoint]: endpoints.eventsEndpoint,
  };
}

/** A context whose time runs out after the function's timeout. */
export function invocationContext(fn: TemplateFunction): InvocationContext {
  const deadline = Date.now() + fn.timeoutSeconds * 1_000;
  return { awsRequestId: randomUUID(), functionName: fn.logicalId, getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) };
}

type Handler = (event: never, context: InvocationContext) => Promise<unknown>;

/** Each function built in this process over the demo job types, its calls recorded under its logical id. */
export function inProcessFunctions(deployment: DeployedTemplate, endpoints: LocalEndpoints, sink: AccessAuditSink): DeployedFunctions {
  const built = new Map<HandlerName, { fn: TemplateFunction; handler: Handler; close: () => void }>();
  for (const fn of deployment.functions()) {
    const env = localEnvironment(fn, endpoints);
    const audit = { functionName: fn.logicalId, sink };
    if (fn.handler === 'streamProcessor') {
      const runtime = createStreamRuntime(readStreamProcessorEnvironment(env), silentLogger, {}, audit);
      built.set(fn.handler, { fn, handler: createStreamProcessorHandler(() => runtime) as Handler, close: () => undefined });
      continue;
    }
    const runtime = createRuntime(demoJobTypes, readEnvironment(env), silentLogger, { audit });
    const factory = { api: createApiHandler, conductor: createConductorHandler, sweeper: createSweeperHandler }[fn.handler];
    built.set(fn.handler, {
      fn,
      handler: factory(demoJobTypes, () => runtime) as Handler,
      close: () => {
        runtime.dynamo.destroy();
        runtime.sqs.destroy();
      },
    });
  }
  return {
    invoke: async (name, event) => {
      const entry = built.get(name);
      if (entry === undefined) throw new Error(`the template has no ${name} function`);
      return entry.handler(event as never, invocationContext(entry.fn));
    },
    stop: async () => {
      for (const { close } of built.values()) close();
    },
  };
}
