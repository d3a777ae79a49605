/**
 * Jobboard as a package, tried as a new user would: `npm pack`, then install the tarball into
 * scratch CDK apps outside the repository (an ESM app run with node, and a CommonJS TypeScript
 * app the way `cdk init` sets one up, run with ts-node), each with one job type of its own. Both
 * synthesize with cdk-nag's AWS Solutions pack registered (which fails on any finding); the
 * bundles hold the user's job type and no demo type; and `npx jobboard --help` runs from the
 * installed package with plain Node (no tsx there).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');
const installTimeoutMs = 240_000;
let scratch: string;
let tarball: string;

/** Runs a command in `cwd`; npm quietly, from its cache where it can. */
async function sh(cwd: string, command: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const { stdout, stderr } = await run(command, args, { cwd, env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', ...env }, maxBuffer: 64 * 1024 * 1024, timeout: installTimeoutMs });
  return `${stdout}${stderr}`;
}

/** The versions the repository itself tests with, so the scratch apps install from the npm cache. */
function pinned(name: string): string {
  const lock = JSON.parse(readFileSync(path.join(repo, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };
  const version = lock.packages[`node_modules/${name}`]?.version;
  if (version === undefined) throw new Error(`${name} is not in package-lock.json`);
  return version;
}

/** Every bundle (`index.mjs`) of a synthesized assembly. */
function bundles(outdir: string): string[] {
  return readdirSync(outdir)
    .filter((entry) => entry.startsWith('asset.') && existsSync(path.join(outdir, entry, 'index.mjs')))
    .map((entry) => readFileSync(path.join(outdir, entry, 'index.mjs'), 'utf8'));
}

const USER_JOB_TYPE = 'user.greet';

/** The JavaScript block of the README's "Install" section that starts with `firstLine`. */
function readmeBlock(firstLine: string): string {
  const readme = readFileSync(path.join(repo, 'README.md'), 'utf8');
  const block = readme.split('```js\n').find((part) => part.startsWith(firstLine));
  if (block === undefined) throw new Error(`README.md has no js block starting with ${firstLine}`);
  return block.slice(0, block.indexOf('```'));
}

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'jobboard-package-'));
  // `npm pack` runs `prepack` (the build) first; its output precedes the JSON on stdout.
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: repo, maxBuffer: 64 * 1024 * 1024, timeout: installTimeoutMs });
  const [info] = JSON.parse(stdout.slice(stdout.lastIndexOf('\n[') + 1)) as { filename: string; files: { path: string }[] }[];
  tarball = path.join(scratch, info!.filename);
  writeFileSync(path.join(scratch, 'files.json'), JSON.stringify(info!.files.map((f) => f.path)));
}, installTimeoutMs);

afterAll(() => {
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
});

describe('the tarball', () => {
  it('holds the library, the construct, the client, the CLI and docs, and nothing of the repository’s own', () => {
    const files = JSON.parse(readFileSync(path.join(scratch, 'files.json'), 'utf8')) as string[];
    for (const needed of ['dist/lib/index.js', 'dist/lib/index.d.ts', 'dist/infra/index.js', 'dist/cli/client.js', 'dist/cli/main.js', 'bin/jobboard.js', 'README.md']) expect(files).toContain(needed);
    for (const prefix of ['test/', 'bench/', '.ci/', 'local/', 'lib/', 'infra/app', 'dist/test', 'dist/bench', 'dist/local']) {
      expect(files.filter((f) => f.startsWith(prefix)), prefix).toEqual([]);
    }
  });
});

