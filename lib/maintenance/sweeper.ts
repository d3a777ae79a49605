/**
 * The sweep: runs the open-job tasks (expire, promote, rescue; see `open-job-tasks.ts`) over the
 * open jobs, shard by shard, a page at a time, within a time budget taken from the invocation's
 * remaining time. Where it stopped is saved in the table, so a backlog larger than one budget is
 * worked through over several ticks, each starting where the last one stopped instead of at
 * shard 0 again (which would starve the higher shards).
 *
 * Start-up repair (`repostAll`) is different: the local stack's queue was lost, so every open job
 * needs a posting before anything is served. It reads everything, and leaves the saved position alone.
 */
import { resolveSweeperOptions, type SweeperOptions } from '../config.js';
import { InvalidStateError, NotFoundError, isJobboardError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Job } from '../model.js';
import { JobState } from '../states.js';
import type { OutgoingPosting, PostingQueue } from '../queue/posting-queue.js';
import type { JobTypeRegistry } from '../registry.js';
import type { JobStore, TaskCursors } from '../store/index.js';
import { postingOf } from '../queue/posting-of.js';
import { PostingSender } from '../queue/posting-sender.js';
import { Lifecycle } from '../lifecycle/lifecycle.js';
import { silentLogger } from '../logger.js';
import { decideSweep, type SweepInput } from './open-job-tasks.js';

export interface SweepReport {
  examined: number;
  posted: number;
  expired: number;
  /** Waiting jobs whose parents were looked at again (a crash may have lost a parent's news). */
  repaired: number;
  /** Jobs whose step failed (storage trouble); the next sweep retries them. */
  failed: number;
  queueIdle: boolean;
  /** Every shard was read to its end in this sweep. */
  complete: boolean;
}

/** Where a sweep resumes: an open-index partition (a board's shard), and the index key after which it continues. */
export interface SweepPosition {
  partition: string;
  after: string | null;
}

export interface SweeperDependencies {
  store: JobStore;
  queue: PostingQueue;
  cursors: TaskCursors;
  /** Jobs of types this deployment does not know are left alone (their postings would only be dead-lettered). */
  registry?: JobTypeRegistry;
  options?: Partial<SweeperOptions>;
  logger?: Logger;
  now?: () => number;
  /** Applies what follows its writes (children told, released children posted); default: over `store` and `queue`. */
  lifecycle?: Lifecycle;
}

const CURSOR = 'sweep';
/** A waiting job is left alone this long after its last change: its post may still be linking it. */
const WAITING_REPAIR_AFTER_MS = 2_000;

function needsDependencyRepair(job: Job, now: number): boolean {
  return job.state === JobState.waiting && now - job.updatedAt > WAITING_REPAIR_AFTER_MS;
}

export class Sweeper {
  readonly options: SweeperOptions;
  private readonly now: () => number;
  private readonly postings: PostingSender;
  private readonly lifecycle: Lifecycle;

  constructor(private readonly deps: SweeperDependencies) {
    this.options = resolveSweeperOptions(deps.options);
    this.now = deps.now ?? Date.now;
    const logger = deps.logger ?? silentLogger;
    this.postings = new PostingSender(deps.queue, logger, this.now);
    this.lifecycle = deps.lifecycle ?? new Lifecycle({ store: deps.store, postings: this.postings, logger });
  }

  /**
   * One sweep. `remainingMs`: the invocation's time left (default: unbounded); the sweep stops
   * `reserveMs` before it. `repostAll`: the local stack's start-up repair.
   */
  async sweep({ repostAll = false, remainingMs = Number.POSITIVE_INFINITY }: { repostAll?: boolean; remainingMs?: number } = {}): Promise<SweepReport> {
    const now = this.now();
    const deadline = now + remainingMs - this.options.reserveMs;
    const queueIdle = repostAll || (await this.deps.queue.depth()).visible === 0;
    // Every open job, however young: a young `waiting` child may need its repair now (a young
    // posting is never presumed lost anyway: see decideRescue). The cost is a read of each job in flight per sweep.
    const createdBefore = now + 1;
    const input: SweepInput = { now, queueIdle, repostAll };
    const report: SweepReport = { examined: 0, posted: 0, expired: 0, repaired: 0, failed: 0, queueIdle, complete: false };

    const partitions = await this.deps.store.openPartitions();
    const start = repostAll ? undefined : await this.deps.cursors.load<SweepPosition>(CURSOR);
    // A saved partition that is no longer listed (or a cursor of an older layout) starts over.
    let index = Math.max(0, partitions.indexOf(start?.partition ?? ''));
    let after = start !== undefined && partitions[index] === start.partition && typeof start.after === 'string' ? start.after : null;
    let partitionsDone = 0;
    while (partitionsDone < partitions.length) {
      if (this.now() >= deadline) break;
      const page = await this.deps.store.openJobsPage(partitions[index] as string, after, createdBefore, this.options.pageSize);
      await this.settlePage(page.jobs, input, report);
      if (page.next === null) {
        partitionsDone++;
        index = (index + 1) % partitions.length;
        after = null;
      } else {
        after = page.next;
      }
    }
    report.complete = partitionsDone === partitions.length;
    const position: SweepPosition = { partition: partitions[index] as string, after };
    if (!repostAll) await this.deps.cursors.save(CURSOR, position, this.now());
    return report;
  }


  /** Decides and applies each job of a page; each settles on its own, then the page's postings go out together. */
  private async settlePage(jobs: readonly Job[], input: SweepInput, report: SweepReport): Promise<void> {
    const logger = this.deps.logger;
    const outgoing: OutgoingPosting[] = [];
    const waiting = jobs.filter((job) => needsDependencyRepair(job, input.now));
    const parents = waiting.length === 0 ? new Map<string, Job>() : await this.deps.store.getMany(waiting.flatMap((job) => job.waitingOn ?? []));
    const settled = await Promise.allSettled(
      jobs.map(async (job) => {
        if (waiting.includes(job)) {
          await this.lifecycle.apply(await this.deps.store.repairWaiting(job, parents));
          report.repaired++;
          return;
        }
        report.examined++;
        if (this.deps.registry !== undefined && this.deps.registry.get(job.type) === undefined) return;
        const action = decideSweep(job, input, this.options);
        if (action.kind === 'expire') {
          const failed = await this.deps.store.failUnclaimed(job, 'expired').catch((error: unknown) => {
            if (isJobboardError(error, InvalidStateError) || isJobboardError(error, NotFoundError)) return undefined; // someone moved it first
            throw error;
          });
          if (failed === undefined) return;
          await this.lifecycle.settle(failed);
          report.expired++;
        } else if (action.kind === 'post' && (await this.deps.store.markPosted(job, action.postedAt))) {
          // Marked first, conditioned on the version we saw: of two sweepers, only one sends.
          outgoing.push({ ...postingOf(job, input.now), delaySeconds: action.delaySeconds });
        }
      }),
    );
    for (const result of settled) {
      if (result.status === 'fulfilled') continue;
      report.failed++;
      logger?.warn('sweep_step_failed', { error: result.reason, recovery: 'the next sweep tries again' });
    }
    if (outgoing.length > 0) {
      // A posting not sent now is sent by a later sweep: its job is marked posted, so after the horizon it is presumed lost again.
      const sent = await this.postings.send(outgoing);
      report.posted += sent.sent;
      report.failed += sent.failed;
      if (sent.sent > 0) logger?.info('postings_repaired', { count: sent.sent, ids: outgoing.slice(0, 20).map((p) => p.id) });
    }
  }
}
