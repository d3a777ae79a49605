/**
 * The job service: what producers and operators do (post, get, list, count, trash, retry,
 * redrive), each a store transition plus the posting that must follow it. It takes requests the
 * HTTP contract has already parsed, and checks them against the job type.
 *
 * Post writes the job first, then sends its posting (a follow-up of the write, applied by the
 * lifecycle). If the send fails the job is still accepted: it is durable in DynamoDB and the
 * sweeper re-posts it. Answering an error instead would make a client without an id post a
 * second job on retry.
 */
import { randomUUID } from 'node:crypto';
import { BoardNotFoundError, InvalidStateError, JobboardError } from './errors.js';
import { silentLogger, type Logger } from './logger.js';
import type { Job, StopRequest } from './model.js';
import { JobState } from './states.js';
import type { NewJob } from './new-job.js';
import { newJob } from './new-job.js';
import type { Board, BoardPatch } from './boards/board.js';
import { waitForParents } from './dependencies.js';
import { Lifecycle } from './lifecycle/lifecycle.js';
import { PostingSender } from './queue/posting-sender.js';
import type { FollowUp, Written } from './store/follow-ups.js';
import type { PostingQueue } from './queue/posting-queue.js';
import type { JobTypeRegistry } from './registry.js';
import type { JobStore, ListPage, JobListQuery } from './store/index.js';
import type { CountByState } from './states.js';

export interface JobServiceDependencies {
  store: JobStore;
  queue: PostingQueue;
  /** Applies what follows each write (postings, children told); default: over `store` and `queue`. */
  lifecycle?: Lifecycle;
  registry: JobTypeRegistry;
  logger?: Logger;
  /** Epoch ms. */
  now?: () => number;
  /** Makes ids for jobs posted without one. */
  newId?: () => string;
}

/** A stop's answer: the job, and whether its running attempt was asked to stop (the change is still to come). */
export interface StopAnswer {
  job: Job;
  stopping: boolean;
}

/** One job's answer within a batch post. */
export type PostResult = { job: Job; created: boolean } | { error: JobboardError };

export class JobService {
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly newId: () => string;
  private readonly lifecycle: Lifecycle;

  constructor(private readonly deps: JobServiceDependencies) {
    this.logger = deps.logger ?? silentLogger;
    this.now = deps.now ?? Date.now;
    this.newId = deps.newId ?? randomUUID;
    this.lifecycle = deps.lifecycle ?? new Lifecycle({ store: deps.store, postings: new PostingSender(deps.queue, this.logger, this.now), logger: this.logger });
  }

  /** Checks the request against its job type, writes the job, then posts it. `created` is false for a repeated post. */
  async post(request: NewJob): Promise<{ job: Job; created: boolean }> {
    const { job, created, followUps } = await this.write(request);
    await this.lifecycle.apply(followUps);
    return { job, created };
  }

  /**
   * Posts several jobs: each is checked and written on its own (one bad job does not sink the
   * rest), and the postings of the new ones go out ten per SQS request.
   */
  async postMany(requests: readonly NewJob[]): Promise<PostResult[]> {
    const outgoing: FollowUp[] = [];
    const results = await Promise.all(
      requests.map(async (request): Promise<PostResult> => {
        try {
          const { job, created, followUps } = await this.write(request);
          outgoing.push(...followUps);
          return { job, created };
        } catch (error) {
          // Each job answers for itself; a storage error here means: not known to be written, post it again.
          if (error instanceof JobboardError) return { error };
          throw error;
        }
      }),
    );
    // The new jobs' postings go out together, ten per request.
    await this.lifecycle.apply(outgoing);
    return results;
  }

