/**
 * The bundles load: each handler is bundled with the construct's esbuild settings, then imported
 * by a fresh `node` process from a folder outside the repository (no node_modules to fall back
 * on, as on Lambda), with the environment the stack sets.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../functions/env.js';
import { BUNDLE_FILE, DEFAULT_BUNDLE_CHOICE, SOURCE_MAP_ENVIRONMENT, esbuildBuildOptions } from '../../infra/bundling.js';
import { HANDLERS, HANDLER_NAMES, JOBBOARD_ROOT, generatedEntriesDir, handlerEntry, type HandlerName } from '../../infra/handlers.js';
import { FIXTURE_JOB_TYPE } from './fixtures/job-types.js';
import { FIXTURE_JOB_TYPES_ENTRY } from './synth.js';

const run = promisify(execFile);

/** What the child process reports for one bundle. */
interface Loaded {
  bundle: string;
  handler: string;
  /** api only: answers to `GET /health` and to a post of a job type the bundle does not know. */
  health?: { statusCode: number; body: string };
  unknownType?: { statusCode: number; body: string };
  /** conductor and streamProcessor: the answer to an empty batch. */
  emptyBatch?: unknown;
}

/** Handlers built over job types (the stream processor runs none: one bundle, whatever the job types). */
const OVER_JOB_TYPES = HANDLER_NAMES.filter((handler) => HANDLERS[handler].factory !== undefined);

let outDir: string;
const bundles: { name: string; file: string }[] = [];

beforeAll(async () => {
  // With the SDK inside, the bundle must stand alone: build it where no node_modules is reachable.
  // Without, `@aws-sdk/*` must come from outside (the runtime's copy; node_modules here).
  const base = DEFAULT_BUNDLE_CHOICE.bundleAwsSdk ? os.tmpdir() : path.join(JOBBOARD_ROOT, 'node_modules', '.cache');
  outDir = mkdtempSync(path.join(base, 'jobboard-bundles-'));
  const variants: { name: string; handler: HandlerName; jobTypes?: { entry: string; exportName: string } }[] = [
    ...HANDLER_NAMES.map((handler) => ({ name: handler, handler })),
    ...OVER_JOB_TYPES.map((handler) => ({ name: `${handler}-custom`, handler, jobTypes: { entry: FIXTURE_JOB_TYPES_ENTRY, exportName: 'fixtureJobTypes' } })),
  ];
  await Promise.all(
    variants.map(async ({ name, handler, jobTypes }) => {
      const file = path.join(outDir, name, BUNDLE_FILE);
      await build(esbuildBuildOptions(handlerEntry(handler, jobTypes ?? 'demo', generatedEntriesDir(JOBBOARD_ROOT)), file, DEFAULT_BUNDLE_CHOICE));
      bundles.push({ name, file });
    }),
  );
});

afterAll(() => {
  if (outDir !== undefined) rmSync(outDir, { recursive: true, force: true });
});

/**
 * Imports every bundle in one fresh process and calls what needs no AWS: the api's health route
 * and its payload validation (which must run before any write), the conductor on an empty batch.
 */
