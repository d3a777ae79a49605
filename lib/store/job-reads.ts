/**
 * The read side of the job store: one job (consistent), several, a page of a list, counts, and
 * the open-index partitions maintenance walks. `TableJobStore` adds the writes.
 */
import type { BoardDirectory } from '../boards/board.js';
import { resolveStoreOptions, type StoreOptions } from '../config.js';
import { NotFoundError } from '../errors.js';
import type { Job } from '../model.js';
import { JobState, isFinal, type CountByState } from '../states.js';
import { TABLE, jobKey } from '../table.js';
import { IndexJobCounts, type JobCounts } from './counting.js';
import { TableBoardDirectory } from './board-directory.js';
import { IndexReader } from './index-reader.js';
import { jobFromItem } from './item-codec.js';
import type { OpenJobsPage } from './job-store.js';
import { allShards, openShardKey, timeSortPrefix } from './keys.js';
import { JobListing, type ListPage, type JobListQuery } from './listing.js';
import { leaseExpired } from './refusals.js';
import type { ItemTable } from './item-table.js';

export interface JobReadsDependencies {
  /** Epoch ms. */
  now?: () => number;
  /** Counts per state; default: counted on the indexes. */
  counts?: JobCounts;
  /** Board names and settings; default: kept in the same table. */
  boards?: BoardDirectory;
}

export class TableJobReads {
  readonly options: StoreOptions;
  readonly boards: BoardDirectory;
  protected readonly now: () => number;
  protected readonly reader: IndexReader;
  private readonly listing: JobListing;
  private readonly counts: JobCounts;

  constructor(
    protected readonly table: ItemTable,
    options: Partial<StoreOptions> & { tableName: string },
    dependencies: JobReadsDependencies = {},
  ) {
    this.options = resolveStoreOptions(options);
    this.now = dependencies.now ?? Date.now;
    this.boards = dependencies.boards ?? new TableBoardDirectory(table, this.now);
    this.reader = new IndexReader(table);
    this.listing = new JobListing(this.reader, this.options);
    this.counts = dependencies.counts ?? new IndexJobCounts(this.reader, this.now);
  }

  async get(id: string): Promise<Job> {
    const item = await this.table.read(jobKey(id), { consistent: true });
    if (item === undefined) throw new NotFoundError(id);
    return jobFromItem(item);
  }

  async findOwner(id: string): Promise<string | null> {
    const job = await this.get(id);
    // The same instant as the claim's: a lease is live until leaseExpiresAt + clockSkewMs, and only after it can another claim take over.
    return job.state === JobState.claimed && !leaseExpired(job, this.now(), this.options.clockSkewMs) ? (job.owner ?? null) : null;
  }

  /** The jobs of these ids that exist (one BatchGetItem per 100). */
  async getMany(ids: readonly string[]): Promise<Map<string, Job>> {
    const found = await this.reader.jobs([...new Set(ids)].map(jobKey));
    return new Map([...found.values()].map((job) => [job.id, job]));
  }

  async list(query: JobListQuery = {}): Promise<ListPage> {
    return this.listing.list(query, await this.boardsOf(query.board));
  }

  async count(board?: string): Promise<CountByState> {
    return this.counts.count(await this.boardsOf(board));
  }

  /** The board asked for, or every board. */
  private async boardsOf(board: string | undefined): Promise<string[]> {
    return board === undefined ? this.boards.names() : [board];
  }

  async openPartitions(): Promise<string[]> {
    const boards = await this.boards.names();
    return boards.flatMap((board) => allShards().map((shard) => openShardKey(shard, board)));
  }

  async openJobsPage(partition: string, after: string | null, createdBefore: number, maxRead: number): Promise<OpenJobsPage> {
    // `to` is inclusive; one millisecond earlier keeps "before" strict.
    const page = await this.reader.page(TABLE.openIndex, partition, { after, to: `${timeSortPrefix(createdBefore - 1)}$`, maxRead });
    const jobs = await this.reader.jobs(page.entries.map((entry) => entry.pk));
    return { jobs: [...jobs.values()].filter((job) => !isFinal(job.state)), next: page.lastRead };
  }
}
