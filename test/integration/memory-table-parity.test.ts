/**
 * The table in memory answers as DynamoDB does: random condition expressions over random items
 * get the verdict DynamoDB Local gives them, and random update specs leave the item DynamoDB
 * Local leaves. This is what lets the conformance suite on memory stand for the one on DynamoDB.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyUpdate } from '../../lib/memory/apply-update.js';
import { meetsCondition } from '../../lib/memory/condition.js';
import { renderUpdate, type UpdateSpec } from '../../lib/store/write-spec.js';
import { createTestTable, type TestTable } from '../support/table.js';

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable();
});
afterAll(() => table.drop());

const KEY = 'parity#item';
const scalar = fc.constantFrom<unknown>(0, 1, 2, 3, 'posted', 'claimed', 'a', 'ab', '1');
const item = fc.record(
  {
    state: fc.constantFrom('posted', 'claimed'),
    n: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constant('1')),
    tags: fc.uniqueArray(fc.constantFrom('a', 'b', 'c'), { minLength: 1 }).map((members) => new Set(members)),
    name: fc.constantFrom('ab', 'abc', 'b'),
  },
  { requiredKeys: [] },
);
const path = fc.constantFrom('state', 'n', 'tags', 'name');

/** A condition as text over `#attribute` names and numbered `:v` values. */
type Built = { text: string; values: unknown[] };
const leaf: fc.Arbitrary<(values: unknown[]) => string> = fc.oneof(
  fc.tuple(path, fc.constantFrom('=', '<>', '<', '<=', '>', '>='), scalar).map(([p, op, v]) => (vs: unknown[]) => `#${p} ${op} ${value(vs, v)}`),
  path.map((p) => () => `attribute_exists(#${p})`),
  path.map((p) => () => `attribute_not_exists(#${p})`),
  fc.tuple(path, scalar).map(([p, v]) => (vs: unknown[]) => `contains(#${p}, ${value(vs, v)})`),
  fc.tuple(path, fc.constantFrom('a', 'ab')).map(([p, v]) => (vs: unknown[]) => `begins_with(#${p}, ${value(vs, v)})`),
  fc.tuple(path, fc.constantFrom('=', '<', '>='), fc.integer({ min: 0, max: 3 })).map(([p, op, v]) => (vs: unknown[]) => `size(#${p}) ${op} ${value(vs, v)}`),
  fc.tuple(path, scalar, scalar).map(([p, a, b]) => (vs: unknown[]) => `#${p} IN (${value(vs, a)}, ${value(vs, b)})`),
  fc.tuple(path, fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })).map(([p, a, b]) => (vs: unknown[]) => `#${p} BETWEEN ${value(vs, Math.min(a, b))} AND ${value(vs, Math.max(a, b))}`),
);
/** A condition and whether it is an AND / OR at its top (the only kind that parentheses may wrap: DynamoDB refuses redundant ones). */
type Made = (values: unknown[]) => { text: string; binary: boolean };
const { condition: made } = fc.letrec<{ condition: Made }>((tie) => ({
  condition: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf.map((make): Made => (vs) => ({ text: make(vs), binary: false })),
    fc.tuple(tie('condition'), fc.constantFrom('AND', 'OR'), tie('condition'), fc.boolean(), fc.boolean()).map(
      ([a, op, b, wrapA, wrapB]): Made =>
        (vs) => ({ text: `${wrapped(a(vs), wrapA)} ${op} ${wrapped(b(vs), wrapB)}`, binary: true }),
    ),
    fc.tuple(tie('condition'), fc.boolean()).map(([a, wrap]): Made => (vs) => ({ text: `NOT ${wrapped(a(vs), wrap)}`, binary: false })),
  ),
}));
const condition = made.map((make) => (vs: unknown[]) => make(vs).text);

function wrapped(part: { text: string; binary: boolean }, wrap: boolean): string {
  return part.binary && wrap ? `(${part.text})` : part.text;
}

function value(values: unknown[], v: unknown): string {
  values.push(v);
  return `:v${values.length - 1}`;
}

function build(make: (values: unknown[]) => string): Built {
  const values: unknown[] = [];
  return { text: make(values), values };
}

