/** Counting on the indexes stays within its time budget: past it, a retryable StorageError instead of a partial count. */
import { describe, expect, it } from 'vitest';
import { StorageError } from '../../lib/errors.js';
import { IndexJobCounts } from '../../lib/store/counting.js';
import type { IndexReader } from '../../lib/store/index-reader.js';

/** A reader whose open partitions never end, as with a very large number of open jobs. */
const endless = {
  count: async () => 0,
  page: async () => ({ entries: [{ pk: 'job#x', sortKey: 'k' }], lastRead: 'k', scanned: 1 }),
  jobs: async () => new Map([['job#x', { state: 'posted' }]]),
} as unknown as IndexReader;

describe('IndexJobCounts', () => {
  it('gives up with a retryable StorageError once its budget is spent', async () => {
    let t = 0;
    const counts = new IndexJobCounts(endless, () => (t += 10), 1_000);
    const error = await counts.count(['default']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).retryable).toBe(true);
  });
});
