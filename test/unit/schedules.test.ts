/**
 * Periodic schedules, without network: slot computation (every, cron, timezones without DST),
 * cron validation (5 fields only) and the PUT body's refusals, each naming its field.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../lib/errors.js';
import { cronProblem, dueSlot, isTimezone, latestDueSlot, nextRunAt, nextSlot, slotJobId, type Schedule } from '../../lib/schedules/schedule.js';
import { parseScheduleRequest } from '../../lib/schedules/schedule-request.js';
import { toScheduleView } from '../../lib/schedules/schedule-view.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

function schedule(overrides: Partial<Schedule>): Schedule {
  return { name: 's', type: 'demo.echo', payload: {}, timezone: 'UTC', overlap: 'skip', paused: false, activeFrom: 0, createdAt: 0, updatedAt: 0, ...overrides };
}

describe('slots of an every schedule', () => {
  const every = { everySeconds: 2, timezone: 'UTC' };
  it('are the multiples of the period since the epoch', () => {
    expect(latestDueSlot(every, 10_000)).toBe(10_000);
    expect(latestDueSlot(every, 11_999)).toBe(10_000);
    expect(nextSlot(every, 10_000)).toBe(12_000);
    expect(nextSlot(every, 11_999)).toBe(12_000);
  });

  it('name their job by the slot in epoch seconds', () => {
    expect(slotJobId('nightly', at('2026-01-01T00:00:00Z'))).toBe(`schedule.nightly.${at('2026-01-01T00:00:00Z') / 1000}`);
  });
});

describe('slots of a cron schedule', () => {
  it('in UTC: next strictly after, latest at or before', () => {
    const cron = { cron: '*/5 * * * *', timezone: 'UTC' };
    expect(iso(nextSlot(cron, at('2026-03-01T10:10:00Z')))).toBe('2026-03-01T10:15:00.000Z');
    expect(iso(latestDueSlot(cron, at('2026-03-01T10:10:00Z')))).toBe('2026-03-01T10:10:00.000Z');
    expect(iso(latestDueSlot(cron, at('2026-03-01T10:14:59.999Z')))).toBe('2026-03-01T10:10:00.000Z');
  });

  it('in a timezone without DST (Asia/Tokyo, UTC+9): 09:00 local is 00:00 UTC', () => {
    const cron = { cron: '0 9 * * *', timezone: 'Asia/Tokyo' };
    expect(iso(nextSlot(cron, at('2026-01-01T00:00:00Z')))).toBe('2026-01-02T00:00:00.000Z');
    expect(iso(latestDueSlot(cron, at('2026-07-01T12:00:00Z')))).toBe('2026-07-01T00:00:00.000Z');
  });

  it('in a timezone west of UTC, away from DST changes (America/New_York in January, UTC-5)', () => {
    const cron = { cron: '30 8 * * 1-5', timezone: 'America/New_York' };
    // 2026-01-09 is a Friday: the next weekday 08:30 is Monday the 12th, 13:30 UTC.
    expect(iso(nextSlot(cron, at('2026-01-09T14:00:00Z')))).toBe('2026-01-12T13:30:00.000Z');
    expect(iso(latestDueSlot(cron, at('2026-01-11T00:00:00Z')))).toBe('2026-01-09T13:30:00.000Z');
  });

  it('accepts the 5 classic fields, refuses seconds, years, nicknames and bad values', () => {
    expect(cronProblem('0 9 * * 1-5')).toBeUndefined();
    expect(cronProblem('*/15 0-6 1,15 * *')).toBeUndefined();
    expect(cronProblem('* * * * * *')).toMatch(/5 fields/);
    expect(cronProblem('0 0 0 * * * 2026')).toMatch(/5 fields/);
    expect(cronProblem('@daily')).toMatch(/5 fields/);
    expect(cronProblem('61 * * * *')).toMatch(/minute/);
    expect(cronProblem('a b c d e')).toBeDefined();
  });

  it('knows IANA timezones and refuses others', () => {
    expect(isTimezone('UTC')).toBe(true);
    expect(isTimezone('Europe/Paris')).toBe(true);
    expect(isTimezone('Nowhere/City')).toBe(false);
    expect(isTimezone('+01:00')).toBe(false);
  });
});

