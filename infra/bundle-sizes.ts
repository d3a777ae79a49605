/**
 * Measures the Lambda bundles with the construct's own esbuild settings, with and without the
 * AWS SDK inside, and how long a fresh Node.js process takes to import each (the part of a cold
 * start that bundling decides). Run: `npx tsx infra/bundle-sizes.ts [--runs N] [--json]`.
 * `measureBundles()` and `importTimes()` are exported for bench/.
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
  /**
   * Milliseconds a fresh `node` spends importing the bundle, medians: wall clock, and CPU time
   * (user + system) which other load on the machine disturbs far less; then CPU with source maps on.
   */
  importMs: number;
  importCpuMs: number;
  importCpuWithSourceMapsMs: number;
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
      await build(esbuildBuildOptions(handlerEntry(handler, 'demo', generatedEntriesDir(JOBBOARD_ROOT)), outfile, choice));
      const plain = await importTimes(outfile, runs, false);
      const withMaps = await importTimes(outfile, runs, true);
      results.push({
        handler,
        bundleAwsSdk,
        bytes: statSync(outfile).size,
        gzipBytes: gzipSync(readFileSync(outfile)).length,
        mapBytes: statSync(`${outfile}.map`).size,
        importMs: median(plain.map((t) => t.wallMs)),
        importCpuMs: median(plain.map((t) => t.cpuMs)),
        importCpuWithSourceMapsMs: median(withMaps.map((t) => t.cpuMs)),
      });
    }
  }
  return results;
}

/** Wall and CPU milliseconds `import()` of the bundle takes, in `runs` fresh processes. */
export async function importTimes(file: string, runs: number, sourceMaps: boolean): Promise<{ wallMs: number; cpuMs: number }[]> {
  const script = [
    'const wall = performance.now(); const cpu = process.cpuUsage();',
    `const m = await import(${JSON.stringify(pathToFileURL(file).href)});`,
    "if (typeof m.handler !== 'function') throw new Error('no handler');",
    'const used = process.cpuUsage(cpu);',
    'process.stdout.write(JSON.stringify({ wallMs: performance.now() - wall, cpuMs: (used.user + used.system) / 1000 }));',
  ].join('\n');
  const times: { wallMs: number; cpuMs: number }[] = [];
  for (let i = 0; i < runs; i++) {
    const { stdout } = await run(process.execPath, [...(sourceMaps ? ['--enable-source-maps'] : []), '--input-type=module', '-e', script], {
      cwd: path.dirname(file),
      env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1' },
    });
    times.push(JSON.parse(stdout) as { wallMs: number; cpuMs: number });
  }
  return times;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
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
  process.stdout.write(`Node ${process.version}, medians of ${runs} fresh processes per bundle\n`);
  process.stdout.write('function   SDK       index.mjs KB  gzip KB  map KB  import wall ms  import CPU ms  CPU ms with source maps\n');
  for (const r of results) {
    const cells = [kb(r.bytes).padStart(12), kb(r.gzipBytes).padStart(8), kb(r.mapBytes).padStart(7), r.importMs.toFixed(1).padStart(14), r.importCpuMs.toFixed(1).padStart(14), r.importCpuWithSourceMapsMs.toFixed(1).padStart(23)];
    process.stdout.write(`${r.handler.padEnd(10)} ${(r.bundleAwsSdk ? 'bundled' : 'runtime').padEnd(9)} ${cells.join(' ')}\n`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
