/**
 * The pure decisions of bulk operations: passes, slice queries, the filter and snapshot rule,
 * refusal counting, the verdict on a crashed slice's jobs, request parsing (400s naming the
 * field) and the view.
 */
import { describe, expect, it } from 'vitest';
import { safeParse } from 'zod/mini';
import { InvalidStateError, NotFoundError, StorageError, ValidationError } from '../../lib/errors.js';
import { parseOperationRequest } from '../../lib/maintenance/operation-request.js';
import { operationViewSchema, toOperationView } from '../../lib/http/operation-view.js';
import { judgePending, matchesOperation, passesOf, sliceQuery, transitionFailure } from '../../lib/maintenance/bulk-operation.js';
import { operationId, operationIdTime, type Operation } from '../../lib/maintenance/operation.js';
import type { Job } from '../../lib/model.js';

const T = Date.UTC(2026, 0, 1, 12);
const operation = (over: Partial<Operation> = {}): Operation => ({
  id: operationId(T, 'abcdef01'),
  action: 'retry',
  filter: {},
  state: 'running',
  matched: 0,
  done: 0,
  skipped: 0,
  failed: 0,
  createdAt: T,
  updatedAt: T,
  position: { pass: 0, cursor: null },
  ...over,
});
const job = (over: Partial<Job> = {}): Job => ({
  id: 'j1',
  type: 'demo.fail',
  typeVersion: 1,
  payload: {},
  state: 'failed',
  attempts: 1,
  maxAttempts: 1,
  errors: [],
  createdAt: T - 60_000,
  updatedAt: T - 30_000,
  endedAt: T - 30_000,
  timeoutSeconds: 60,
  version: 3,
  requestHash: 'h',
  ...over,
});

describe('passes', () => {
  it('walk the states the action moves jobs out of, or only the filter’s', () => {
    expect(passesOf('retry', {})).toEqual(['failed', 'trashed']);
    expect(passesOf('trash', {})).toEqual(['posted', 'waiting', 'suspended', 'claimed']);
    expect(passesOf('suspend', {})).toEqual(['posted', 'waiting', 'claimed']);
    expect(passesOf('resume', {})).toEqual(['suspended']);
    expect(passesOf('retry', { state: 'trashed' })).toEqual(['trashed']);
    expect(passesOf('retry', { state: 'completed' })).toEqual([]);
  });
});

describe('slice queries', () => {
  it('bound finished jobs by end time at the operation’s creation, and open ones by creation time', () => {
    const op = operation({ action: 'trash', filter: { board: 'b', type: 't', createdAfter: T - 10_000, createdBefore: T - 5_000 } });
    expect(sliceQuery(op, { pass: 0, cursor: 'c' }, 100)).toEqual({ state: 'posted', board: 'b', type: 't', from: T - 10_000, to: T - 5_001, order: 'asc', limit: 100, cursor: 'c' });
    const retry = operation({ filter: { createdBefore: T - 5_000 } });
    // createdBefore cannot bound an end time: it is checked on the items.
    expect(sliceQuery(retry, { pass: 1, cursor: null }, 50)).toEqual({ state: 'trashed', to: T, order: 'asc', limit: 50 });
  });

  it('is undefined past the last pass, and for a time range that cannot match', () => {
    expect(sliceQuery(operation(), { pass: 2, cursor: null }, 100)).toBeUndefined();
    expect(sliceQuery(operation({ filter: { createdAfter: T + 1 } }), { pass: 0, cursor: null }, 100)).toBeUndefined();
  });
});

describe('the filter and the snapshot rule', () => {
  const op = operation({ filter: { board: 'b', type: 'demo.fail', createdAfter: T - 120_000, createdBefore: T - 1_000 } });
  it('matches a job of the pass’s state, board, type and creation window that ended before the operation', () => {
    expect(matchesOperation(op, 'failed', job({ board: 'b' }))).toBe(true);
  });
  it.each<[string, Partial<Job>]>([
    ['another state', { board: 'b', state: 'posted' }],
    ['another board', { board: 'c' }],
    ['the default board', {}],
    ['another type', { board: 'b', type: 'demo.echo' }],
    ['created before createdAfter', { board: 'b', createdAt: T - 120_001 }],
    ['created at createdBefore', { board: 'b', createdAt: T - 1_000 }],
    ['ended after the operation began (retried by it, then failed again)', { board: 'b', endedAt: T + 1 }],
  ])('refuses %s', (_name, over) => {
    expect(matchesOperation(op, 'failed', job(over))).toBe(false);
  });
  it('takes open jobs created up to the operation’s creation, not after', () => {
    const trash = operation({ action: 'trash' });
    expect(matchesOperation(trash, 'posted', job({ state: 'posted', createdAt: T, endedAt: undefined }))).toBe(true);
    expect(matchesOperation(trash, 'posted', job({ state: 'posted', createdAt: T + 1, endedAt: undefined }))).toBe(false);
  });
});

