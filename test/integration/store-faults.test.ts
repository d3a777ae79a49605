/**
 * Faults the emulator cannot produce (throttling, a dropped connection), injected with
 * aws-sdk-client-mock on the store's client: they surface as a retryable StorageError, never
 * as a refusal that would make a caller act on a wrong state, and the stored job is untouched.
 */
import { DynamoDBDocumentClient, PutCommand, UpdateCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postBody } from '../support/jobs.js';
import { StorageError } from '../../lib/errors.js';
import { createStoreFixture, jobIn, type StoreFixture } from '../support/store.js';
import { DynamoJobStore } from '../../lib/dynamo/index.js';

let f: StoreFixture;
beforeAll(async () => {
  f = await createStoreFixture();
});
afterAll(() => f.table.drop());

const throttled = () => new ProvisionedThroughputExceededException({ message: 'Rate of requests exceeds the allowed throughput', $metadata: {} });
const dropped = () => Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' });

/** A store whose client fails every request of the given kinds. */
function faultyStore(fault: () => Error) {
  const client = DynamoDBDocumentClient.from(f.table.client);
  const mock = mockClient(client);
  mock.on(UpdateCommand).rejects(fault()).on(PutCommand).rejects(fault()).on(GetCommand).rejects(fault());
  return { store: new DynamoJobStore(client, { tableName: f.table.tableName }, { now: f.clock.now }), restore: () => mock.restore() };
}

describe.each([
  ['throttling', throttled],
  ['a dropped connection', dropped],
])('%s', (_, fault) => {
  it.each(['claim', 'consume', 'abandon', 'fail', 'heartbeat', 'trash', 'retry', 'post', 'get'] as const)('during %s is a retryable StorageError and changes nothing', async (operation) => {
    const situation = operation === 'claim' || operation === 'trash' || operation === 'post' || operation === 'get' ? 'posted' : operation === 'retry' ? 'failed' : 'claimed';
    const job = await jobIn(f, situation);
    const before = await f.store.get(job.id);
    const { store, restore } = faultyStore(fault);
    const calls: Record<typeof operation, () => Promise<unknown>> = {
      claim: () => store.claim(job.id, { owner: 'x', leaseMs: 1_000 }),
      consume: () => store.consume(job, { ok: true }),
      abandon: () => store.abandon(job, { name: 'E', message: 'm' }, f.clock.now()),
      fail: () => store.fail(job, { name: 'E', message: 'm' }, 'last attempt failed'),
      heartbeat: () => store.heartbeat(job, 1_000),
      trash: () => store.trash(job.id),
      retry: () => store.retry(job.id),
      post: () => postBody(store, { type: 'demo.echo', id: `fault-${job.id}` }),
      get: () => store.get(job.id),
    };
    const error = await calls[operation]().catch((e: unknown) => e);
    restore();
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).retryable).toBe(true);
    expect((error as StorageError).cause).toBeDefined();
    expect(await f.store.get(job.id)).toEqual(before);
  });
});
