/**
 * Measures the Lambda bundles with the construct's own esbuild settings, with and without the
 * AWS SDK inside, and how long a fresh Node.js process takes to import each (the part of a cold
 * start that bundling decides). Run: `npx tsx infra/bundle-sizes.ts [--runs N] [--json]`.
 * `measureBundles()` is exported for bench/.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { BUNDLE_FILE, esbuildBuildOptions, type BundleChoice } from './bundling.js';
import { HANDLER_NAMES, JOBBOARD_ROOT, generatedEntriesDir, handlerEntry, type HandlerName } from './handlers.js';

const run = promisify(execFile);

/** One function's bundle under one choice. */
export interface BundleMeasurement {
  handler: HandlerName;
  bundleAwsSdk: boolean;
  /** index.mjs, bytes. */
  bytes: number;
  /** index.mjs gzipped, bytes: roughly what the deployment zip adds. */
  gzipBytes: number;
  /** The source map, bytes (loaded only with --enable-source-maps). */
  mapBytes: number;
  /** Milliseconds a fresh `node` takes to import the bundle (median, and fastest run: the least disturbed by other load), without and with source maps. */
  importMs: number;
  importMinMs: number;
  importWithSourceMapsMs: number;
}

/**
 * Bundles every handler under both choices and measures it. Bundles go under the project's
 * node_modules/.cache so that, without the SDK inside, `@aws-sdk/*` resolves from node_modules,
 * the way it resolves from the runtime's copy on Lambda.
 */
export async function measureBundles(options: { runs?: number } = {}): Promise<BundleMeasurement[]> {
  const runs = options.runs ?? 5;
  const outRoot = path.join(JOBBOARD_ROOT, 'node_modules', '.cache', 'jobboard', 'bundle-sizes');
  rmSync(outRoot, { recursive: true, force: true });
  const results: BundleMeasurement[] = [];
  for (const bundleAwsSdk of [true, false]) {
    const choice: BundleChoice = { bundleAwsSdk };
    for (const handler of HANDLER_NAMES) {
      const outfile = path.join(outRoot, bundleAwsSdk ? 'with-sdk' : 'without-sdk', handler, BUNDLE_FILE);
      mkdirSync(path.dirname(outfile), { recursive: true });
      await build(esbuildBuildOptions(handlerEntry(handler, undefined, generatedEntriesDir(JOBBOARD_ROOT)), outfile, choice));
      const plain = await importTimesMs(outfile, runs, false);
      const withMaps = await importTimesMs(outfile, runs, true);
      results.push({
        handler,
        bundleAwsSdk,
        bytes: statSync(outfile).size,
        gzipBytes: gzipSync(readFileSync(outfile)).length,
        mapBytes: statSync(`${outfile}.map`).size,
        importMs: median(plain),
        importMinMs: plain[0] ?? Number.NaN,
        importWithSourceMapsMs: median(withMaps),
      });
    }
  }
  return results;
}

/** Times `import()` of the bundle takes in `runs` fresh processes, sorted. */
async function importTimesMs(file: string, runs: number, sourceMaps: boolean): Promise<number[]> {
  const script = `const t = performance.now(); const m = await import(${JSON.stringify(pathToFileURL(file).href)}); if (typeof m.handler !== 'function') throw new Error('no handler'); process.stdout.write(String(performance.now() - t));`;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { stdout } = await run(process.execPath, [...(sourceMaps ? ['--enable-source-maps'] : []), '--input-type=module', '-e', script], {
      cwd: path.dirname(file),
      env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1' },
    });
    times.push(Number(stdout));
  }
  return times.sort((a, b) => a - b);
}

function median(sorted: number[]): number {
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function kb(bytes: number): string {
  return (bytes / 1024).toFixed(1);
}

async function main(): Promise<void> {
  const runsIndex = process.argv.indexOf('--runs');
  const runs = runsIndex === -1 ? 5 : Number(process.argv[runsIndex + 1]);
  const results = await measureBundles({ runs });
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    return;
  }
  process.stdout.write(`Node ${process.version}, ${runs} fresh processes per bundle\n`);
  process.stdout.write('function   SDK       index.mjs KB  gzip KB  map KB  import ms median  min  median with source maps\n');
  for (const r of results) {
    process.stdout.write(
      `${r.handler.padEnd(10)} ${(r.bundleAwsSdk ? 'bundled' : 'runtime').padEnd(9)} ${kb(r.bytes).padStart(12)} ${kb(r.gzipBytes).padStart(8)} ${kb(r.mapBytes).padStart(7)} ${r.importMs.toFixed(1).padStart(16)} ${r.importMinMs.toFixed(1).padStart(5)} ${r.importWithSourceMapsMs.toFixed(1).padStart(24)}\n`,
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