async function dynamoVerdict(stored: Record<string, unknown>, built: Built): Promise<boolean> {
  await table.documentClient.send(new PutCommand({ TableName: table.tableName, Item: { pk: KEY, ...stored } }));
  const names = Object.fromEntries([...built.text.matchAll(/#(\w+)/g)].map((m) => [`#${m[1]}`, m[1] as string]));
  const values = Object.fromEntries(built.values.map((v, n) => [`:v${n}`, v]));
  try {
    await table.documentClient.send(
      new PutCommand({ TableName: table.tableName, Item: { pk: KEY, ...stored }, ConditionExpression: built.text, ExpressionAttributeNames: names, ...(built.values.length > 0 ? { ExpressionAttributeValues: values } : {}) }),
    );
    return true;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

describe('conditions', () => {
  it('meet the verdict DynamoDB Local gives, for random conditions over random items', async () => {
    await fc.assert(
      fc.asyncProperty(item, condition.map(build), async (stored, built) => {
        const names = Object.fromEntries([...built.text.matchAll(/#(\w+)/g)].map((m) => [`#${m[1]}`, m[1] as string]));
        const values = Object.fromEntries(built.values.map((v, n) => [`:v${n}`, v]));
        const expected = await dynamoVerdict(stored, built);
        expect({ condition: built.text, verdict: meetsCondition({ pk: KEY, ...stored }, { text: built.text, names, values }) }).toEqual({ condition: built.text, verdict: expected });
      }),
      { numRuns: 300 },
    );
  });

  it('a missing item meets only conditions that do not need it', () => {
    expect(meetsCondition(undefined, { text: 'attribute_not_exists(#pk)', names: { '#pk': 'pk' }, values: {} })).toBe(true);
    expect(meetsCondition(undefined, { text: 'attribute_exists(#pk) AND (#a = :a)', names: { '#pk': 'pk', '#a': 'a' }, values: { ':a': 1 } })).toBe(false);
  });
});

describe('updates', () => {
  const clauseFor = fc.constantFrom('set', 'remove', 'increment', 'setIfAbsent', 'addToSet', 'deleteFromSet', 'none');
  const spec = fc.record({ state: clauseFor, count: clauseFor, members: clauseFor, label: clauseFor, subtract: fc.boolean() }).map((plan): UpdateSpec => {
    const spec: Required<Pick<UpdateSpec, 'set' | 'remove' | 'increment' | 'setIfAbsent' | 'addToSet' | 'deleteFromSet' | 'add'>> & UpdateSpec = {
      kind: 'update',
      operation: 'parity',
      key: KEY,
      set: {},
      remove: [],
      increment: {},
      setIfAbsent: {},
      addToSet: {},
      deleteFromSet: {},
      add: plan.subtract ? { total: -1 } : {},
      condition: 'attribute_exists(#pk)',
      refused: () => new Error('refused'),
    };
    for (const attribute of ['state', 'count', 'members', 'label'] as const) {
      const clause = plan[attribute];
      if (clause === 'set') spec.set[attribute] = `${attribute}-new`;
      if (clause === 'remove') (spec.remove as string[]).push(attribute);
      if (clause === 'increment' && attribute === 'count') spec.increment[attribute] = 2;
      if (clause === 'setIfAbsent') spec.setIfAbsent[attribute] = 'first';
      if (clause === 'addToSet' && attribute === 'members') spec.addToSet[attribute] = ['x', 'y'];
      if (clause === 'deleteFromSet' && attribute === 'members') spec.deleteFromSet[attribute] = ['x', 'z'];
    }
    return spec;
  });
  const start = fc.record(
    { state: fc.constant('posted'), count: fc.integer({ min: 0, max: 5 }), members: fc.constantFrom(new Set(['x']), new Set(['x', 'z']), new Set(['y'])), label: fc.constant('old') },
    { requiredKeys: [] },
  );

  it('leave the item DynamoDB Local leaves, for random update specs', async () => {
    await fc.assert(
      fc.asyncProperty(start, spec, async (stored, update) => {
        const before = { pk: KEY, version: 3, total: 10, ...stored };
        await table.documentClient.send(new PutCommand({ TableName: table.tableName, Item: before }));
        const rendered = renderUpdate(update);
        await table.documentClient.send(new UpdateCommand({ TableName: table.tableName, Key: { pk: KEY }, ...rendered }));
        const { Item } = await table.documentClient.send(new GetCommand({ TableName: table.tableName, Key: { pk: KEY }, ConsistentRead: true }));
        expect(applyUpdate(before, update)).toEqual(Item);
      }),
      { numRuns: 150 },
    );
  });

  it('refuse what DynamoDB refuses: two clauses on one attribute, arithmetic on a missing one', async () => {
    const base: UpdateSpec = { kind: 'update', operation: 'parity', key: KEY, set: {}, condition: 'attribute_exists(#pk)', refused: () => new Error('refused') };
    await table.documentClient.send(new PutCommand({ TableName: table.tableName, Item: { pk: KEY, version: 1 } }));
    for (const bad of [
      { ...base, set: { a: 1 }, remove: ['a'] },
      { ...base, add: { missing: 1 } },
    ]) {
      await expect(table.documentClient.send(new UpdateCommand({ TableName: table.tableName, Key: { pk: KEY }, ...renderUpdate(bad) }))).rejects.toThrow();
      expect(() => applyUpdate({ pk: KEY, version: 1 }, bad)).toThrow();
    }
  });
});
