/**
 * Builds the dashboard into `dist/dashboard/`: index.html, and under `assets/` one JS bundle
 * (app.js) and one stylesheet (app.css). esbuild (already the project's Lambda bundler) compiles
 * the Preact TSX in about 100 ms, so no second build tool is needed. `npm run build:dashboard` runs this file; `npm start`,
 * `npm run build` and the test run's global setup call it too.
 */
import { build } from 'esbuild';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOURCE_DIR = join(PACKAGE_ROOT, 'dashboard', 'src');
/** Where the local stack and `jobboard dashboard` look for the page (see cli/dashboard-assets.ts). */
export const DASHBOARD_OUT_DIR = join(PACKAGE_ROOT, 'dist', 'dashboard');

export interface DashboardBuild {
  outDir: string;
  durationMs: number;
}

/**
 * Bundles the page; throws with esbuild's messages when a source does not compile. Each file is
 * replaced whole (written aside, then renamed over), so a stack serving the page while another
 * test run rebuilds it never sends a half-written or missing file.
 */
export async function buildDashboard(outDir: string = DASHBOARD_OUT_DIR): Promise<DashboardBuild> {
  const started = Date.now();
  const bundled = await build({
    // app.js and app.css: the page's code and its styles, each one file.
    entryPoints: [
      { in: join(SOURCE_DIR, 'main.tsx'), out: 'app' },
      { in: join(SOURCE_DIR, 'styles.css'), out: 'app' },
    ],
    outdir: join(outDir, 'assets'),
    write: false,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome120', 'firefox120', 'safari17'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const files = [...bundled.outputFiles.map((file) => ({ path: file.path, contents: file.contents })), { path: join(outDir, 'index.html'), contents: await readFile(join(SOURCE_DIR, 'index.html')) }];
  await mkdir(join(outDir, 'assets'), { recursive: true });
  for (const file of files) {
    const aside = `${file.path}.${process.pid}.${randomUUID()}.tmp`;
    await writeFile(aside, file.contents);
    await rename(aside, file.path);
  }
  return { outDir, durationMs: Date.now() - started };
}

// `tsx dashboard/build.ts`: build and say where.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { outDir, durationMs } = await buildDashboard();
  process.stdout.write(`dashboard built in ${durationMs} ms → ${relative(process.cwd(), outDir) || '.'}\n`);
}
