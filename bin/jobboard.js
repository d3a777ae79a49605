#!/usr/bin/env node
// The `jobboard` command. From the installed package it runs the compiled CLI with plain Node.
// In a source checkout that was not built, it registers tsx (a devDependency) to run the sources.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
}