  /**
   * Checks the payload against its job type (unknown types are a `ValidationError`), builds the
   * job and writes it; answers what must follow (its posting). A job with parents is written
   * `waiting` (unless all are completed), then linked to them, and parents that ended meanwhile
   * are told to it at once: it answers as that left it.
   */
  private async write(request: NewJob): Promise<Written & { created: boolean }> {
    const type = this.deps.registry.validatePayload(request.type, request.payload);
    const job = newJob(request, { typeVersion: type.version, ...type.defaults }, this.now(), this.newId);
    const parents = job.dependsOn === undefined ? new Map<string, Job>() : await this.deps.store.getMany(job.dependsOn);
    const planned = job.dependsOn === undefined ? job : waitForParents(job, parents);
    const written = await this.deps.store.post(planned);
    if (!written.created || planned.state !== JobState.waiting) return written;
    await this.lifecycle.apply(await this.deps.store.linkChild(written.job, parents));
    return { job: await this.deps.store.get(planned.id), created: true, followUps: [] };
  }

  get(id: string): Promise<Job> {
    return this.deps.store.get(id);
  }

  list(query: JobListQuery): Promise<ListPage> {
    return this.deps.store.list(query);
  }

  count(board?: string): Promise<CountByState> {
    return this.deps.store.count(board);
  }

  /** Every board with its settings and counts. */
  async boards(): Promise<Board[]> {
    const names = await this.deps.store.boards.names();
    return Promise.all(names.map((name) => this.describeBoard(name)));
  }

  /** One board; `BoardNotFoundError` for a name that has had no job and no setting. */
  async board(name: string): Promise<Board> {
    if (!(await this.deps.store.boards.names()).includes(name)) throw new BoardNotFoundError(name);
    return this.describeBoard(name);
  }

  private async describeBoard(name: string): Promise<Board> {
    const [settings, counts] = await Promise.all([this.deps.store.boards.settings(name), this.deps.store.count(name)]);
    return { ...settings, counts };
  }

  /** Changes a board's settings (creating the board if it had none); returns it with its counts. */
  async updateBoard(name: string, patch: BoardPatch): Promise<Board> {
    const settings = await this.deps.store.boards.update(name, patch);
    return { ...settings, counts: await this.deps.store.count(name) };
  }

  /**
   * Trashes a job that is not running, or asks its running attempt to stop (`stopping: true`;
   * the job ends `trashed` once the run has stopped). Final jobs are an `InvalidStateError`.
   */
  cancel(id: string): Promise<StopAnswer> {
    return this.stopOrAct(id, 'cancel', async () => this.lifecycle.settle(await this.deps.store.trash(id)));
  }

  /** Suspends a job that is not running, or asks its running attempt to stop and suspend (`stopping: true`). */
  suspend(id: string): Promise<StopAnswer> {
    return this.stopOrAct(id, 'suspend', () => this.deps.store.suspend(id));
  }

  /** Puts a suspended job back to `posted` and sends its posting. */
  async resume(id: string): Promise<Job> {
    return this.lifecycle.settle(await this.deps.store.resume(id));
  }

  async retry(id: string): Promise<Job> {
    return this.lifecycle.settle(await this.deps.store.retry(id));
  }

  /**
   * Acts on a job directly when nobody runs it, else asks the run to stop. The two can race a
   * lease running out or a run ending, so each refusal is looked at again a few times.
   */
  private async stopOrAct(id: string, stop: StopRequest, act: () => Promise<Job>): Promise<StopAnswer> {
    for (let round = 0; ; round++) {
      try {
        return { job: await act(), stopping: false };
      } catch (error) {
        if (!(error instanceof InvalidStateError) || error.state !== JobState.claimed || round >= 2) throw error;
      }
      try {
        return { job: await this.deps.store.requestStop(id, stop), stopping: true };
      } catch (error) {
        // Refused because the lease ran out meanwhile (act directly now) or the run ended (act reports the new state).
        if (!(error instanceof InvalidStateError) || round >= 2) throw error;
      }
    }
  }

  /** Moves up to `max` postings from the dead-letter queue back to the postings queue. */
  async redriveDeadLetters(max = 1_000): Promise<{ moved: number }> {
    const result = await this.deps.queue.redrive(max);
    this.logger.info('dead_letters_redriven', result);
    return result;
  }
}
