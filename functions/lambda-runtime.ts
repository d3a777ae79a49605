/**
 * What the Lambda entries put around a handler, and nothing else does: logging through Powertools
 * Logger (with the Lambda context and cold-start flag) and job metrics through Powertools Metrics
 * (EMF), flushed at the end of each invocation. The local stack and the tests build their runtime
 * with lib's `JsonLogger` and no metrics; only the deployed bundles come through here.
 */
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS_SERVICE } from '../lib/events/job-metrics.js';
import type { JobType } from '../lib/registry.js';
import { readEnvironment, readMetricsEnvironment, type MetricsEnvironment } from './env.js';
import { JobMetricsRecorder } from './job-metrics-recorder.js';
import { PowertoolsLogAdapter, type LambdaContextFields } from './powertools-logger.js';
import { createRuntime, type Runtime } from './runtime.js';

/** A handler's logger and metrics. */
export interface Observability {
  logger: PowertoolsLogAdapter;
  metrics: JobMetricsRecorder;
}

export function createObservability(settings: MetricsEnvironment): Observability {
  return {
    logger: new PowertoolsLogAdapter(new PowertoolsLogger({ serviceName: METRICS_SERVICE })),
    metrics: new JobMetricsRecorder(new Metrics({ namespace: settings.namespace, serviceName: METRICS_SERVICE }), { byBoard: settings.byBoard }),
  };
}

/** Builds on first use and keeps the result: once per cold start, and not at import (the environment may not be read then). */
export function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}

/**
 * The handler with the invocation's Lambda context put into the logger first, and the metrics it
 * recorded flushed last, whether it returned or threw.
 */
export function observed<E, C, R>(observability: () => Observability, handler: (event: E, context: C) => Promise<R>): (event: E, context: C) => Promise<R> {
  return async (event, context) => {
    const { logger, metrics } = observability();
    logger.addContext(typeof context === 'object' && context !== null ? (context as LambdaContextFields) : undefined);
    try {
      return await handler(event, context);
    } finally {
      metrics.flush();
    }
  };
}

/**
 * The deployed handler over these job types: `factory` (`createApiHandler`, `createConductorHandler`,
 * `createSweeperHandler`) given a runtime that logs with Powertools and whose transitions feed
 * the metrics. What the Lambda entries export (functions/demo/, infra/handlers.ts).
 */
export function lambdaHandler<E, C, R>(
  factory: (jobTypes: readonly JobType<never>[], runtime: () => Runtime) => (event: E, context: C) => Promise<R>,
  jobTypes: readonly JobType<never>[],
): (event: E, context: C) => Promise<R> {
  const observability = once(() => createObservability(readMetricsEnvironment()));
  const runtime = once(() => {
    const built = createRuntime(jobTypes, readEnvironment(), observability().logger);
    built.events.subscribe(observability().metrics.observer);
    return built;
  });
  return observed(observability, factory(jobTypes, runtime));
}
