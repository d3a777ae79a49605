/**
 * The functions as shipped: each bundle of the cloud assembly (`asset.<hash>/index.mjs`) in
 * Node.js processes of the runtime's version (rehearsal/lambda-host.mjs), with the environment
 * Lambda would give it: the template's variables, the `AWS_*` ones Lambda sets, and the
 * emulators' endpoints. A function may have several environments (concurrent invocations, as
 * an event source with a maximum concurrency runs them); each runs one invocation at a time.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { ENV } from '../functions/env.js';
import type { HandlerName } from '../infra/handlers.js';
import { localEnvironment, type DeployedFunctions, type LocalEndpoints } from './functions.js';
import type { DeployedTemplate, TemplateFunction } from './template.js';

const HOST = fileURLToPath(new URL('./lambda-host.mjs', import.meta.url));

export interface HostedFunctionsOptions {
  /** The cloud assembly's folder (where `asset.<hash>` folders are). */
  assemblyDir: string;
  endpoints: LocalEndpoints;
  /** The Node.js binary of the functions' runtime. */
  node: string;
  /** Every function appends its AWS calls here. */
  auditFile: string;
  /** Each environment's output goes to `<function>-<n>.log` here. */
  logDir: string;
  /** Environments per function (default 1). */
  environments?: Partial<Record<HandlerName, number>>;
}

/** One environment's start: how long its module took to load (Lambda's init phase). */
export interface ColdStart {
  handler: HandlerName;
  node: string;
  initMs: number;
}

interface Environment {
  child: ChildProcess;
  port: number;
  busy: boolean;
}

export async function hostedFunctions(deployment: DeployedTemplate, options: HostedFunctionsOptions): Promise<DeployedFunctions & { coldStarts: ColdStart[] }> {
  const pools = new Map<HandlerName, { fn: TemplateFunction; environments: Environment[]; waiting: (() => void)[] }>();
  const coldStarts: ColdStart[] = [];
  for (const fn of deployment.functions()) {
    const count = options.environments?.[fn.handler] ?? 1;
    const environments = await Promise.all(
      Array.from({ length: count }, async (_, n) => {
        const started = await startEnvironment(deployment, fn, options, n);
        coldStarts.push({ handler: fn.handler, node: started.node, initMs: started.initMs });
        return started.environment;
      }),
    );
    pools.set(fn.handler, { fn, environments, waiting: [] });
  }
  return {
    coldStarts,
    invoke: async (handler, event) => {
      const pool = pools.get(handler);
      if (pool === undefined) throw new Error(`the template has no ${handler} function`);
      let free = pool.environments.find((environment) => !environment.busy);
      while (free === undefined) {
        await new Promise<void>((resolve) => pool.waiting.push(resolve));
        free = pool.environments.find((environment) => !environment.busy);
      }
      free.busy = true;
      try {
        return await invokeOn(free, event, pool.fn.timeoutSeconds * 1_000);
      } finally {
        free.busy = false;
        pool.waiting.shift()?.();
      }
    },
    stop: async () => {
      const children = [...pools.values()].flatMap((pool) => pool.environments.map((environment) => environment.child));
      await Promise.all(children.map((child) => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', () => resolve()), child.kill('SIGTERM'))))));
    },
  };
}

async function startEnvironment(deployment: DeployedTemplate, fn: TemplateFunction, options: HostedFunctionsOptions, n: number): Promise<{ environment: Environment; node: string; initMs: number }> {
  const taskRoot = path.join(options.assemblyDir, `asset.${fn.assetHash}`);
  const log = openSync(path.join(options.logDir, `${fn.handler}-${n}.log`), 'a');
  const { account, region } = deployment.placement;
  const child = fork(HOST, [], {
    cwd: taskRoot,
    execPath: options.node,
    // Only what Lambda gives a function: no NODE_PATH, nothing of this process's environment but PATH.
    env: {
      PATH: process.env.PATH ?? '',
      TZ: ':UTC',
      LANG: 'en_US.UTF-8',
      LAMBDA_TASK_ROOT: taskRoot,
      _HANDLER: fn.handlerExport,
      AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
      AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.logicalId}`,
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_ACCESS_KEY_ID: 'rehearsal',
      AWS_SECRET_ACCESS_KEY: 'rehearsal',
      AWS_SESSION_TOKEN: 'rehearsal',
      REHEARSAL_FUNCTION_ARN: `arn:aws:lambda:${region}:${account}:function:${fn.logicalId}`,
      ...localEnvironment(fn, options.endpoints),
      [ENV.accessAuditFile]: options.auditFile,
    },
    stdio: ['ignore', log, log, 'ipc'],
  });
  const ready = await new Promise<{ port: number; initMs: number; node: string }>((resolve, reject) => {
    child.once('message', (message) => resolve(message as { port: number; initMs: number; node: string }));
    child.once('exit', (code) => reject(new Error(`the ${fn.handler} function's environment exited with ${code} before it was ready (see ${options.logDir})`)));
  });
  return { environment: { child, port: ready.port, busy: false }, node: ready.node, initMs: ready.initMs };
}

async function invokeOn(environment: Environment, event: unknown, timeoutMs: number): Promise<unknown> {
  const response = await fetch(`http://127.0.0.1:${environment.port}/invoke`, { method: 'POST', body: JSON.stringify({ event, requestId: randomUUID(), timeoutMs }) });
  const answer = (await response.json()) as { ok: true; result: unknown } | { ok: false; error: { name: string; message: string; stack?: string } };
  if (answer.ok) return answer.result;
  const error = new Error(`${answer.error.name}: ${answer.error.message}`);
  error.stack = answer.error.stack;
  throw error;
}
