/**
 * Bulk operations in the jobs table (no index attributes, so no index writes):
 * - `operation#<id>`: one operation: request, counts, position, the slice in flight, the lease;
 * - `operation#*running`: the ids of running operations (a string set), which the runner reads;
 * - `operation#*day#<YYYY-MM-DD>`: the ids created that UTC day, which the listing reads for the
 *   retention window (ended operations expire by TTL like finished jobs; a running one never
 *   does, and is listed from the running set however old it is).
 *
 * Who writes an operation item when (every update also bumps `version`):
 * - the API, once: the put, conditioned on no item. The id is first added to the day's and the
 *   running set (so no listing or runner misses it); a crash in between leaves an id without an
 *   item, which listings skip and the runner forgets.
 * - a runner acquiring it: while `running`, and only if no runner holds it or its lease has run
 *   out (plus clock skew): sets its token (unique per acquisition) and `leaseExpiresAt`.
 * - the holder only (`runner = <its token>`, still `running`): renews its lease, records the slice
 *   in flight, commits it (position, counts added, slice forgotten), ends the operation, gives the
 *   lease back.
 *   A holder whose lease ran out may still write until another runner takes over: the token, not
 *   the clock, decides (as for a job's claim). The runner renews its lease once half of it is gone
 *   and starts no transition within a margin of its end, so two runners never act on the jobs of
 *   one operation at once (clocks agreeing within the skew).
 */
import { STORE_DEFAULTS } from '../config.js';
import { ConflictError } from '../errors.js';
import type { JobState } from '../states.js';
import { operationIdTime, type Operation, type OperationCounts, type OperationPage, type OperationPosition, type OperationState, type OperationStore, type PendingSlice } from './operation.js';
import type { ItemTable } from '../store/item-table.js';
import { registryNames, registryUpdate } from '../store/registries.js';
import type { UpdateSpec } from '../store/write-spec.js';
import { itemKey } from '../table.js';
import { OperationLeaseError, OperationNotFoundError } from './errors.js';

export interface TableOperationStoreOptions {
  /** How long an ended operation is kept (TTL), and how far back listings look. */
  retentionDays?: number;
  /** A lease counts as run out only this long after its end. */
  clockSkewMs?: number;
}

export const RUNNING_OPERATIONS_KEY = itemKey('operation', '*running');
const DAY_MS = 86_400_000;
const dayKey = (ms: number): string => itemKey('operation', `*day#${new Date(ms).toISOString().slice(0, 10)}`);

/** Reads of several operations at once, at most this many in flight. */
const READ_CONCURRENCY = 25;

export class TableOperationStore implements OperationStore {
  private readonly retentionDays: number;
  private readonly clockSkewMs: number;

  constructor(
    private readonly table: ItemTable,
    options: TableOperationStoreOptions = {},
  ) {
    this.retentionDays = options.retentionDays ?? STORE_DEFAULTS.retentionDays;
    this.clockSkewMs = options.clockSkewMs ?? STORE_DEFAULTS.clockSkewMs;
  }

  async create(operation: Operation): Promise<Operation> {
    await this.table.write(registryUpdate(dayKey(operation.createdAt), 'add', operation.id, 'listOperation'));
    await this.table.write(registryUpdate(RUNNING_OPERATIONS_KEY, 'add', operation.id, 'registerOperation'));
    const key = itemKey('operation', operation.id);
    await this.table.write({ kind: 'put', operation: 'createOperation', key, item: { ...itemOf(operation), version: 1 }, condition: 'attribute_not_exists(#pk)', refused: () => new ConflictError(`operation ${operation.id} exists already`) });
    return operation;
  }

  async get(id: string): Promise<Operation> {
    const item = await this.read(itemKey('operation', id));
    // The running set and the day lists share the prefix: they are no operation.
    if (item === undefined || item.id !== id) throw new OperationNotFoundError(id);
    return operationFromItem(item);
  }

  async list(limit: number, cursor: string | undefined, now: number): Promise<OperationPage> {
    // The days of the retention window and two more (an operation expires `retentionDays` after it
    // ends, not after it began), newest first, none after the cursor's; and the running set.
    const newest = Math.min(now, cursor === undefined ? now : (operationIdTime(cursor) ?? now));
    const days: string[] = [];
    for (let day = newest; day >= now - (this.retentionDays + 2) * DAY_MS; day -= DAY_MS) days.push(dayKey(day));
    const registries = await Promise.all([RUNNING_OPERATIONS_KEY, ...days].map((key) => this.read(key)));
    const ids = [...new Set(registries.flatMap(registryNames))].filter((id) => cursor === undefined || id < cursor).sort((a, b) => (a < b ? 1 : -1));
    const page = ids.slice(0, limit);
    const operations: Operation[] = [];
    for (let start = 0; start < page.length; start += READ_CONCURRENCY) {
      const items = await Promise.all(page.slice(start, start + READ_CONCURRENCY).map((id) => this.read(itemKey('operation', id))));
      // An id whose item is gone (expired, or its creation died half-way) is left out.
      for (const item of items) if (item !== undefined) operations.push(operationFromItem(item));
    }
    return { operations, nextCursor: ids.length > limit ? (page[page.length - 1] as string) : null };
  }

  async running(): Promise<string[]> {
    return registryNames(await this.read(RUNNING_OPERATIONS_KEY));
  }

  async acquire(id: string, runner: string, leaseExpiresAt: number, now: number): Promise<Operation> {
    return operationFromItem(
      await this.table.write(
        this.update(id, 'acquireOperation', 'held', {
          set: { runner, leaseExpiresAt },
          condition: '#state = :running AND (attribute_not_exists(#runner) OR #leaseExpiresAt < :expiredBefore)',
          values: { ':running': 'running', ':expiredBefore': now - this.clockSkewMs },
        }),
      ),
    );
  }

