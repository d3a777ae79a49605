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
import { HANDLER_NAMES, JOBBOARD_ROOT, generatedEntriesDir, handlerEntry, type HandlerName } from '../../infra/handlers.js';
import { FIXTURE_JOB_TYPE } from './fixtures/job-types.js';
import { FIXTURE_JOB_TYPES_ENTRY } from './synth.js';

const run = promisify(execFile);

interface Loaded {
  bundle: string;
  handler: string;
}

let outDir: string;
const bundles: { name: string; file: string }[] = [];

beforeAll(async () => {
  // With the SDK inside, the bundle must stand alone: build it where no node_modules is reachable.
  // Without, `@aws-sdk/*` must come from outside (the runtime's copy; node_modules here).
  const base = DEFAULT_BUNDLE_CHOICE.bundleAwsSdk ? os.tmpdir() : path.join(JOBBOARD_ROOT, 'node_modules', '.cache');
  outDir = mkdtempSync(path.join(base, 'jobboard-bundles-'));
  const variants: { name: string; handler: HandlerName; jobTypes?: { entry: string; exportName: string } }[] = [
    ...HANDLER_NAMES.map((handler) => ({ name: handler, handler })),
    ...HANDLER_NAMES.map((handler) => ({ name: `${handler}-custom`, handler, jobTypes: { entry: FIXTURE_JOB_TYPES_ENTRY, exportName: 'fixtureJobTypes' } })),
  ];
  await Promise.all(
    variants.map(async ({ name, handler, jobTypes }) => {
      const file = path.join(outDir, name, BUNDLE_FILE);
      await build(esbuildBuildOptions(handlerEntry(handler, jobTypes, generatedEntriesDir(JOBBOARD_ROOT)), file, DEFAULT_BUNDLE_CHOICE));
      bundles.push({ name, file });
    }),
  );
});

afterAll(() => {
  if (outDir !== undefined) rmSync(outDir, { recursive: true, force: true });
});

/** Imports every bundle in one fresh process and reports `typeof handler` of each. */
async function loadAll(): Promise<Loaded[]> {
  const script = `
    const results = [];
    for (const [bundle, url] of JSON.parse(process.argv[1])) {
      const module = await import(url);
      results.push({ bundle, handler: typeof module.handler });
    }
    process.stdout.write(JSON.stringify(results));
  `;
  const urls = bundles.map(({ name, file }) => [name, pathToFileURL(file).href]);
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(urls)], {
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

describe('Lambda bundles', () => {
  it('each handler bundle, default and with the jobTypes prop, loads in a fresh node and exports a handler function', async () => {
    const loaded = await loadAll();
    expect(loaded.map((l) => l.bundle).sort()).toEqual(bundles.map((b) => b.name).sort());
    for (const { bundle, handler } of loaded) expect(handler, bundle).toBe('function');
  });

  it('the jobTypes variant carries the user’s job types, the default does not', () => {
    for (const { name, file } of bundles) {
      const code = readFileSync(file, 'utf8');
      expect(code.includes(FIXTURE_JOB_TYPE), name).toBe(name.endsWith('-custom'));
      if (!name.endsWith('-custom')) expect(code, name).toContain('demo.echo');
    }
  });
});
