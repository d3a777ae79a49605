/**
 * How the Lambda bundles are built: one set of esbuild settings, rendered both as
 * `NodejsFunction` bundling options (the construct) and as esbuild build options (the size
 * script and the load test), so what is measured and tested is what is deployed.
 */
import type { BuildOptions } from 'esbuild';
import { OutputFormat, SourceMapMode, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';

/** What may vary between bundles. */
export interface BundleChoice {
  /**
   * Bundle the AWS SDK v3 into each function (true), or leave `@aws-sdk/*` to the copy the
   * Lambda Node.js runtime ships (false). See infra/README.md for the measured trade-off.
   */
  readonly bundleAwsSdk: boolean;
}

/**
 * Bundle the SDK by default: the bundle then runs the SDK version `package-lock.json` pins and
 * the tests exercised, instead of whatever version the runtime happens to ship that month, and
 * only the SDK modules actually used are loaded (measured in infra/README.md).
 */
export const DEFAULT_BUNDLE_CHOICE: BundleChoice = { bundleAwsSdk: true };

/** Node.js version the bundles target: the Lambda runtime's. */
export const BUNDLE_TARGET = 'node22';

/**
 * ESM output needs `require` for the CommonJS dependencies the bundle inlines (they require
 * Node built-ins). Aliased names so a bundled module importing `createRequire` cannot collide.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __jobboardCreateRequire } from 'node:module'; const require = __jobboardCreateRequire(import.meta.url);";

/** Modules left out of the bundle when the runtime's SDK is used. */
export const AWS_SDK_EXTERNALS = ['@aws-sdk/*'] as const;

/** The bundle file name inside each asset: `.mjs` so Node loads it as ESM without a package.json. */
export const BUNDLE_FILE = 'index.mjs';

/**
 * The settings themselves, in esbuild's terms.
 * - minify: less to read and parse at cold start;
 * - keepNames: class and function names survive minification, for logs and `error.name` checks;
 * - source maps without sources content: stack traces point into the TypeScript sources
 *   (with `NODE_OPTIONS=--enable-source-maps`) and the map stays small;
 * - mainFields module first: the SDK's ES module builds, which tree-shake better.
 */
const SETTINGS = {
  platform: 'node',
  target: BUNDLE_TARGET,
  format: 'esm',
  minify: true,
  keepNames: true,
  sourcemap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
} as const;

function externals(choice: BundleChoice): string[] {
  return choice.bundleAwsSdk ? [] : [...AWS_SDK_EXTERNALS];
}

/** `NodejsFunction` bundling options for these settings. Never Docker: see the construct's esbuild check. */
export function lambdaBundlingOptions(choice: BundleChoice = DEFAULT_BUNDLE_CHOICE): BundlingOptions {
  return {
    target: SETTINGS.target,
    format: OutputFormat.ESM,
    minify: SETTINGS.minify,
    keepNames: SETTINGS.keepNames,
    sourceMap: SETTINGS.sourcemap,
    sourceMapMode: SourceMapMode.DEFAULT,
    sourcesContent: SETTINGS.sourcesContent,
    mainFields: [...SETTINGS.mainFields],
    banner: SETTINGS.banner,
    // Explicit even when empty: CDK's default would externalize the SDK.
    externalModules: externals(choice),
    forceDockerBundling: false,
  };
}

/** esbuild build options for these settings: one entry bundled to `outfile` (use {@link BUNDLE_FILE}). */
export function esbuildBuildOptions(entry: string, outfile: string, choice: BundleChoice = DEFAULT_BUNDLE_CHOICE): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: SETTINGS.platform,
    target: SETTINGS.target,
    format: SETTINGS.format,
    minify: SETTINGS.minify,
    keepNames: SETTINGS.keepNames,
    sourcemap: SETTINGS.sourcemap,
    sourcesContent: SETTINGS.sourcesContent,
    mainFields: [...SETTINGS.mainFields],
    banner: { js: SETTINGS.banner },
    external: externals(choice),
    logLevel: 'warning',
  };
}

/** Environment every function gets so stack traces map back to the TypeScript sources. */
export const SOURCE_MAP_ENVIRONMENT = { NODE_OPTIONS: '--enable-source-maps' } as const;