async function loadAll(): Promise<Loaded[]> {
  const script = `
    const event = (method, path, body) => ({
      rawPath: path, headers: { 'content-type': 'application/json' }, body, isBase64Encoded: false, requestContext: { http: { method } },
    });
    const context = { awsRequestId: 'test', getRemainingTimeInMillis: () => 60000 };
    const results = [];
    for (const [bundle, url, probeType] of JSON.parse(process.argv[1])) {
      const { handler } = await import(url);
      const result = { bundle, handler: typeof handler };
      if (bundle.startsWith('api')) {
        result.health = await handler(event('GET', '/health'));
        result.unknownType = await handler(event('POST', '/jobs', JSON.stringify({ type: probeType })));
      }
      if (bundle.startsWith('conductor')) result.emptyBatch = await handler({ Records: [] }, context);
      // A tumbling window's last invocation, which may carry no records.
      if (bundle.startsWith('streamProcessor')) result.emptyBatch = await handler({ Records: [], shardId: 'shardId-1', state: {}, isFinalInvokeForWindow: true }, context);
      results.push(result);
    }
    process.stdout.write(JSON.stringify(results));
  `;
  // Each api bundle is asked to post a type only the *other* variant knows.
  const probes = bundles.map(({ name, file }) => [name, pathToFileURL(file).href, name.endsWith('-custom') ? 'demo.echo' : FIXTURE_JOB_TYPE]);
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(probes)], {
    cwd: outDir,
    // Only what Lambda would set: no NODE_PATH, nothing from this process's environment.
    env: {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      [ENV.tableName]: 'jobs',
      [ENV.queueUrl]: 'https://sqs.eu-west-1.amazonaws.com/123456789012/postings',
      [ENV.deadLetterQueueUrl]: 'https://sqs.eu-west-1.amazonaws.com/123456789012/postings-dlq',
      ...SOURCE_MAP_ENVIRONMENT,
    },
  });
  return JSON.parse(stdout) as Loaded[];
}

let loaded: Loaded[];

describe('Lambda bundles', () => {
  beforeAll(async () => {
    loaded = await loadAll();
  });

  it('each handler bundle, default and with the jobTypes prop, loads in a fresh node and exports a handler function', () => {
    expect(loaded.map((l) => l.bundle).sort()).toEqual(bundles.map((b) => b.name).sort());
    for (const { bundle, handler } of loaded) expect(handler, bundle).toBe('function');
  });

  it('the api bundles answer GET /health', () => {
    for (const name of ['api', 'api-custom']) {
      expect(loaded.find((l) => l.bundle === name)?.health, name).toMatchObject({ statusCode: 200, body: JSON.stringify({ ok: true }) });
    }
  });

  it('the jobTypes variant registers the user’s job types, the default the demo ones', () => {
    const unknown = (name: string) => {
      const response = loaded.find((l) => l.bundle === name)?.unknownType;
      expect(response?.statusCode, name).toBe(400);
      return JSON.parse(response?.body ?? '{}') as { error: { code: string; details: { message: string }[] } };
    };
    const demo = unknown('api');
    expect(demo.error.code).toBe('ValidationError');
    expect(JSON.stringify(demo.error.details)).toContain('demo.echo');
    const custom = unknown('api-custom');
    expect(custom.error.code).toBe('ValidationError');
    expect(JSON.stringify(custom.error.details)).toContain(FIXTURE_JOB_TYPE);
    expect(JSON.stringify(custom.error.details)).not.toContain('demo.echo');
  });

  it('the conductor bundles answer an empty batch with no failures', () => {
    for (const name of ['conductor', 'conductor-custom']) {
      expect(loaded.find((l) => l.bundle === name)?.emptyBatch, name).toEqual({ batchItemFailures: [] });
    }
  });

  it('the stream processor bundle answers a window’s empty last invocation with state (Lambda counts a windowed answer without it as failed)', () => {
    expect(loaded.find((l) => l.bundle === 'streamProcessor')?.emptyBatch).toEqual({ state: {}, batchItemFailures: [] });
  });

  it('every bundle logs through Powertools (its logger is inside)', () => {
    for (const { name, file } of bundles) expect(readFileSync(file, 'utf8').includes('function_request_id'), name).toBe(true);
  });

  it('the jobTypes variant bundles the user’s module and no demo type; the demo variant the demo types only', () => {
    for (const { name, file } of bundles) {
      const code = readFileSync(file, 'utf8');
      expect(code.includes(FIXTURE_JOB_TYPE), name).toBe(name.endsWith('-custom'));
      // The stream processor runs no job code: no job type at all.
      expect(code.includes('demo.sleep'), name).toBe(!name.endsWith('-custom') && !name.startsWith('streamProcessor'));
    }
  });
});
