/**
 * What Powertools costs a cold start: a fresh Node.js process imports the conductor bundle as
 * deployed (Powertools Logger and Metrics inside, functions/lambda-runtime.ts) and the same
 * handler without them (lib's JsonLogger, no metrics), and the two Powertools modules alone.
 * Bundled with the construct's own esbuild settings; medians over fresh processes.
 */
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { BUNDLE_FILE, esbuildBuildOptions } from '../infra/bundling.js';
import { importTimes, median } from '../infra/bundle-sizes.js';
import { JOBBOARD_ROOT, jobboardModule } from '../infra/handlers.js';

export interface ImportCost {
  variant: string;
  bytes: number;
  /** Medians: wall clock, and CPU (user + system), which other load on the machine disturbs less. */
  importMs: number;
  importCpuMs: number;
}

/** Entry sources (module text) or files, by variant. */
function entries(): Record<string, { file: string } | { source: string }> {
  const module = (name: string) => JSON.stringify(jobboardModule(name));
  return {
    'conductor, deployed (Powertools Logger + Metrics)': { file: jobboardModule('functions/demo/conductor') },
    'conductor, without Powertools (JsonLogger)': {
      source: [
        `import { createConductorHandler } from ${module('functions/conductor')};`,
        `import { demoJobTypes } from ${module('functions/job-types/demo')};`,
        'export const handler = createConductorHandler(demoJobTypes);',
      ].join('\n'),
    },
    'Powertools Logger + Metrics alone': {
      source: [
        "import { Logger } from '@aws-lambda-powertools/logger';",
        "import { Metrics } from '@aws-lambda-powertools/metrics';",
        "const logger = new Logger({ serviceName: 'bench' });",
        "const metrics = new Metrics({ namespace: 'bench', serviceName: 'bench' });",
        'export const handler = async () => [logger, metrics];',
      ].join('\n'),
    },
  };
}

export async function powertoolsImportCost(runs = 5): Promise<ImportCost[]> {
  // Under the project's node_modules, so the entries resolve packages as the construct's bundling does.
  const root = path.join(JOBBOARD_ROOT, 'node_modules', '.cache', 'jobboard', 'bench-powertools');
  rmSync(root, { recursive: true, force: true });
  const costs: ImportCost[] = [];
  for (const [n, [variant, entry]] of Object.entries(entries()).entries()) {
    const dir = path.join(root, String(n));
    mkdirSync(dir, { recursive: true });
    let file: string;
    if ('file' in entry) file = entry.file;
    else {
      file = path.join(dir, 'entry.ts');
      writeFileSync(file, entry.source);
    }
    const outfile = path.join(dir, 'out', BUNDLE_FILE);
    await build(esbuildBuildOptions(file, outfile));
    const times = await importTimes(outfile, runs, false);
    costs.push({ variant, bytes: statSync(outfile).size, importMs: median(times.map((t) => t.wallMs)), importCpuMs: median(times.map((t) => t.cpuMs)) });
  }
  return costs;
}
