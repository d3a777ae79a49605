/**
 * Lists jobs across the sharded indexes, oldest or newest first, one bounded page at a time.
 *
 * A list is a sequence of streams (the open index, ordered by creation; the done index, ordered
 * by end time), each the union of its shard partitions. A page reads at most `want` entries from
 * every partition, then merges them: only entries up to the *frontier* (the nearest point where
 * some partition stopped reading) are known to be complete in order, so only those are returned,
 * and the cursor resumes after the last one used. Sort keys are unique (time then id), so
 * "after this key" resumes without gaps or repeats however the shards interleave.
 *
 * Every call reads a bounded number of index entries (`listScanLimit`), however rare the filtered
 * type or state: a page may then hold fewer than `limit` jobs, and `nextCursor` still continues.
 */
import { LIMITS, type StoreOptions } from '../config.js';
import { ValidationError } from '../errors.js';
import type { Job, Priority } from '../model.js';
import { FINAL_STATES, isFinal, isJobState, type FinalState, type JobState } from '../states.js';
import { TABLE, type IndexDefinition } from '../table.js';
import { decodeCursor, encodeCursor, type CursorPosition } from './cursor.js';
import type { IndexEntry, IndexReader } from './index-reader.js';
import { allShards, doneShardKey, openShardKey, timeSortPrefix } from './keys.js';

export interface JobListQuery {
  state?: JobState;
  type?: string;
  /** Only this board's jobs (default: every board's). */
  board?: string;
  priority?: Priority;
  /** 1–100, default 50. */
  limit?: number;
  /** Opaque, from the previous page's `nextCursor`. */
  cursor?: string;
  /** `asc` (default): oldest first. `desc`: newest first. */
  order?: 'asc' | 'desc';
  /** Epoch ms, inclusive: jobs created (open) or ended (finished) at or after this. */
  from?: number;
  /** Epoch ms, inclusive: … at or before this. */
  to?: number;
}

export interface ListPage {
  jobs: Job[];
  /** Null on the last page. */
  nextCursor: string | null;
}

/** One index and the partitions whose union is one ordered stream of jobs. */
interface Stream {
  index: IndexDefinition;
  partitions: string[];
}

const openStream = (boards: readonly string[]): Stream => ({
  index: TABLE.openIndex,
  partitions: boards.flatMap((board) => allShards().map((shard) => openShardKey(shard, board))),
});
const doneStream = (states: readonly FinalState[], boards: readonly string[]): Stream => ({
  index: TABLE.doneIndex,
  partitions: states.flatMap((state) => boards.flatMap((board) => allShards().map((shard) => doneShardKey(state, shard, board)))),
});

/** Entries fetched per round when a filter must read items to see what it filters on. */
const ITEM_FILTER_ROUND = 100;

export class JobListing {
  constructor(
    private readonly reader: IndexReader,
    private readonly options: Pick<StoreOptions, 'listScanLimit'>,
  ) {}