describe('an ESM CDK app', () => {
  let app: string;
  beforeAll(async () => {
    app = path.join(scratch, 'esm-app');
    const deps = { jobboard: `file:${tarball}`, 'aws-cdk-lib': pinned('aws-cdk-lib'), constructs: pinned('constructs'), 'cdk-nag': pinned('cdk-nag') };
    await sh(scratch, 'mkdir', ['-p', app]);
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'esm-app', private: true, type: 'module', dependencies: deps }, null, 2));
    // The two files are the README's "Install" example, as written there; the test only adds the checks after it.
    writeFileSync(path.join(app, 'job-types.mjs'), readmeBlock('// job-types.mjs'));
    writeFileSync(
      path.join(app, 'app.mjs'),
      [
        readmeBlock('// app.mjs'),
        "import { Validations } from 'aws-cdk-lib';",
        "import { AccountRootPrincipal, Role } from 'aws-cdk-lib/aws-iam';",
        "import { AwsSolutionsChecks } from 'cdk-nag';",
        "const board = stack.node.findChild('Board');",
        // The user's own roles, granted per route: cdk-nag must still find nothing in the user's app.
        "for (const [name, grant] of [['Producer', 'grantPost'], ['Viewer', 'grantRead'], ['Operator', 'grantAdmin']]) board[grant](new Role(stack, name, { assumedBy: new AccountRootPrincipal() }));",
        'const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(stack);',
        "console.log('NAG ' + JSON.stringify(report.violations.map((v) => v.ruleName)));",
        'Validations.of(app).addPlugins(new AwsSolutionsChecks(app));',
        "console.log('SYNTHESIZED ' + app.synth().directory);",
      ].join('\n'),
    );
    await sh(app, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund']);
  }, installTimeoutMs);

  it('synthesizes with cdk-nag finding nothing (per-route grants included), bundling the user’s job type and no demo type', async () => {
    // As `cdk synth` runs it: the CLI tells the app where the assembly goes.
    const outdir = path.join(app, 'cdk.out');
    const output = await sh(app, 'node', ['app.mjs'], { CDK_OUTDIR: outdir });
    expect(output).toContain('NAG []');
    expect(output).toContain(`SYNTHESIZED ${outdir}`);
    // The API, conductor and sweeper carry the user's job types; the stream processor runs no job code.
    const code = bundles(outdir);
    expect(code).toHaveLength(4);
    for (const bundle of code) expect(bundle.includes('demo.sleep')).toBe(false);
    expect(code.filter((bundle) => bundle.includes(USER_JOB_TYPE)).length).toBe(3);
  }, installTimeoutMs);

  it('runs `npx jobboard --help` from the installed package, without tsx', async () => {
    expect(existsSync(path.join(app, 'node_modules', 'tsx'))).toBe(false);
    const output = await sh(app, 'npx', ['--no-install', 'jobboard', '--help']);
    expect(output).toMatch(/jobboard/);
    expect(output).toMatch(/post/);
  }, installTimeoutMs);

  it('imports the library and the typed client with plain node', async () => {
    const output = await sh(app, 'node', [
      '--input-type=module',
      '-e',
      "import { JobState, defineJobType } from 'jobboard'; import { createJobboardClient } from 'jobboard/client'; console.log(JobState.posted, typeof defineJobType, typeof createJobboardClient({ baseUrl: 'http://127.0.0.1:1' }).GET);",
    ]);
    expect(output).toContain('posted function function');
  });
});

describe('a CommonJS TypeScript CDK app, as `cdk init` makes one', () => {
  let app: string;
  beforeAll(async () => {
    app = path.join(scratch, 'cjs-app');
    await sh(scratch, 'mkdir', ['-p', path.join(app, 'bin'), path.join(app, 'lib')]);
    const deps = { jobboard: `file:${tarball}`, 'aws-cdk-lib': pinned('aws-cdk-lib'), constructs: pinned('constructs') };
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'cjs-app', private: true, dependencies: deps, devDependencies: { typescript: '~5.9.0', 'ts-node': '^10.9.2', '@types/node': pinned('@types/node') } }, null, 2));
    writeFileSync(
      path.join(app, 'tsconfig.json'),
      // Strict settings of the user's own, exactOptionalPropertyTypes included, apply to the user's code only: Jobboard
      // ships compiled JS and declarations. skipLibCheck as CDK apps need it (aws-cdk-lib's own declarations fail that flag).
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'commonjs', lib: ['es2022'], strict: true, exactOptionalPropertyTypes: true, skipLibCheck: true, esModuleInterop: true, types: ['node'] }, exclude: ['node_modules', 'cdk.out'] }, null, 2),
    );
    writeFileSync(
      path.join(app, 'lib', 'job-types.ts'),
      `import { defineJobType } from 'jobboard';\nexport const jobTypes = [defineJobType<{ name: string }>({ name: '${USER_JOB_TYPE}', version: 1, run: async ({ payload }) => ({ hello: payload.name }) })];\n`,
    );
    writeFileSync(
      path.join(app, 'bin', 'app.ts'),
      [
        "import { App, Stack } from 'aws-cdk-lib';",
        "import { Jobboard } from 'jobboard/cdk';",
        "const app = new App({ outdir: 'cdk.out' });",
        "const stack = new Stack(app, 'UserStack');",
        "const board = new Jobboard(stack, 'Board', { jobTypes: { entry: 'lib/job-types.ts', exportName: 'jobTypes' } });",
        'app.synth();',
        "console.log('SYNTHESIZED ' + typeof board.url);",
      ].join('\n'),
    );
    await sh(app, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund']);
  }, installTimeoutMs);

  it('type-checks the user’s code against the shipped declarations (exactOptionalPropertyTypes on) and synthesizes with ts-node', async () => {
    await sh(app, 'npx', ['--no-install', 'tsc', '--noEmit', '-p', '.']);
    const output = await sh(app, 'npx', ['--no-install', 'ts-node', '--prefer-ts-exts', 'bin/app.ts'], { NODE_NO_WARNINGS: '1' });
    expect(output).toContain('SYNTHESIZED string');
    const code = bundles(path.join(app, 'cdk.out'));
    expect(code).toHaveLength(4);
    for (const bundle of code) expect(bundle.includes('demo.sleep')).toBe(false);
    expect(code.filter((bundle) => bundle.includes(USER_JOB_TYPE)).length).toBe(3);
  }, installTimeoutMs);
});
