/** The pure mapping of stream records to job state change events and counter deltas. */
import { describe, expect, it } from 'vitest';
import { compareSequences, countDeltasOf, stateChangeOf, sumDeltas, type ChangeRecord } from '../../lib/events/state-change.js';

const job = (fields: Record<string, unknown>) => ({ pk: 'job#j1', id: 'j1', type: 'demo.echo', state: 'posted', attempts: 0, version: 1, updatedAt: 1_700_000_000_000, ...fields });
const record = (kind: ChangeRecord['kind'], oldImage?: Record<string, unknown>, newImage?: Record<string, unknown>): ChangeRecord => ({
  sequence: '100',
  kind,
  ...(oldImage === undefined ? {} : { oldImage }),
  ...(newImage === undefined ? {} : { newImage }),
});

describe('stateChangeOf', () => {
  it('a new job is an event from no state, on the default board when it names none', () => {
    expect(stateChangeOf(record('INSERT', undefined, job({})))).toEqual({
      id: 'j1', board: 'default', type: 'demo.echo', state: 'posted', previousState: null, attempt: 0, version: 1, at: '2023-11-14T22:13:20.000Z',
    });
  });

  it('a claim is an event with the state before and the attempt it starts', () => {
    const change = stateChangeOf(record('MODIFY', job({ board: 'mail' }), job({ board: 'mail', state: 'claimed', attempts: 1, version: 2 })));
    expect(change).toMatchObject({ board: 'mail', state: 'claimed', previousState: 'posted', attempt: 1, version: 2 });
  });

  it('a lease renewal or a progress write changes no state: no event', () => {
    const claimed = job({ state: 'claimed', attempts: 1, version: 2 });
    expect(stateChangeOf(record('MODIFY', claimed, { ...claimed, version: 3, leaseExpiresAt: 5, progress: 50 }))).toBeUndefined();
  });

  it('a takeover after a lost lease keeps `claimed` but starts an attempt: an event', () => {
    const claimed = job({ state: 'claimed', attempts: 1, version: 2 });
    expect(stateChangeOf(record('MODIFY', claimed, { ...claimed, attempts: 2, version: 3 }))).toMatchObject({ state: 'claimed', previousState: 'claimed', attempt: 2 });
  });

  it('a removal (TTL) and items of other kinds are no events', () => {
    expect(stateChangeOf(record('REMOVE', job({ state: 'completed' })))).toBeUndefined();
    expect(stateChangeOf(record('INSERT', undefined, { pk: 'counter#default#03', posted: 1 }))).toBeUndefined();
    expect(stateChangeOf(record('MODIFY', { pk: 'board#mail', paused: false }, { pk: 'board#mail', paused: true }))).toBeUndefined();
  });
});

describe('countDeltasOf', () => {
  it('a post adds one, a transition moves one, a removal takes one away', () => {
    expect(countDeltasOf(record('INSERT', undefined, job({})))).toEqual([{ board: 'default', state: 'posted', delta: 1 }]);
    expect(countDeltasOf(record('MODIFY', job({}), job({ state: 'claimed' })))).toEqual([
      { board: 'default', state: 'posted', delta: -1 },
      { board: 'default', state: 'claimed', delta: 1 },
    ]);
    expect(countDeltasOf(record('REMOVE', job({ state: 'completed', board: 'b' })))).toEqual([{ board: 'b', state: 'completed', delta: -1 }]);
  });

  it('a write that keeps the state, or an item of another kind, moves nothing', () => {
    expect(countDeltasOf(record('MODIFY', job({ state: 'claimed' }), job({ state: 'claimed', attempts: 2 })))).toEqual([]);
    expect(countDeltasOf(record('INSERT', undefined, { pk: 'unique#k', holder: 'j1' }))).toEqual([]);
  });
});

describe('sumDeltas', () => {
  it('sums per board and state and leaves out what nets to zero', () => {
    const sums = sumDeltas([
      { board: 'a', state: 'posted', delta: 1 },
      { board: 'a', state: 'posted', delta: -1 },
      { board: 'a', state: 'claimed', delta: 1 },
      { board: 'b', state: 'posted', delta: 1 },
      { board: 'b', state: 'posted', delta: -1 },
    ]);
    expect([...sums].map(([board, m]) => [board, [...m]])).toEqual([['a', [['claimed', 1]]]]);
  });
});

describe('compareSequences', () => {
  it('orders sequence numbers longer than a double holds exactly', () => {
    expect(compareSequences('820400000000000001192334', '820400000000000001192335')).toBe(-1);
    expect(compareSequences('000000000000000000015', '9')).toBe(1);
    expect(compareSequences('42', '042')).toBe(0);
  });
});
