/**
 * Recovery, as its own component. Every minute it looks at open jobs old enough to need it and:
 * - posts delayed jobs whose time falls within the lookahead (SQS holds a delay of 15 min at most);
 * - re-posts jobs whose posting seems lost: still open long after their posting became
 *   deliverable (or their lease ran out);
 * - fails jobs whose `dispatchBy` passed before they ever started.
 *
 * The backlog rule: a posting is presumed lost only when it has been deliverable for longer than
 * `horizonMs` AND the queue has no visible messages waiting. A queue with a backlog is still
 * delivering: its old postings are waiting, not lost, and re-posting them would multiply them.
 * Behind a backlog a posting is presumed lost only after `backlogHorizonMs` (default 1 h), and
 * every re-post moves `postedAt`, so a job is re-posted at most once per horizon.
 *
 * Recovery can run a job twice: a "lost" posting may only be late. At-least-once is the contract;
 * the claim still guarantees that no two runs overlap.
 */
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { LIMITS, resolveSweeperOptions, type SweeperOptions } from './config.js';
import { InvalidStateError, NotFoundError } from './errors.js';
import { silentLogger } from './logger.js';
import type { Job } from './model.js';
import type { OutgoingPosting, PostingSender } from './postings.js';
import type { JobTypeRegistry, Logger } from './registry.js';
import { JobState } from './states.js';
import type { JobStore } from './store/index.js';

export type SweepAction = { kind: 'none' } | { kind: 'post'; postedAt: number; delaySeconds: number } | { kind: 'expire' };

export interface SweepInput {
  now: number;
  /** True when the postings queue has no visible messages. */
  queueIdle: boolean;
  /** Start-up repair: the queue was lost, so every open job needs a posting now. */
  repostAll: boolean;
}

/** What the sweeper does with one open job. Pure. */
export function decideSweep(job: Job, input: SweepInput, options: Pick<SweeperOptions, 'horizonMs' | 'backlogHorizonMs' | 'lookaheadMs'>): SweepAction {
  const { now } = input;
  if (job.state !== JobState.posted && job.state !== JobState.claimed) return { kind: 'none' };
  if (job.state === JobState.posted && job.attempts === 0 && job.dispatchBy !== undefined && job.dispatchBy <= now) return { kind: 'expire' };

  // A delayed job whose posting has not been sent for its due time (the delay exceeded SQS's 15 minutes).
  const unsentDelay = job.state === JobState.posted && job.waitUntil !== undefined && (job.postedAt === undefined || job.postedAt < job.waitUntil);
  if (unsentDelay) {
    const dueInMs = (job.waitUntil as number) - now;
    if (dueInMs > options.lookaheadMs) return { kind: 'none' };
    return { kind: 'post', postedAt: Math.max(now, job.waitUntil as number), delaySeconds: Math.max(0, Math.ceil(dueInMs / 1_000)) };
  }
  if (input.repostAll) return { kind: 'post', postedAt: now, delaySeconds: 0 };

  // When the job's current posting could last have been delivered, or its owner last heard from.
  const quietSince = Math.max(job.postedAt ?? job.createdAt, job.waitUntil ?? 0, job.state === JobState.claimed ? (job.leaseExpiresAt ?? 0) : 0);
  const quietForMs = now - quietSince;
  const lost = quietForMs > options.horizonMs && (input.queueIdle || quietForMs > options.backlogHorizonMs);
  return lost ? { kind: 'post', postedAt: now, delaySeconds: 0 } : { kind: 'none' };
}

export interface SweepReport {
  examined: number;
  posted: number;
  expired: number;
  /** Jobs whose step failed (storage trouble); the next sweep retries them. */
  failed: number;
  queueIdle: boolean;
}

export interface SweeperDependencies {
  store: JobStore;
  sqs: SQSClient;
  postings: PostingSender;
  /** Jobs of types this deployment does not know are left alone (their postings would only be dead-lettered). */
  registry?: JobTypeRegistry;
  options: Partial<SweeperOptions> & Pick<SweeperOptions, 'queueUrl'>;
  logger?: Logger;
  now?: () => number;
}

export class Sweeper {
  readonly options: SweeperOptions;

  constructor(private readonly deps: SweeperDependencies) {
    this.options = resolveSweeperOptions(deps.options);
  }

  /** One sweep. `repostAll` is the local stack's start-up repair after its in-memory queue was lost. */
  async sweep({ repostAll = false }: { repostAll?: boolean } = {}): Promise<SweepReport> {
    const now = (this.deps.now ?? Date.now)();
    const logger = this.deps.logger ?? silentLogger;
    const queueIdle = repostAll || (await this.queueIsIdle());
    // Younger jobs cannot need the sweeper yet: their postings are fresh, and delays long enough to be unsent were posted ≥ 15 min before due.
    const createdBefore = repostAll ? now + 1 : now - Math.min(this.options.horizonMs, LIMITS.sqsMaxDelaySeconds * 1_000 - this.options.lookaheadMs);
    const report: SweepReport = { examined: 0, posted: 0, expired: 0, failed: 0, queueIdle };
    for await (const jobs of this.deps.store.openJobs(createdBefore)) {
      const outgoing: OutgoingPosting[] = [];
      // Each job settles on its own: one storage error must not keep this page's marked postings unsent.
      const settled = await Promise.allSettled(
        jobs.map(async (job) => {
          report.examined++;
          if (this.deps.registry !== undefined && this.deps.registry.get(job.type) === undefined) return;
          const action = decideSweep(job, { now, queueIdle, repostAll }, this.options);
          if (action.kind === 'expire') {
            const failed = await this.deps.store.failUnclaimed(job, 'expired').catch((error: unknown) => {
              if (error instanceof InvalidStateError || error instanceof NotFoundError) return undefined; // someone moved it first
              throw error;
            });
            if (failed !== undefined) {
              report.expired++;
              logger.info('job_failed', { jobId: job.id, type: job.type, attempt: job.attempts, reason: 'dispatchBy passed' });
            }
          } else if (action.kind === 'post' && (await this.deps.store.markPosted(job, action.postedAt))) {
            // Marked first, conditioned on the postedAt we saw: of two sweepers, only one sends.
            outgoing.push({ id: job.id, delaySeconds: action.delaySeconds });
          }
        }),
      );
      for (const result of settled) {
        if (result.status === 'fulfilled') continue;
        report.failed++;
        logger.warn('sweep_step_failed', { error: result.reason, recovery: 'the next sweep tries again' });
      }
      if (outgoing.length > 0) {
        await this.deps.postings.send(outgoing);
        report.posted += outgoing.length;
        logger.info('postings_repaired', { count: outgoing.length, ids: outgoing.slice(0, 20).map((p) => p.id) });
      }
    }
    return report;
  }

  private async queueIsIdle(): Promise<boolean> {
    const { Attributes } = await this.deps.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: this.options.queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    return Number(Attributes?.ApproximateNumberOfMessages ?? '0') === 0;
  }
}
