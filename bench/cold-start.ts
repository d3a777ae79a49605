/**
 * For each function: the bundle (built with the CDK construct's own esbuild settings) and its
 * cold start: a fresh Node.js process imports the bundle and runs a first invocation that talks
 * to the emulators, median over several runs.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { ENV, STREAM_ENV } from '../functions/env.js';
import { BUNDLE_FILE, esbuildBuildOptions } from '../infra/bundling.js';
import { HANDLER_NAMES, JOBBOARD_ROOT, generatedEntriesDir, handlerEntry, type HandlerName } from '../infra/handlers.js';

const run = promisify(execFile);

export interface ColdStart {
  handler: HandlerName;
  bytes: number;
  importMs: number;
  firstInvocationMs: number;
}

/** A first event each handler can serve against the emulators (one AWS round trip or more). */
const FIRST_EVENT: Record<HandlerName, unknown> = {
  api: { rawPath: '/jobs/cold-start-probe', headers: {}, requestContext: { http: { method: 'GET' } } },
  conductor: { Records: [{ messageId: 'm1', receiptHandle: 'r', body: '{"id":"cold-start-probe"}' }] },
  sweeper: {},
  // A record of no job: no event to publish, but the counters read the shard's checkpoint.
  streamProcessor: { shardId: 'cold-start-probe', Records: [{ eventName: 'INSERT', dynamodb: { SequenceNumber: '1', NewImage: { pk: { S: 'counter#cold-start-probe' } } } }] },
};

export async function measureColdStarts(environment: Record<string, string>, runs = 5): Promise<ColdStart[]> {
  const outRoot = path.join(JOBBOARD_ROOT, 'node_modules', '.cache', 'jobboard', 'bench-cold-start');
  rmSync(outRoot, { recursive: true, force: true });
  const results: ColdStart[] = [];
  for (const handler of HANDLER_NAMES) {
    const outfile = path.join(outRoot, handler, BUNDLE_FILE);
    mkdirSync(path.dirname(outfile), { recursive: true });
    await build(esbuildBuildOptions(handlerEntry(handler, 'demo', generatedEntriesDir(JOBBOARD_ROOT)), outfile));
    const script = [
      'const t0 = performance.now();',
      `const m = await import(${JSON.stringify(pathToFileURL(outfile).href)});`,
      'const t1 = performance.now();',
      `const response = await m.handler(${JSON.stringify(FIRST_EVENT[handler])}, { awsRequestId: 'cold', getRemainingTimeInMillis: () => 60000 });`,
      'const t2 = performance.now();',
      'process.stdout.write(JSON.stringify({ importMs: t1 - t0, firstInvocationMs: t2 - t1, response }));',
    ].join('\n');
    const samples: { importMs: number; firstInvocationMs: number }[] = [];
    for (let i = 0; i < runs; i++) {
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
        cwd: path.dirname(outfile),
        env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', ...environment },
      });
      samples.push(JSON.parse(stdout.slice(stdout.indexOf('{"importMs"'))) as { importMs: number; firstInvocationMs: number });
    }
    results.push({
      handler,
      bytes: statSync(outfile).size,
      importMs: median(samples.map((s) => s.importMs)),
      firstInvocationMs: median(samples.map((s) => s.firstInvocationMs)),
    });
  }
  return results;
}

/** The environment a bundle needs to reach the local stack's emulators. */
export function emulatorEnvironment(stack: { tableName: string; queueUrl: string; deadLetterQueueUrl: string; dynamoEndpoint: string; sqsEndpoint: string }): Record<string, string> {
  return {
    [ENV.tableName]: stack.tableName,
    [ENV.queueUrl]: stack.queueUrl,
    [ENV.deadLetterQueueUrl]: stack.deadLetterQueueUrl,
    [ENV.dynamoEndpoint]: stack.dynamoEndpoint,
    [ENV.sqsEndpoint]: stack.sqsEndpoint,
    // The stream processor's probe publishes nothing, so no bus is reached.
    [STREAM_ENV.eventBusName]: 'cold-start-probe',
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
