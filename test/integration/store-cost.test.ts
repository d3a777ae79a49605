/**
 * What one job costs in DynamoDB, counted by the request meter on the real client with
 * ReturnConsumedCapacity INDEXES (DESIGN.md target: 3 writes, at most 6 write units, no reads).
 */
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postBody } from '../support/jobs.js';
import { RequestMeter } from '../../bench/request-meter.js';
import { ManualClock } from '../support/clock.js';
import { createTestTable, type TestTable } from '../support/table.js';
import { DynamoJobStore } from '../../lib/dynamo/index.js';
import { Lifecycle } from '../../lib/lifecycle/lifecycle.js';
import { silentLogger } from '../../lib/logger.js';
import type { PostingQueue } from '../../lib/queue/posting-queue.js';
import { PostingSender } from '../../lib/queue/posting-sender.js';

/** A queue for writes that send no posting: any use of it is a mistake the test should see. */
const noPostingsExpected = new Proxy({}, { get: (_, name) => () => Promise.reject(new Error(`no posting expected, yet ${String(name)} was called`)) }) as PostingQueue;

let table: TestTable;
let store: DynamoJobStore;
const meter = new RequestMeter();

beforeAll(async () => {
  table = await createTestTable();
  meter.attach(table.client, 'DynamoDB');
  store = new DynamoJobStore(DynamoDBDocumentClient.from(table.client, { marshallOptions: { removeUndefinedValues: true } }), { tableName: table.tableName }, { now: new ManualClock().now });
});
afterAll(() => table.drop());

async function rawItem(id: string): Promise<Record<string, unknown>> {
  const { Item } = await table.documentClient.send(new GetCommand({ TableName: table.tableName, Key: { pk: `job#${id}` } }));
  return Item ?? {};
}

/** DynamoDB's item size: attribute names plus values (strings as UTF-8, numbers about 1 byte per 2 digits + 1). */
function itemBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return Math.ceil(String(value).replace(/[-.]/g, '').length / 2) + 1;
  if (typeof value === 'boolean' || value === null) return 1;
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + 1 + itemBytes(v), 0);
  return 3 + Object.entries(value as Record<string, unknown>).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + 1 + itemBytes(v), 0);
}

describe('cost of one job', () => {
  it('post, claim and consume of a 1 KB job: 3 UpdateItem/PutItem requests, 6 write units with indexes, no reads', async () => {
    // A store registers each board once per process (one write, then remembered): not a per-job cost.
    await store.boards.register('default');
    meter.reset();
    const { job } = await postBody(store, { type: 'demo.echo', payload: { text: 'x'.repeat(200) } });
    // An owner token as the conductor makes them: invocation id and a random part.
    const claimed = await store.claim(job.id, { owner: '0f6c1d4e-8f0a-4d1b-9a57-3c2e8b7d9e10:Qx3_kP9a', leaseMs: 60_000 });
    const { job: done } = await store.consume(claimed, { text: 'y'.repeat(200) });
    const cost = meter.snapshot();
    // The premise: the finished item, every attribute included, is at most 1 KB.
    expect(itemBytes(await rawItem(done.id))).toBeLessThanOrEqual(1_024);
    console.log('one job:', JSON.stringify(cost));
    expect(cost.requests).toEqual({ 'DynamoDB.PutItem': 1, 'DynamoDB.UpdateItem': 2 });
    expect(cost.dynamoReadUnits).toBe(0);
    expect(cost.dynamoWriteUnits).toBeLessThanOrEqual(6);
    // The claim must not touch either index: only the post and the finish do.
    expect(cost.writeUnitsBy[`${table.tableName}/open`]).toBe(2);
    expect(cost.writeUnitsBy[`${table.tableName}/done`]).toBe(1);
  });

  it('a board’s first job in a process registers the board (one write); its later jobs cost what a plain job costs', async () => {
    meter.reset();
    await postBody(store, { type: 'demo.echo', board: 'cost-board' });
    expect(meter.snapshot().requests).toEqual({ 'DynamoDB.PutItem': 1, 'DynamoDB.UpdateItem': 1 });
    meter.reset();
    const { job } = await postBody(store, { type: 'demo.echo', board: 'cost-board' });
    const claimed = await store.claim(job.id, { owner: 'a', leaseMs: 60_000 });
    await store.consume(claimed, null);
    const cost = meter.snapshot();
    expect(cost.requests).toEqual({ 'DynamoDB.PutItem': 1, 'DynamoDB.UpdateItem': 2 });
    expect(cost.dynamoWriteUnits).toBeLessThanOrEqual(6);
  });

  it('on a board with maxRunning, the claim is a two-item transaction plus a read, and the end adds a slot release', async () => {
    await store.boards.update('cost-limited', { maxRunning: 5 });
    const { job } = await postBody(store, { type: 'demo.echo', board: 'cost-limited' });
    meter.reset();
    const claimed = await store.claim(job.id, { owner: 'a', leaseMs: 60_000 }, { semaphores: [{ kind: 'board', board: 'cost-limited' }] });
    // The consume, then its follow-up as the conductor applies it: the slot's release.
    const written = await store.consume(claimed, null);
    expect(written.followUps).toEqual([{ kind: 'dropHold', key: 'board#cost-limited', holder: { owner: 'a', jobId: job.id } }]);
    await new Lifecycle({ store, postings: new PostingSender(noPostingsExpected, silentLogger, Date.now), logger: silentLogger }).settle(written);
    const cost = meter.snapshot();
    console.log('claim and consume on a maxRunning board:', JSON.stringify(cost));
    expect(cost.requests).toEqual({ 'DynamoDB.TransactWriteItems': 1, 'DynamoDB.GetItem': 1, 'DynamoDB.UpdateItem': 2 });
  });

  it('a progress report is one write unit on the base table and touches no index', async () => {
    const { job } = await postBody(store, { type: 'demo.sleep', payload: { ms: 1_000 } });
    const claimed = await store.claim(job.id, { owner: '0f6c1d4e-8f0a-4d1b-9a57-3c2e8b7d9e10:Qx3_kP9a', leaseMs: 60_000 });
    meter.reset();
    await store.reportProgress(claimed, 42);
    await store.reportProgress(claimed, { step: 'upload', done: 3, of: 10 });
    const cost = meter.snapshot();
    console.log('two progress writes:', JSON.stringify(cost));
    expect(cost.requests).toEqual({ 'DynamoDB.UpdateItem': 2 });
    expect(cost.dynamoWriteUnits).toBe(2);
    expect(cost.writeUnitsBy[`${table.tableName}/open`]).toBeUndefined();
  });

  it('a retryable failure (claim, abandon, claim, consume) adds base-table writes only', async () => {
    meter.reset();
    const { job } = await postBody(store, { type: 'demo.echo' });
    const first = await store.claim(job.id, { owner: 'a', leaseMs: 60_000 });
    await store.abandon(first, { name: 'Error', message: 'again' }, 0);
    const second = await store.claim(job.id, { owner: 'b', leaseMs: 60_000 });
    await store.consume(second, null);
    const cost = meter.snapshot();
    expect(cost.writeUnitsBy[`${table.tableName}/open`]).toBe(2);
    expect(cost.writeUnitsBy[`${table.tableName}/done`]).toBe(1);
  });
});