describe('refused and failed transitions', () => {
  it('count a changed or vanished job as skipped, retry storage trouble later, and anything else as failed', () => {
    expect(transitionFailure(new InvalidStateError('cannot retry: it is posted'))).toBe('skipped');
    expect(transitionFailure(new NotFoundError('j'))).toBe('skipped');
    expect(transitionFailure(new StorageError('throttled'))).toBe('retryLater');
    expect(transitionFailure(new StorageError('denied', { retryable: false }))).toBe('failed');
    expect(transitionFailure(new ValidationError('result too large'))).toBe('failed');
  });
});

describe('the verdict on a job of a slice whose run died before committing it', () => {
  it('acts on a job as the slice saw it, counts a moved one done and a touched but unmoved one skipped, never acting twice', () => {
    expect(judgePending(3, job({ version: 3 }), true)).toBe('act');
    expect(judgePending(3, job({ version: 6, state: 'failed', endedAt: T + 5 }), false)).toBe('done');
    expect(judgePending(3, job({ version: 4, state: 'posted' }), false)).toBe('done');
    expect(judgePending(3, job({ version: 4 }), true)).toBe('skipped');
    expect(judgePending(3, undefined, false)).toBe('skipped');
  });
});

describe('POST /operations bodies', () => {
  it('parse into an action and a filter in epoch ms', () => {
    expect(parseOperationRequest({ action: 'retry', filter: { board: 'b', state: 'failed', createdAfter: '2026-01-01T10:00:00+02:00' } })).toEqual({
      action: 'retry',
      filter: { board: 'b', state: 'failed', createdAfter: Date.UTC(2026, 0, 1, 8) },
    });
  });

  it.each<[string, unknown, string]>([
    ['an unknown action', { action: 'delete', filter: {} }, 'action'],
    ['no filter', { action: 'retry' }, 'filter'],
    ['an unknown state', { action: 'retry', filter: { state: 'broken' } }, 'filter.state'],
    ['a state the action does not apply to', { action: 'retry', filter: { state: 'completed' } }, 'filter.state'],
    ['a time without an offset', { action: 'trash', filter: { createdAfter: '2026-01-01T10:00:00' } }, 'filter.createdAfter'],
    ['createdBefore not after createdAfter', { action: 'trash', filter: { createdAfter: '2026-01-01T10:00:00Z', createdBefore: '2026-01-01T10:00:00Z' } }, 'filter.createdBefore'],
    ['a bad board name', { action: 'resume', filter: { board: 'a/b' } }, 'filter.board'],
    ['an unknown filter field', { action: 'resume', filter: { priority: 'high' } }, 'filter'],
    ['an unknown body field', { action: 'resume', filter: {}, dryRun: true }, '(body)'],
  ])('refuse %s, naming %s', (_name, body, field) => {
    const error = (() => {
      try {
        parseOperationRequest(body);
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).details.map((d) => d.path)).toContain(field);
  });
});

describe('operation ids and the view', () => {
  it('ids sort by creation time and carry it', () => {
    expect(operationId(T, '00000000') < operationId(T + 1, '00000000')).toBe(true);
    expect(operationIdTime(operationId(T, 'ffffffff'))).toBe(T);
  });

  it('the view has ISO times, the filter as posted and a null error and end while running', () => {
    const view = toOperationView(operation({ filter: { state: 'failed', createdAfter: T - 1_000 }, matched: 3, done: 2, skipped: 1 }));
    expect(safeParse(operationViewSchema, view).success).toBe(true);
    expect(view).toMatchObject({ action: 'retry', state: 'running', filter: { state: 'failed', createdAfter: new Date(T - 1_000).toISOString() }, matched: 3, done: 2, skipped: 1, failed: 0, error: null, endedAt: null });
    expect(view.filter).not.toHaveProperty('board');
  });
});
