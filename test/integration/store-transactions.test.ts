/** The DynamoDB table's transactions on DynamoDB Local: all or nothing, and a refusal names the item that refused, from its own item. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidStateError } from '../../lib/errors.js';
import * as transition from '../../lib/store/transitions.js';
import { createStoreFixture, jobIn, type StoreFixture } from '../support/store.js';
import { DynamoItemTable } from '../../lib/dynamo/dynamo-item-table.js';

let f: StoreFixture;
let writer: DynamoItemTable;
beforeAll(async () => {
  f = await createStoreFixture();
  writer = new DynamoItemTable(f.table.documentClient, f.table.tableName);
});
afterAll(() => f.close());

const ctx = () => ({ now: f.clock.now(), clockSkewMs: f.store.options.clockSkewMs, retentionDays: 7 });

describe('DynamoItemTable.writeAll', () => {
  it('writes every item of a transaction', async () => {
    const [a, b] = [await jobIn(f, 'posted'), await jobIn(f, 'posted')];
    await writer.writeAll([transition.trash(a, ctx()), transition.trash(b, ctx())], 'trashBoth');
    expect((await f.store.get(a.id)).state).toBe('trashed');
    expect((await f.store.get(b.id)).state).toBe('trashed');
  });

  it('writes nothing when one item refuses, and throws that item’s error built from the item as it stood', async () => {
    const a = await jobIn(f, 'failed');
    const b = await jobIn(f, 'completed');
    const before = [await f.store.get(a.id), await f.store.get(b.id)];
    const error = await writer.writeAll([transition.retry(a, ctx()), transition.trash(b, ctx())], 'retryAndTrash').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidStateError);
    expect(error).toMatchObject({ jobId: b.id, state: 'completed' });
    expect([await f.store.get(a.id), await f.store.get(b.id)]).toEqual(before);
  });
});
