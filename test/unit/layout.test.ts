/**
 * The layout rules of DESIGN.md, checked on the source: small lib/ modules, one SQS importer and
 * one folder speaking DynamoDB, no environment reads in lib/, infra/ independent of functions/, no
 * import cycle between files, and none between the folders of lib/ (type imports included).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const sources = (dir: string): string[] =>
  readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(root, path)).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
const text = (path: string) => readFileSync(join(root, path), 'utf8');
/** Imports that exist at run time (type-only ones vanish when compiled). */
const runtimeImports = (path: string): string[] =>
  [...text(path).matchAll(/^(?:import|export)(?! type)[^'"]*?from\s+'([^']+)'/gm)].map((m) => m[1] as string);

describe('layout', () => {
  it('keeps every lib/ module under 300 lines', () => {
    const long = sources('lib').filter((path) => text(path).split('\n').length > 300);
    expect(long).toEqual([]);
  });

  it('has one importer of the SQS client in lib/ (the queue adapter), and DynamoDB spoken only in lib/dynamo/', () => {
    expect(sources('lib').filter((path) => text(path).includes('@aws-sdk/client-sqs'))).toEqual(['lib/queue/sqs-posting-queue.ts']);
    const dynamo = sources('lib').filter((path) => /@aws-sdk\/(client-dynamodb|lib-dynamodb|util-dynamodb)'/.test(text(path)));
    // lib/table.ts types the CreateTable request the table is made from; it sends nothing.
    expect(dynamo.filter((path) => !path.startsWith('lib/dynamo/') && path !== 'lib/table.ts')).toEqual([]);
    expect(dynamo.filter((path) => path.startsWith('lib/dynamo/')).length).toBeGreaterThan(0);
  });

  it('reads no environment variable in lib/', () => {
    expect(sources('lib').filter((path) => text(path).includes('process.env'))).toEqual([]);
  });

  it('imports nothing from functions/ in infra/ or lib/', () => {
    const offenders = [...sources('infra'), ...sources('lib')].filter((path) => runtimeImports(path).some((spec) => spec.includes('functions/')));
    expect(offenders).toEqual([]);
  });

  it('has no cycle between the folders of lib/ (each top-level file a module of its own; type imports count)', () => {
    // The module of a lib/ file: its top-level folder, or the file itself at the top level.
    const moduleOf = (path: string) => {
      const parts = relative('lib', path).split('/');
      return parts.length > 1 ? `${parts[0]}/` : (parts[0] as string).replace(/\.ts$/, '');
    };
    const edges = new Map<string, Set<string>>();
    for (const file of sources('lib')) {
      for (const match of text(file).matchAll(/^(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'/gm)) {
        const target = relative(root, resolve(root, dirname(file), (match[1] as string).replace(/\.js$/, '.ts')));
        if (!target.startsWith('lib/')) continue;
        const [from, to] = [moduleOf(file), moduleOf(target)];
        if (from === to || from === 'index') continue;
        edges.set(from, (edges.get(from) ?? new Set()).add(to));
      }
    }
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (node: string, path: string[]) => {
      if (state.get(node) === 'done') return;
      if (state.get(node) === 'visiting') return void cycles.push([...path.slice(path.indexOf(node)), node].join(' → '));
      state.set(node, 'visiting');
      for (const next of edges.get(node) ?? []) visit(next, [...path, node]);
      state.set(node, 'done');
    };
    for (const node of edges.keys()) visit(node, []);
    expect(edges.size).toBeGreaterThan(10);
    expect(cycles).toEqual([]);
  });

  it('has no import cycle among lib/, functions/, infra/, local/ and cli/', () => {
    const files = ['lib', 'functions', 'infra', 'local', 'cli'].flatMap(sources);
    const known = new Set(files);
    const graph = new Map(
      files.map((file) => [
        file,
        runtimeImports(file)
          .filter((spec) => spec.startsWith('.'))
          .map((spec) => relative(root, resolve(root, dirname(file), spec.replace(/\.js$/, '.ts'))))
          .filter((dep) => known.has(dep)),
      ]),
    );
    const cycles: string[] = [];
    const done = new Set<string>();
    const visit = (file: string, path: string[]) => {
      if (path.includes(file)) return void cycles.push([...path.slice(path.indexOf(file)), file].join(' → '));
      if (done.has(file)) return;
      for (const dep of graph.get(file) ?? []) visit(dep, [...path, file]);
      done.add(file);
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });
});