describe('the due slot of a tick', () => {
  const every2 = schedule({ everySeconds: 2, activeFrom: 10_500 });
  it('is the latest slot after activeFrom and lastSlot; only the latest after a long stop', () => {
    expect(dueSlot(every2, 11_000)).toBeUndefined(); // slot 10 s is before the PUT
    expect(dueSlot(every2, 12_100)).toBe(12_000);
    expect(dueSlot({ ...every2, lastSlot: 12_000 }, 13_900)).toBeUndefined();
    expect(dueSlot({ ...every2, lastSlot: 12_000 }, 21_000)).toBe(20_000); // 14, 16, 18 are passed over
  });

  it('is none while paused, and nextRunAt is null then', () => {
    expect(dueSlot({ ...every2, paused: true }, 30_000)).toBeUndefined();
    expect(nextRunAt({ ...every2, paused: true }, 30_000)).toBeUndefined();
    expect(toScheduleView({ ...every2, paused: true }, 30_000).nextRunAt).toBeNull();
  });

  it('nextRunAt is the due slot not yet ticked, else the next one', () => {
    expect(nextRunAt(every2, 11_000)).toBe(12_000);
    expect(nextRunAt(every2, 12_500)).toBe(12_000);
    expect(nextRunAt({ ...every2, lastSlot: 12_000 }, 12_500)).toBe(14_000);
  });
});

describe('the PUT body', () => {
  const issues = (body: unknown) => {
    try {
      parseScheduleRequest(body);
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return (error as ValidationError).details.map((d) => d.path);
    }
    throw new Error('accepted');
  };

  it('takes defaults: UTC, overlap skip, not paused, empty payload', () => {
    expect(parseScheduleRequest({ type: 'demo.echo', every: 60 })).toEqual({ type: 'demo.echo', payload: {}, everySeconds: 60, timezone: 'UTC', overlap: 'skip', paused: false });
    expect(parseScheduleRequest({ type: 'demo.echo', cron: ' 0  9 * * * ', timezone: 'Asia/Tokyo', overlap: 'allow', paused: true, board: 'b', priority: 'high', maxAttempts: 2, timeoutSeconds: 5 })).toMatchObject({
      cron: '0 9 * * *',
      timezone: 'Asia/Tokyo',
      overlap: 'allow',
      paused: true,
      board: 'b',
      priority: 'high',
      maxAttempts: 2,
      timeoutSeconds: 5,
    });
  });

  it('refuses each bad field by name', () => {
    expect(issues({ type: 'demo.echo', cron: '* * * * * *' })).toEqual(['cron']);
    expect(issues({ type: 'demo.echo', cron: '61 * * * *' })).toEqual(['cron']);
    expect(issues({ type: 'demo.echo', every: 60, timezone: 'Mars/Olympus' })).toEqual(['timezone']);
    expect(issues({ type: 'demo.echo', every: 60, cron: '* * * * *' })).toEqual(['every']);
    expect(issues({ type: 'demo.echo' })).toEqual(['cron']);
    expect(issues({ type: 'demo.echo', every: 0 })).toEqual(['every']);
    expect(issues({ type: 'demo.echo', every: 1.5 })).toEqual(['every']);
    expect(issues({ type: 'demo.echo', every: 60, overlap: 'queue' })).toEqual(['overlap']);
    expect(issues({ type: 'demo.echo', every: 60, paused: 'yes' })).toEqual(['paused']);
    expect(issues({ type: 'demo.echo', every: 60, payload: [] })).toEqual(['payload']);
    expect(issues({ every: 60 })).toEqual(['type']);
    expect(issues({ type: 'demo.echo', every: 60, seconds: 1 })).toEqual(['(body)']);
  });
});
