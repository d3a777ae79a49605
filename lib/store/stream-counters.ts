/**
 * Job counts per board and state, kept from the table's change stream (DESIGN.md, Events, counts
 * and metrics), so that `/stats` and `GET /boards` read a fixed number of small items instead of
 * every open job.
 *
 * Items:
 * - `counter#<board>#<nn>`: one number attribute per state. A board has `COUNTER_SHARDS` of them;
 *   a stream shard always writes the same one (`nn` from a hash of its id), so concurrent stream
 *   shards rarely write the same item, and a read sums the board's shards.
 * - `cursor#stream#<stream shard id>`: `lastSequence`, the last record whose deltas are counted.
 *   It expires two days after its last write (the stream keeps records for one day).
 *
 * Who writes when: only the processor of one stream shard writes that shard's checkpoint (Lambda
 * runs one batch per shard at a time; the local poller reads each shard in one loop). The
 * checkpoint moves in the same transaction as the counter deltas, conditioned on still holding
 * the value this processor read, so a record is counted once even if its batch is delivered
 * again, in part, or by a duplicate invocation: records at or before the checkpoint are skipped.
 *
 * Cost: one transaction per batch (per 98 boards in it): 2 write units per item, so 4 for a batch
 * of one board's jobs, whatever its size; a full batch of 1,000 records (~330 jobs) costs about
 * 0.012 write units per job.
 */
import type { CountedRecord, StreamCounters } from '../events/stream-processor.js';
import { compareSequences, sumDeltas } from '../events/state-change.js';
import { StorageError, isJobboardError } from '../errors.js';
import { JOB_STATES, type CountByState } from '../states.js';
import { TABLE, itemKey } from '../table.js';
import type { JobCounts } from './counting.js';
import type { ItemTable } from './item-table.js';
import { shardOf } from './keys.js';
import { TRANSACTION_MAX_ITEMS, type UpdateSpec } from './write-spec.js';
import { CheckpointMovedError } from './errors.js';

/** Counter items per board. Part of the data layout: a reader sums exactly these. */
export const COUNTER_SHARDS = 16;

/** A checkpoint outlives the stream's 24-hour retention, then expires. */
const CHECKPOINT_TTL_SECONDS = 2 * 24 * 3600;

/** Boards per transaction: the checkpoint takes one of the 100 items. */
const BOARDS_PER_TRANSACTION = TRANSACTION_MAX_ITEMS - 1;

/** Tries when another writer moved the checkpoint meanwhile (a duplicate invocation). */
const CHECKPOINT_TRIES = 5;

export function counterKey(board: string, shard: number): string {
  return itemKey('counter', `${board}#${String(shard).padStart(2, '0')}`);
}

export function checkpointKey(streamShard: string): string {
  return itemKey('cursor', `stream#${streamShard}`);
}

export class TableStreamCounters implements StreamCounters, JobCounts {
  constructor(
    private readonly table: ItemTable,
    private readonly now: () => number,
  ) {}

  async apply(streamShard: string, records: readonly CountedRecord[]): Promise<{ applied: number; skipped: number }> {
    const sorted = [...records].sort((a, b) => compareSequences(a.sequence, b.sequence));
    for (let attempt = 1; ; attempt++) {
      const checkpoint = await this.checkpoint(streamShard);
      const fresh = checkpoint === undefined ? sorted : sorted.filter((r) => compareSequences(r.sequence, checkpoint) > 0);
      try {
        let seen = checkpoint;
        for (const slice of slicesByBoards(fresh)) seen = await this.write(streamShard, seen, slice);
        const applied = fresh.filter((r) => r.deltas.length > 0).length;
        return { applied, skipped: records.filter((r) => r.deltas.length > 0).length - applied };
      } catch (error) {
        // Someone else moved the checkpoint (or was moving it): read it again and count only what is still new.
        if (!checkpointContended(error) || attempt >= CHECKPOINT_TRIES) throw error;
      }
    }
  }

