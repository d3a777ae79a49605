/**
 * Reads across the sharded indexes, in jobs: one bounded page of one index partition, counts,
 * and full jobs by key. Listing, counting and the maintenance scans build on these. Every read is
 * bounded: no call follows a partition to its end without limit.
 */
import type { Job } from '../model.js';
import type { IndexDefinition } from '../table.js';
import { jobFromItem } from './item-codec.js';
import type { ItemTable, PartitionPage, PartitionRange } from './item-table.js';

export type { IndexEntry, PartitionPage, PartitionRange } from './item-table.js';

export class IndexReader {
  constructor(private readonly table: ItemTable) {}

  /** One bounded page of an index partition. */
  page(index: IndexDefinition, partition: string, range: PartitionRange): Promise<PartitionPage> {
    return this.table.page(index, partition, range);
  }

  /** Entries in a partition, counted on the index (no items read). */
  count(index: IndexDefinition, partition: string): Promise<number> {
    return this.table.count(index, partition);
  }

  /**
   * Jobs by item key. `consistent`: strongly consistent reads (twice the read units), for
   * decisions a stale item would make unsafe.
   */
  async jobs(pks: readonly string[], attributes?: readonly string[], consistent = false): Promise<Map<string, Job>> {
    const items = await this.table.readMany(pks, { ...(attributes === undefined ? {} : { attributes }), consistent });
    return new Map([...items].map(([pk, item]) => [pk, jobFromItem(item)]));
  }
}
