/**
 * The job store: every change to a job's state is one method here, and each method is one
 * conditional write. The condition names the from-state and, after a claim, the owner; a
 * refused write becomes a typed error built from the item as it stood
 * (`ReturnValuesOnConditionCheckFailure: ALL_OLD`), never from a second read.
 *
 * Ownership timeline: a claim sets `owner` to a token unique to that claim and `leaseExpiresAt`.
 * Until the lease (plus clock skew) has passed, no other claim can succeed. After it, a new claim
 * may replace the token; from then on every write conditioned on the old token is refused with
 * `ClaimLostError`. An owner whose lease ran out but whom nobody replaced may still finish: the
 * token, not the clock, decides ownership, so no two owners can ever both write.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { LIMITS, resolveStoreOptions, type StoreOptions } from '../config.js';
import { ClaimLostError, ConflictError, InvalidStateError, NotFoundError, ValidationError } from '../errors.js';
import type { Job, JobErrorRecord } from '../model.js';
import { appendError, doneIndexKeys, fromItem, jsonBytes, newJobItem } from '../model.js';
import { newJob, parsePostRequest, type JobTypeDefaults } from '../post-request.js';
import { JobState, isFinal, type FinalState } from '../states.js';
import { TABLE, jobKey, openShardKey, shardOf } from '../table.js';
import { claimRefusal } from './claim-refusal.js';
import { isConditionFailure, itemFromConditionFailure, toStorageError } from './dynamo-errors.js';
import { JobQueries, type CountByState, type ListQuery, type ListPage } from './job-queries.js';

export interface JobStoreDependencies {
  /** Epoch ms. */
  now?: () => number;
  /** Makes ids for jobs posted without one. */
  newId?: () => string;
}

/** An error as recorded on a job. */
export interface ErrorInput {
  name: string;
  message: string;
}

/** What a write is, before it is sent: SET clauses, REMOVEs, condition and its values. */
interface WriteSpec {
  operation: string;
  set: Record<string, unknown>;
  /** Extra SET clauses written verbatim (for arithmetic). */
  setExpressions?: string[];
  remove?: string[];
  condition: string;
  values?: Record<string, unknown>;
  /** Builds the error for a refused condition from the item as it stood. */
  refused: (current: Job | undefined) => Error;
}