  /**
   * Without a state filter the list walks open jobs (by creation), then finished ones (by end
   * time), in the order asked for within each.
   */
  async list(query: JobListQuery, boards: readonly string[]): Promise<ListPage> {
    const limit = checkQuery(query);
    const descending = query.order === 'desc';
    const fingerprint = [query.state, query.type, query.board, query.priority, query.order, query.from, query.to].map((part) => part ?? '').join('|');
    const streams = query.state === undefined ? [openStream(boards), doneStream(FINAL_STATES, boards)] : isFinal(query.state) ? [doneStream([query.state], boards)] : [openStream(boards)];
    // The open index does not project `state` (a claim would cost an index write): open states are told apart on the items, as is priority.
    const openState = query.state !== undefined && !isFinal(query.state) ? query.state : undefined;
    const itemFilter =
      openState === undefined && query.priority === undefined
        ? undefined
        : (job: Job) => (openState === undefined || job.state === openState) && (query.priority === undefined || (job.priority ?? 'normal') === query.priority);
    const range = { from: query.from === undefined ? undefined : timeSortPrefix(query.from), to: query.to === undefined ? undefined : `${timeSortPrefix(query.to)}$`, descending, type: query.type };
    let position: CursorPosition = query.cursor === undefined ? { stream: 0, after: null } : decodeCursor(query.cursor, fingerprint);

    // Collect one job beyond the page: if it exists, there is a next page.
    const found: { job: Job; position: CursorPosition }[] = [];
    let scanned = 0;
    while (position.stream < streams.length && found.length <= limit && scanned < this.options.listScanLimit) {
      const want = itemFilter === undefined ? limit + 1 - found.length : ITEM_FILTER_ROUND;
      const round = await this.mergedRound(streams[position.stream] as Stream, { ...range, after: position.after, maxRead: want });
      scanned += round.scanned;
      const jobs = await this.reader.jobs(round.entries.map((entry) => entry.pk));
      let consumedAll = true;
      for (const entry of round.entries) {
        const job = jobs.get(entry.pk);
        // Skipped: removed by TTL since the index was read, or not in the filtered state.
        // A job that finished while this call walked the indexes shows in the open and the done stream: once is enough.
        const listed = job !== undefined && found.some((f) => f.job.id === job.id);
        if (job !== undefined && !listed && (itemFilter === undefined || itemFilter(job))) found.push({ job, position: { stream: position.stream, after: entry.sortKey } });
        position = { stream: position.stream, after: entry.sortKey };
        if (found.length > limit) {
          consumedAll = false;
          break;
        }
      }
      if (consumedAll) position = round.resume === null ? { stream: position.stream + 1, after: null } : { stream: position.stream, after: round.resume };
    }

    const page = found.slice(0, limit);
    const more = found.length > limit || position.stream < streams.length;
    if (!more) return { jobs: page.map((f) => f.job), nextCursor: null };
    const resumeAt = found.length > limit ? (page[page.length - 1] as (typeof found)[number]).position : position;
    return { jobs: page.map((f) => f.job), nextCursor: encodeCursor(resumeAt, fingerprint) };
  }

  /**
   * Up to `maxRead` entries from every partition, merged in order and cut at the frontier.
   * `resume`: where the next round starts once every returned entry is used (null: the stream is done).
   */
  private async mergedRound(
    stream: Stream,
    range: { after: string | null; from?: string; to?: string; descending: boolean; type?: string; maxRead: number },
  ): Promise<{ entries: IndexEntry[]; resume: string | null; scanned: number }> {
    const pages = await Promise.all(stream.partitions.map((partition) => this.reader.page(stream.index, partition, range)));
    const before = (a: string, b: string) => (range.descending ? a > b : a < b);
    let frontier: string | null = null;
    for (const page of pages) if (page.lastRead !== null && (frontier === null || before(page.lastRead, frontier))) frontier = page.lastRead;
    const complete = pages
      .flatMap((page) => page.entries)
      .filter((entry) => frontier === null || !before(frontier, entry.sortKey))
      .sort((a, b) => (a.sortKey === b.sortKey ? 0 : before(a.sortKey, b.sortKey) ? -1 : 1));
    const entries = complete.slice(0, range.maxRead);
    const resume = entries.length < complete.length ? (entries[entries.length - 1] as IndexEntry).sortKey : frontier;
    return { entries, resume, scanned: pages.reduce((sum, page) => sum + page.scanned, 0) };
  }
}

/** The page size, once the query's limit and state are known to be valid. */
function checkQuery(query: JobListQuery): number {
  const limit = query.limit ?? LIMITS.listLimitDefault;
  if (!Number.isInteger(limit) || limit < 1 || limit > LIMITS.listLimitMax) {
    throw new ValidationError(`limit must be a whole number from 1 to ${LIMITS.listLimitMax}`, [{ path: 'limit', message: 'out of range' }]);
  }
  if (query.state !== undefined && !isJobState(query.state)) {
    throw new ValidationError(`unknown state ${JSON.stringify(query.state)}`, [{ path: 'state', message: 'unknown state' }]);
  }
  if (query.from !== undefined && query.to !== undefined && query.from > query.to) {
    throw new ValidationError('from must not be after to', [{ path: 'from', message: 'after to' }]);
  }
  return limit;
}
