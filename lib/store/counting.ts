/**
 * Counts per state. `JobCounts` is the seam: the API reads the counters kept from the table's
 * stream (`stream-counters.ts`, a fixed number of reads); `IndexJobCounts` counts on the indexes,
 * which is exact at once but reads every open job: it seeds the counters of a table whose stream
 * starts late, and it is the store's default where no stream runs (tests, embedders).
 *
 * Finished states are counted on the done index alone (`Select: COUNT`, no items read). The
 * open index does not project `state` (that would cost an index write on every claim), so the
 * split among open states reads the `state` of every open job: O(open jobs). To stay correct within
 * the API's time limit, the count gives up with a retryable `StorageError` once its time budget
 * is spent, rather than answering a partial count.
 */
import { StorageError } from '../errors.js';
import { FINAL_STATES, JOB_STATES, isOpen, type CountByState } from '../states.js';
import { TABLE } from '../table.js';
import type { IndexReader } from './index-reader.js';
import { allShards, doneShardKey, openShardKey } from './keys.js';

export type { CountByState };

export interface JobCounts {
  /** Jobs per state over these boards. */
  count(boards: readonly string[]): Promise<CountByState>;
}

/** Open-index entries read per round per shard. */
const OPEN_ROUND = 1_000;

export class IndexJobCounts implements JobCounts {
  constructor(
    private readonly reader: IndexReader,
    private readonly now: () => number,
    /** A count that would take longer than this fails instead (API Gateway's limit is 29 s). */
    private readonly budgetMs = 20_000,
  ) {}

  async count(boards: readonly string[]): Promise<CountByState> {
    const deadline = this.now() + this.budgetMs;
    const counts = Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as CountByState;
    await Promise.all(
      FINAL_STATES.map(async (state) => {
        const perShard = await Promise.all(boards.flatMap((board) => allShards().map((shard) => this.reader.count(TABLE.doneIndex, doneShardKey(state, shard, board)))));
        counts[state] = perShard.reduce((a, b) => a + b, 0);
      }),
    );
    await Promise.all(
      boards.flatMap((board) => allShards().map((shard) => openShardKey(shard, board))).map(async (partition) => {
        let after: string | null = null;
        do {
          if (this.now() > deadline) throw new StorageError(`counting open jobs took more than ${this.budgetMs} ms; try again`, { retryable: true });
          const page = await this.reader.page(TABLE.openIndex, partition, { after, maxRead: OPEN_ROUND });
          const states = await this.reader.jobs(page.entries.map((entry) => entry.pk), ['state']);
          for (const job of states.values()) if (isOpen(job.state)) counts[job.state]++;
          after = page.lastRead;
        } while (after !== null);
      }),
    );
    return counts;
  }
}