export class JobStore {
  readonly options: StoreOptions;
  private readonly now: () => number;
  private readonly newId: () => string;
  private readonly queries: JobQueries;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    options: Partial<StoreOptions> & { tableName: string },
    dependencies: JobStoreDependencies = {},
  ) {
    this.options = resolveStoreOptions(options);
    this.now = dependencies.now ?? Date.now;
    this.newId = dependencies.newId ?? randomUUID;
    this.queries = new JobQueries(client, this.options);
  }

  /**
   * Creates a job (`posted`). A repeated `id` with the same request returns the existing job
   * (`created: false`); with another request it is a `ConflictError`. Invalid input throws
   * `ValidationError` and writes nothing.
   */
  async post(body: unknown, typeDefaults: JobTypeDefaults = { typeVersion: 1 }): Promise<{ job: Job; created: boolean }> {
    const request = parsePostRequest(body);
    const job = newJob(request, typeDefaults, this.now(), this.newId);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: newJobItem(job),
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { job, created: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw toStorageError(error, 'post', job.id);
      const existing = fromItem(itemFromConditionFailure(error) ?? {});
      if (existing.requestHash === job.requestHash) return { job: existing, created: false };
      throw new ConflictError(`job ${job.id} already exists with a different request`, { jobId: job.id, state: existing.state });
    }
  }

  /** The job, read consistently; `NotFoundError` if there is none. */
  async get(id: string): Promise<Job> {
    try {
      const { Item } = await this.client.send(
        new GetCommand({ TableName: this.options.tableName, Key: { [TABLE.partitionKey]: jobKey(id) }, ConsistentRead: true }),
      );
      if (Item === undefined) throw new NotFoundError(id);
      return fromItem(Item);
    } catch (error) {
      if (error instanceof NotFoundError) throw error;
      throw toStorageError(error, 'get', id);
    }
  }

  /** The owner token of a live claim, or null when nobody holds the job. */
  async findOwner(id: string): Promise<string | null> {
    const job = await this.get(id);
    return job.state === JobState.claimed && (job.leaseExpiresAt ?? 0) >= this.now() ? (job.owner ?? null) : null;
  }

  /**
   * Makes `owner` the job's owner until `now + leaseMs` and counts an attempt. Allowed from
   * `posted` when due, or from `claimed` once the lease (plus clock skew) has passed; in both
   * cases only while attempts remain. Refusal: `ClaimRefusedError` with the reason.
   */
  async claim(id: string, claim: { owner: string; leaseMs: number }): Promise<Job> {
    const now = this.now();
    return this.write(id, {
      operation: 'claim',
      set: { state: JobState.claimed, owner: claim.owner, leaseExpiresAt: now + claim.leaseMs, startedAt: now, updatedAt: now },
      setExpressions: ['#attempts = #attempts + :one'],
      condition:
        'attribute_exists(#pk) AND #attempts < #maxAttempts AND (' +
        '(#state = :posted AND (attribute_not_exists(#waitUntil) OR #waitUntil <= :now)' +
        ' AND (attribute_not_exists(#dispatchBy) OR #dispatchBy > :now OR #attempts > :zero))' +
        ' OR (#state = :claimed AND #leaseExpiresAt < :expiredBefore))',
      values: {
        ':posted': JobState.posted,
        ':claimed': JobState.claimed,
        ':now': now,
        ':zero': 0,
        ':expiredBefore': now - this.options.clockSkewMs,
      },
      refused: (current) => claimRefusal(id, current, now, this.options.clockSkewMs),
    });
  }

  /** Extends the owner's lease to `now + leaseMs`. */
  async heartbeat(job: Job, leaseMs: number): Promise<Job> {
    const now = this.now();
    return this.write(job.id, { ...this.ownedBy(job, 'heartbeat'), set: { leaseExpiresAt: now + leaseMs, updatedAt: now } });
  }

  /** The owner records success: `completed`, final. */
  async consume(job: Job, result: unknown): Promise<Job> {
    const bytes = jsonBytes(result);
    if (bytes > LIMITS.resultBytes) {
      throw new ValidationError(`result is ${bytes} bytes, more than ${LIMITS.resultBytes}`, [{ path: 'result', message: 'too large' }], { jobId: job.id });
    }
    return this.finish(job, JobState.completed, { result: result ?? null }, 'consume');
  }

  /** The owner gives the job back after a retryable failure; it is claimable again at `retryAt`. */
  async abandon(job: Job, error: ErrorInput, retryAt: number): Promise<Job> {
    const now = this.now();
    return this.write(job.id, {
      ...this.ownedBy(job, 'abandon'),
      set: { state: JobState.posted, errors: this.withError(job, error, now), waitUntil: retryAt, postedAt: retryAt, updatedAt: now },
      remove: ['owner', 'leaseExpiresAt'],
    });
  }

  /** The owner hands the job back without spending the attempt (it could not run it here). */
  async release(job: Job): Promise<Job> {
    const now = this.now();
    return this.write(job.id, {
      ...this.ownedBy(job, 'release'),
      set: { state: JobState.posted, postedAt: now, updatedAt: now },
      setExpressions: ['#attempts = #attempts - :one'],
      remove: ['owner', 'leaseExpiresAt'],
    });
  }

  /**
   * The owner records a permanent failure, or the last attempt's: `failed`, final. The job keeps
   * `deadLetterReason` until `deadLettered` records that its posting's copy is in the DLQ.
   */
  async fail(job: Job, error: ErrorInput, deadLetterReason: string): Promise<Job> {
    return this.finish(job, JobState.failed, { errors: this.withError(job, error, this.now()), deadLetterReason }, 'fail');
  }

  /**
   * Fails a job nobody owns: its attempts are used up (the last owner's lease ran out), or its
   * `dispatchBy` passed before it started. `seen` is the job as a refused claim returned it.
   * With `deadLetterReason`, the job is marked as owing a dead-letter copy (see `deadLettered`).
   */
  async failUnclaimed(seen: Job, reason: 'exhausted' | 'expired', deadLetterReason?: string): Promise<Job> {
    const now = this.now();
    const error: ErrorInput =
      reason === 'exhausted'
        ? { name: 'AttemptsExhaustedError', message: `attempt ${seen.attempts} of ${seen.maxAttempts} stopped without an outcome (lease expired)` }
        : { name: 'DispatchExpiredError', message: `not started by ${new Date(seen.dispatchBy ?? now).toISOString()}` };
    const condition =
      reason === 'exhausted'
        ? '#attempts >= #maxAttempts AND (#state = :posted OR (#state = :claimed AND #leaseExpiresAt < :expiredBefore))'
        : '#state = :posted AND #attempts = :zero AND #dispatchBy <= :now';
    return this.write(seen.id, {
      operation: `failUnclaimed(${reason})`,
      set: {
        state: JobState.failed,
        errors: this.withError(seen, error, now),
        endedAt: now,
        updatedAt: now,
        ...(deadLetterReason === undefined ? {} : { deadLetterReason }),
        ...this.finalAttributes(seen.id, JobState.failed, now),
      },
      remove: ['leaseExpiresAt', TABLE.openIndex.partitionKey],
      condition,
      values: { ':posted': JobState.posted, ':claimed': JobState.claimed, ':expiredBefore': now - this.options.clockSkewMs, ':zero': 0, ':now': now },
      refused: (current) => this.stateRefusal(seen.id, current, `fail (${reason})`),
    });
  }

  /**
   * Records that a failed job's posting is in the dead-letter queue: removes `deadLetterReason`.
   * Conditioned on the failure `job` describes (its `endedAt`), so it never clears the reason of a
   * later failure after a retry. Done already (a duplicate posting got there first) is not an error.
   */
  async deadLettered(job: Job): Promise<void> {
    try {
      await this.write(job.id, {
        operation: 'deadLettered',
        set: {},
        remove: ['deadLetterReason'],
        condition: '#state = :failed AND attribute_exists(#deadLetterReason) AND #endedAt = :endedAt',
        values: { ':failed': JobState.failed, ':endedAt': job.endedAt ?? null },
        refused: (current) => this.stateRefusal(job.id, current, 'record the dead-letter copy of'),
      });
    } catch (error) {
      if (error instanceof InvalidStateError || error instanceof NotFoundError) return;
      throw error;
    }
  }

  /** An operator removes a job that has not finished: `posted`, or `claimed` with an expired lease. */
  async trash(id: string): Promise<Job> {
    const now = this.now();
    return this.write(id, {
      operation: 'trash',
      set: { state: JobState.trashed, endedAt: now, updatedAt: now, ...this.finalAttributes(id, JobState.trashed, now) },
      remove: ['leaseExpiresAt', TABLE.openIndex.partitionKey],
      condition: '#state = :posted OR (#state = :claimed AND #leaseExpiresAt < :expiredBefore)',
      values: { ':posted': JobState.posted, ':claimed': JobState.claimed, ':expiredBefore': now - this.options.clockSkewMs },
      refused: (current) => this.stateRefusal(id, current, 'trash'),
    });
  }

  /**
   * An operator puts a `failed` or `trashed` job back to `posted` with a fresh attempt budget.
   * Restoring `openShard` puts it back in the open index; `openSortKey` never left the item.
   */
  async retry(id: string): Promise<Job> {
    const now = this.now();
    return this.write(id, {
      operation: 'retry',
      set: { state: JobState.posted, attempts: 0, postedAt: now, updatedAt: now, [TABLE.openIndex.partitionKey]: openShardKey(shardOf(id)) },
      remove: ['owner', 'leaseExpiresAt', 'endedAt', 'expiresAt', 'result', 'waitUntil', 'dispatchBy', 'deadLetterReason', TABLE.doneIndex.partitionKey],
      condition: '#state IN (:failed, :trashed)',
      values: { ':failed': JobState.failed, ':trashed': JobState.trashed },
      refused: (current) => this.stateRefusal(id, current, 'retry'),
    });
  }

  /**
   * Records that a new posting was sent (sweeper, start-up repair), unless someone else already
   * did: conditioned on `postedAt` as `seen` had it, so two sweepers never both re-post.
   * Returns false when the condition failed.
   */
  async markPosted(seen: Job, postedAt: number): Promise<boolean> {
    try {
      await this.write(seen.id, {
        operation: 'markPosted',
        set: { postedAt, updatedAt: this.now() },
        condition: seen.postedAt === undefined ? '#state IN (:posted, :claimed) AND attribute_not_exists(#postedAt)' : '#state IN (:posted, :claimed) AND #postedAt = :seenPostedAt',
        values: { ':posted': JobState.posted, ':claimed': JobState.claimed, ...(seen.postedAt === undefined ? {} : { ':seenPostedAt': seen.postedAt }) },
        refused: () => new InvalidStateError(`job ${seen.id} was re-posted by someone else`, { jobId: seen.id }),
      });
      return true;
    } catch (error) {
      if (error instanceof InvalidStateError) return false;
      throw error;
    }
  }

  /** Jobs oldest first, filtered by state and type, one page at a time. */
  list(query: ListQuery = {}): Promise<ListPage> {
    return this.queries.list(query);
  }

  /** How many jobs are in each state. */
  count(): Promise<CountByState> {
    return this.queries.count();
  }

  /** Open (posted or claimed) jobs created before `createdBefore`, oldest first, in pages. */
  openJobs(createdBefore: number): AsyncGenerator<Job[]> {
    return this.queries.openJobs(createdBefore);
  }

  private finish(job: Job, state: FinalState, extra: Record<string, unknown>, operation: string): Promise<Job> {
    const now = this.now();
    return this.write(job.id, {
      ...this.ownedBy(job, operation),
      set: { state, endedAt: now, updatedAt: now, ...extra, ...this.finalAttributes(job.id, state, now) },
      remove: ['leaseExpiresAt', TABLE.openIndex.partitionKey],
    });
  }

  /** Condition and refusal shared by every write of the job's current owner. */
  private ownedBy(job: Job, operation: string): Pick<WriteSpec, 'operation' | 'condition' | 'values' | 'refused' | 'set'> {
    return {
      operation,
      set: {},
      condition: '#state = :claimed AND #owner = :owner',
      values: { ':claimed': JobState.claimed, ':owner': job.owner },
      refused: (current) =>
        current === undefined
          ? new NotFoundError(job.id)
          : new ClaimLostError(`${operation} refused: job ${job.id} is ${current.state}${current.owner === job.owner ? '' : `, owned by ${current.owner ?? 'nobody'}`}`, {
              jobId: job.id,
              state: current.state,
              owner: current.owner,
            }),
    };
  }

  private finalAttributes(id: string, state: FinalState, now: number): Record<string, unknown> {
    return { ...doneIndexKeys(id, state, now), expiresAt: Math.ceil(now / 1_000 + this.options.retentionDays * 86_400) };
  }

  private withError(job: Job, error: ErrorInput, now: number): JobErrorRecord[] {
    const record = { attempt: job.attempts, at: now, name: error.name, message: error.message.slice(0, 2_000) };
    return appendError(job.errors ?? [], record, LIMITS.errorHistory);
  }

  private stateRefusal(id: string, current: Job | undefined, action: string): Error {
    if (current === undefined) return new NotFoundError(id);
    const why = isFinal(current.state) ? `it is already ${current.state}` : current.state === JobState.claimed ? 'it is claimed under a live lease' : `it is ${current.state}`;
    return new InvalidStateError(`cannot ${action} job ${id}: ${why}`, { jobId: id, state: current.state, owner: current.owner });
  }

  /** Sends one conditional UpdateItem built from `spec`, returning the new job. */
  private async write(id: string, spec: WriteSpec): Promise<Job> {
    const names: Record<string, string> = { '#pk': TABLE.partitionKey, '#version': 'version' };
    const values: Record<string, unknown> = { ':one': 1, ...spec.values };
    const setClauses = ['#version = #version + :one', ...(spec.setExpressions ?? [])];
    for (const [attribute, value] of Object.entries(spec.set)) {
      names[`#${attribute}`] = attribute;
      values[`:set_${attribute}`] = value;
      setClauses.push(`#${attribute} = :set_${attribute}`);
    }
    const removeClauses = (spec.remove ?? []).map((attribute) => {
      names[`#${attribute}`] = attribute;
      return `#${attribute}`;
    });
    const expression = `SET ${setClauses.join(', ')}${removeClauses.length > 0 ? ` REMOVE ${removeClauses.join(', ')}` : ''}`;
    const condition = `attribute_exists(#pk) AND (${spec.condition})`;
    const text = `${expression} ${condition}`;
    for (const match of text.matchAll(/#(\w+)/g)) names[`#${match[1]}`] ??= match[1] as string;
    // DynamoDB rejects values the expressions do not use; shared value sets may hold extras.
    const used = new Set(text.match(/:\w+/g));
    for (const key of Object.keys(values)) if (!used.has(key)) delete values[key];
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: { [TABLE.partitionKey]: jobKey(id) },
          UpdateExpression: expression,
          // attribute_exists guards every write: an update must never create a half item.
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return fromItem(Attributes ?? {});
    } catch (error) {
      if (isConditionFailure(error)) {
        const item = itemFromConditionFailure(error);
        throw spec.refused(item === undefined ? undefined : fromItem(item));
      }
      throw toStorageError(error, spec.operation, id);
    }
  }
}

