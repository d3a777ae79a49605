/** `--since`/`--until` of `jobboard bulk`: `HH:MM` is that time today in local time; ISO-8601 is taken as is. */
import { describe, expect, it } from 'vitest';
import { timeOption, UsageError } from '../../cli/args.js';

const now = new Date(2030, 4, 17, 15, 30, 12); // 17 May 2030, 15:30:12 local time

describe('timeOption', () => {
  it('reads HH:MM as that minute of the day `now` falls on, in local time', () => {
    expect(timeOption({ since: '10:00' }, 'since', now)).toBe(new Date(2030, 4, 17, 10, 0, 0, 0).toISOString());
    expect(timeOption({ since: '9:05' }, 'since', now)).toBe(new Date(2030, 4, 17, 9, 5, 0, 0).toISOString());
    expect(timeOption({ since: '23:59' }, 'since', now)).toBe(new Date(2030, 4, 17, 23, 59, 0, 0).toISOString());
  });

  it('takes an ISO-8601 time as given, in UTC form, and nothing when the option is absent', () => {
    expect(timeOption({ until: '2030-01-02T03:04:05+02:00' }, 'until', now)).toBe('2030-01-02T01:04:05.000Z');
    expect(timeOption({}, 'until', now)).toBeUndefined();
  });

  it('refuses anything else, naming the option and both forms', () => {
    for (const text of ['24:00', '10:60', '10', 'yesterday', '2030-01-02']) {
      expect(() => timeOption({ since: text }, 'since', now), text).toThrow(UsageError);
      expect(() => timeOption({ since: text }, 'since', now), text).toThrow(/--since must be HH:MM \(today, local time\) or an ISO-8601 time/);
    }
  });
});