  async renew(id: string, runner: string, leaseExpiresAt: number): Promise<void> {
    await this.table.write(this.held(id, runner, 'renewOperationLease', { set: { leaseExpiresAt } }));
  }

  async begin(id: string, runner: string, pending: PendingSlice, leaseExpiresAt: number): Promise<void> {
    await this.table.write(this.held(id, runner, 'beginSlice', { set: { pending: pendingItem(pending), leaseExpiresAt } }));
  }

  async commit(id: string, runner: string, position: OperationPosition, delta: OperationCounts, leaseExpiresAt: number, now: number): Promise<Operation> {
    const spec = this.held(id, runner, 'commitSlice', { set: { position, leaseExpiresAt, updatedAt: now }, add: { ...delta }, remove: ['pending'] });
    return operationFromItem(await this.table.write(spec));
  }

  async finish(id: string, runner: string, end: { state: Exclude<OperationState, 'running'>; error?: string }, now: number): Promise<Operation> {
    const expiresAt = Math.ceil((now + this.retentionDays * DAY_MS) / 1_000);
    const set = { state: end.state, endedAt: now, updatedAt: now, expiresAt, ...(end.error === undefined ? {} : { error: end.error }) };
    const ended = operationFromItem(await this.table.write(this.held(id, runner, 'finishOperation', { set, remove: ['runner', 'leaseExpiresAt', 'pending'] })));
    // If this fails (or the process dies first), the runner finds it ended and forgets it then.
    await this.forget(id).catch(() => undefined);
    return ended;
  }

  async release(id: string, runner: string): Promise<void> {
    await this.table.write(this.held(id, runner, 'releaseOperation', { set: {}, remove: ['runner', 'leaseExpiresAt'] })).catch((error: unknown) => {
      if (!(error instanceof OperationLeaseError)) throw error;
    });
  }

  async forget(id: string): Promise<void> {
    await this.table.write(registryUpdate(RUNNING_OPERATIONS_KEY, 'delete', id, 'forgetOperation'));
  }

  /** Operations and their registries are read consistently: a runner decides on what it reads. */
  private read(key: string): Promise<Record<string, unknown> | undefined> {
    return this.table.read(key, { consistent: true });
  }

  /** A write of the lease holder: only while it holds the token and the operation runs. */
  private held(id: string, runner: string, operation: string, parts: Pick<UpdateSpec, 'set' | 'add' | 'remove'>): UpdateSpec {
    return this.update(id, operation, 'lost', { ...parts, condition: '#state = :running AND #runner = :runner', values: { ':running': 'running', ':runner': runner } });
  }

  private update(id: string, operation: string, refusal: 'held' | 'lost', parts: Pick<UpdateSpec, 'set' | 'add' | 'remove' | 'condition' | 'values'>): UpdateSpec {
    return {
      kind: 'update',
      operation,
      key: itemKey('operation', id),
      ...parts,
      refused: (item) => new OperationLeaseError(id, item === undefined ? 'missing' : item.state !== 'running' ? 'ended' : refusal),
    };
  }
}

/** The item a new operation is written as (its key is added by the writer). */
function itemOf(operation: Operation): Record<string, unknown> {
  const { pending, ...rest } = operation;
  const item: Record<string, unknown> = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
  return pending === undefined ? item : { ...item, pending: pendingItem(pending) };
}

/** The slice in flight, compactly: each job as `<version>:<id>` (ids may hold `:`, versions never). */
function pendingItem(pending: PendingSlice): Record<string, unknown> {
  return { jobs: pending.jobs.map((job) => `${job.version}:${job.id}`), next: pending.next };
}

const positionOf = (value: unknown): OperationPosition => {
  const { pass, cursor } = value as { pass: unknown; cursor: unknown };
  return { pass: Number(pass), cursor: typeof cursor === 'string' ? cursor : null };
};

export function operationFromItem(item: Record<string, unknown>): Operation {
  const optional = <K extends string>(key: K) => (item[key] === undefined || item[key] === null ? {} : { [key]: item[key] });
  const filter = (item.filter ?? {}) as Record<string, unknown>;
  const pending = item.pending as { jobs: string[]; next: unknown } | undefined;
  return {
    id: String(item.id),
    action: item.action as Operation['action'],
    filter: {
      ...(typeof filter.board === 'string' ? { board: filter.board } : {}),
      ...(typeof filter.state === 'string' ? { state: filter.state as JobState } : {}),
      ...(typeof filter.type === 'string' ? { type: filter.type } : {}),
      ...(typeof filter.createdAfter === 'number' ? { createdAfter: filter.createdAfter } : {}),
      ...(typeof filter.createdBefore === 'number' ? { createdBefore: filter.createdBefore } : {}),
    },
    state: item.state as OperationState,
    ...optional('error'),
    matched: Number(item.matched),
    done: Number(item.done),
    skipped: Number(item.skipped),
    failed: Number(item.failed),
    createdAt: Number(item.createdAt),
    updatedAt: Number(item.updatedAt),
    ...optional('endedAt'),
    position: positionOf(item.position),
    ...(pending === undefined
      ? {}
      : {
          pending: {
            jobs: pending.jobs.map((entry) => ({ version: Number(entry.slice(0, entry.indexOf(':'))), id: entry.slice(entry.indexOf(':') + 1) })),
            next: positionOf(pending.next),
          },
        }),
    ...optional('runner'),
    ...optional('leaseExpiresAt'),
  } as Operation;
}