  /** Jobs per state over these boards: `COUNTER_SHARDS` items per board, read in batches of 100. */
  async count(boards: readonly string[]): Promise<CountByState> {
    const counts = Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as CountByState;
    const keys = boards.flatMap((board) => Array.from({ length: COUNTER_SHARDS }, (_, shard) => counterKey(board, shard)));
    for (let start = 0; start < keys.length; start += 100) {
      for (const item of (await this.table.readMany(keys.slice(start, start + 100))).values()) {
        for (const state of JOB_STATES) counts[state] += Number(item[state] ?? 0);
      }
    }
    return counts;
  }

  /** Sets a board's counts outright (shard 0), for a table whose stream starts after its jobs; only while nothing else writes. */
  async seed(board: string, counts: CountByState): Promise<void> {
    const key = counterKey(board, 0);
    await this.table.write({ kind: 'put', operation: 'seed job counters', key, item: { ...counts }, refused: () => new Error(`seed ${key}: an unconditional put was refused`) });
  }

  private async checkpoint(streamShard: string): Promise<string | undefined> {
    const item = await this.table.read(checkpointKey(streamShard), { consistent: true });
    return typeof item?.lastSequence === 'string' ? item.lastSequence : undefined;
  }

  /** One transaction: the slice's summed deltas and the checkpoint moved to its last record. Returns the new checkpoint. */
  private async write(streamShard: string, seen: string | undefined, slice: readonly CountedRecord[]): Promise<string | undefined> {
    const last = slice.at(-1)?.sequence;
    const sums = sumDeltas(slice.flatMap((r) => r.deltas));
    // Nothing to count (lease renewals, other item kinds): no write; a redelivery counts nothing either.
    if (last === undefined || sums.size === 0) return seen;
    const shard = shardOf(streamShard) % COUNTER_SHARDS;
    const counterUpdates = [...sums].map(
      ([board, byState]): UpdateSpec => ({
        kind: 'update',
        operation: 'count stream records',
        key: counterKey(board, shard),
        set: {},
        increment: Object.fromEntries(byState),
        mayCreate: true,
        condition: '',
        refused: () => new Error(`count ${counterKey(board, shard)}: an unconditional update was refused`),
      }),
    );
    const checkpoint: UpdateSpec = {
      kind: 'update',
      operation: 'move stream checkpoint',
      key: checkpointKey(streamShard),
      set: { lastSequence: last, [TABLE.ttlAttribute]: Math.floor(this.now() / 1000) + CHECKPOINT_TTL_SECONDS },
      mayCreate: true,
      condition: seen === undefined ? 'attribute_not_exists(#lastSequence)' : '#lastSequence = :seen',
      values: seen === undefined ? {} : { ':seen': seen },
      refused: () => new CheckpointMovedError(`the checkpoint of stream shard ${streamShard} moved since it was read`),
    };
    await this.table.writeAll([checkpoint, ...counterUpdates], 'count stream records');
    return last;
  }
}

/** The checkpoint's condition refused, or another transaction held its items: worth reading the checkpoint again. */
function checkpointContended(error: unknown): boolean {
  return error instanceof CheckpointMovedError || (isJobboardError(error, StorageError) && error.retryable);
}

/** Consecutive runs of records that touch at most `BOARDS_PER_TRANSACTION` boards. */
function slicesByBoards(records: readonly CountedRecord[]): CountedRecord[][] {
  const slices: CountedRecord[][] = [];
  let current: CountedRecord[] = [];
  let boards = new Set<string>();
  for (const record of records) {
    const touched = new Set([...boards, ...record.deltas.map((d) => d.board)]);
    if (touched.size > BOARDS_PER_TRANSACTION && current.length > 0) {
      slices.push(current);
      current = [];
      boards = new Set(record.deltas.map((d) => d.board));
    } else boards = touched;
    current.push(record);
  }
  if (current.length > 0) slices.push(current);
  return slices;
}
