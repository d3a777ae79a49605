/**
 * Periodic schedules over HTTP against the real `npm start` entry: PUT, GET, list and DELETE
 * with their statuses; every bad input is a 400 naming the field and writes nothing; and the
 * local stack's tick (the sweeper's timer, 1 s here) posts a schedule's slots as jobs; and the
 * CLI's `schedules` and `schedule set|get|pause|resume|delete`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScheduleList, ScheduleView } from '../../lib/http/contract.js';
import { cliAt } from '../support/cli-process.js';
import { StackProcess } from '../support/local-stack.js';
import { waitFor } from '../support/wait.js';

const stack = new StackProcess({ env: { JOBBOARD_SWEEP_INTERVAL_SECONDS: '1' } });
beforeAll(() => stack.start().then(() => undefined));
afterAll(() => stack.stop());

describe('bad schedules change nothing', () => {
  const good = { type: 'demo.echo', every: 60 };
  const bad: [string, string, string, unknown, string][] = [
    ['a 6-field (seconds) cron', 'PUT', '/schedules/bad', { type: 'demo.echo', cron: '0 * * * * *' }, 'cron'],
    ['a cron minute of 61', 'PUT', '/schedules/bad', { type: 'demo.echo', cron: '61 * * * *' }, 'cron'],
    ['a cron nickname', 'PUT', '/schedules/bad', { type: 'demo.echo', cron: '@daily' }, 'cron'],
    ['an unknown timezone', 'PUT', '/schedules/bad', { ...good, timezone: 'Mars/Olympus' }, 'timezone'],
    ['both cron and every', 'PUT', '/schedules/bad', { ...good, cron: '* * * * *' }, 'every'],
    ['neither cron nor every', 'PUT', '/schedules/bad', { type: 'demo.echo' }, 'cron'],
    ['every 0', 'PUT', '/schedules/bad', { type: 'demo.echo', every: 0 }, 'every'],
    ['every 0.5', 'PUT', '/schedules/bad', { type: 'demo.echo', every: 0.5 }, 'every'],
    ['an unknown job type', 'PUT', '/schedules/bad', { ...good, type: 'demo.nope' }, 'type'],
    ['a payload the job type refuses', 'PUT', '/schedules/bad', { type: 'demo.sleep', every: 60, payload: { ms: -1 } }, 'payload'],
    ['overlap "queue"', 'PUT', '/schedules/bad', { ...good, overlap: 'queue' }, 'overlap'],
    ['paused "yes"', 'PUT', '/schedules/bad', { ...good, paused: 'yes' }, 'paused'],
    ['a bad board', 'PUT', '/schedules/bad', { ...good, board: 'a/b' }, 'board'],
    ['priority urgent', 'PUT', '/schedules/bad', { ...good, priority: 'urgent' }, 'priority'],
    ['maxAttempts 0', 'PUT', '/schedules/bad', { ...good, maxAttempts: 0 }, 'maxAttempts'],
    ['timeoutSeconds 901', 'PUT', '/schedules/bad', { ...good, timeoutSeconds: 901 }, 'timeoutSeconds'],
    ['an unknown field', 'PUT', '/schedules/bad', { ...good, seconds: 5 }, '(body)'],
    ['a name with a dot', 'PUT', '/schedules/a.b', good, 'name'],
    ['a name of 65 characters', 'PUT', `/schedules/${'n'.repeat(65)}`, good, 'name'],
    ['GET with a bad name', 'GET', '/schedules/a*b', undefined, 'name'],
    ['DELETE with a bad name', 'DELETE', '/schedules/a*b', undefined, 'name'],
  ];

  it.each(bad)('%s → 400 naming %s', async (_, method, path, body, field) => {
    const response = await stack.request(method, path, body);
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'ValidationError' });
    expect(response.body.error.details.map((d: { path: string }) => d.path)).toContain(field);
  });

  it('a body that is not JSON is 415, and afterwards no schedule, job or board exists', async () => {
    expect((await stack.request('PUT', '/schedules/bad', 'every=1', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await stack.request('GET', '/schedules')).body).toEqual({ schedules: [] });
    expect((await stack.request('GET', '/schedules/bad')).status).toBe(404);
    expect((await stack.request('GET', '/stats')).body).toMatchObject({ posted: 0, claimed: 0, completed: 0 });
    expect((await stack.request('GET', '/boards')).body.boards.map((b: { name: string }) => b.name)).toEqual(['default']);
  });
});

describe('schedules over HTTP', () => {
  it('PUT creates and replaces (200 with nextRunAt), GET and the list show it, DELETE answers it once then 404', async () => {
    const put = await stack.request('PUT', '/schedules/nightly', { type: 'demo.echo', payload: { report: 'daily' }, cron: '30 2 * * *', timezone: 'Asia/Tokyo', board: 'reports', priority: 'low', paused: true });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: 'nightly', type: 'demo.echo', payload: { report: 'daily' }, cron: '30 2 * * *', every: null, timezone: 'Asia/Tokyo', overlap: 'skip', paused: true, nextRunAt: null, board: 'reports', priority: 'low', lastJobId: null });

    // A PUT replaces the settings as a whole: what it leaves out takes its default.
    const replaced = await stack.request('PUT', '/schedules/nightly', { type: 'demo.echo', cron: '30 2 * * *', timezone: 'Asia/Tokyo' });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ paused: false, board: null, priority: null, payload: {} });
    // 02:30 in Tokyo is 17:30 UTC the day before.
    expect(replaced.body.nextRunAt).toMatch(/T17:30:00\.000Z$/);
    expect(Date.parse(replaced.body.nextRunAt) - Date.now()).toBeLessThanOrEqual(86_400_000);
    expect(replaced.body.createdAt).toBe(put.body.createdAt);

    const got = await stack.request('GET', '/schedules/nightly');
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ name: 'nightly', nextRunAt: replaced.body.nextRunAt });
    await stack.request('PUT', '/schedules/hourly', { type: 'demo.echo', every: 3_600, overlap: 'allow' });
    const list = await stack.request('GET', '/schedules');
    expect(list.status).toBe(200);
    expect(list.body.schedules.map((s: { name: string; every: number | null }) => [s.name, s.every])).toEqual([
      ['hourly', 3_600],
      ['nightly', null],
    ]);

    const deleted = await stack.request('DELETE', '/schedules/nightly');
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ name: 'nightly', cron: '30 2 * * *' });
    const again = await stack.request('DELETE', '/schedules/nightly');
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('NotFoundError');
    expect((await stack.request('GET', '/schedules/nightly')).status).toBe(404);
    expect((await stack.request('GET', '/schedules')).body.schedules.map((s: { name: string }) => s.name)).toEqual(['hourly']);
    expect((await stack.request('DELETE', '/schedules/hourly')).status).toBe(200);
  });

  it('the local tick posts each slot as a job named schedule.<name>.<slot>, which runs', async () => {
    const put = await stack.request('PUT', '/schedules/ticking', { type: 'demo.echo', payload: { tick: true }, every: 2, board: 'ticks' });
    expect(put.status).toBe(200);
    const job = await waitFor(
      async () => {
        const { body } = await stack.request('GET', '/jobs?board=ticks&state=completed');
        return body.jobs[0] as { id: string; result: unknown } | undefined;
      },
      { timeoutMs: 20_000, what: 'a completed scheduled job' },
    );
    expect(job.id).toMatch(/^schedule\.ticking\.\d+$/);
    expect(Number(job.id.split('.')[2]) % 2).toBe(0);
    expect(job.result).toEqual({ tick: true });
    expect((await stack.request('GET', '/schedules/ticking')).body.lastJobId).toMatch(/^schedule\.ticking\.\d+$/);
    expect((await stack.request('DELETE', '/schedules/ticking')).status).toBe(200);
  });
});

describe('schedules from the CLI', () => {
  const { cli, ok } = cliAt(() => stack.url);

  it('set, get, pause, resume, schedules and delete; pause and resume keep every other setting', async () => {
    const set = await ok<ScheduleView>(['schedule', 'set', 'cli-report', 'demo.echo', '--cron', '0 9 * * 1-5', '--timezone', 'Europe/Paris', '--payload', '{"to":"ops"}', '--board', 'cli-reports', '--priority', 'low', '--overlap', 'allow']);
    expect(set).toMatchObject({ name: 'cli-report', cron: '0 9 * * 1-5', timezone: 'Europe/Paris', payload: { to: 'ops' }, board: 'cli-reports', priority: 'low', overlap: 'allow', paused: false });
    const paused = await ok<ScheduleView>(['schedule', 'pause', 'cli-report']);
    expect(paused).toMatchObject({ ...set, paused: true, nextRunAt: null, updatedAt: paused.updatedAt });
    const resumed = await ok<ScheduleView>(['schedule', 'resume', 'cli-report']);
    expect(resumed).toMatchObject({ cron: '0 9 * * 1-5', timezone: 'Europe/Paris', payload: { to: 'ops' }, board: 'cli-reports', priority: 'low', overlap: 'allow', paused: false });
    expect(resumed.nextRunAt).not.toBeNull();
    expect(await ok<ScheduleView>(['schedule', 'get', 'cli-report'])).toMatchObject({ name: 'cli-report', paused: false });
    await ok<ScheduleView>(['schedule', 'set', 'cli-every', 'demo.echo', '--every', '3600', '--paused']);
    const table = await cli(['schedules']);
    expect(table.stdout).toMatch(/^cli-every +demo\.echo +every 3600s +skip +yes /m);
    expect(table.stdout).toMatch(/^cli-report +demo\.echo +cron 0 9 \* \* 1-5 Europe\/Paris +allow +no /m);
    expect((await ok<ScheduleList>(['schedules'])).schedules.map((s) => s.name)).toEqual(['cli-every', 'cli-report']);
    expect(await ok<ScheduleView>(['schedule', 'delete', 'cli-every'])).toMatchObject({ name: 'cli-every' });
    expect(await ok<ScheduleView>(['schedule', 'delete', 'cli-report'])).toMatchObject({ name: 'cli-report' });
  });

  it('refuses bad use before any request, and shows the API’s 400 and 404', async () => {
    expect((await cli(['schedule', 'set', 'x', 'demo.echo'])).code).toBe(2);
    expect((await cli(['schedule', 'set', 'x', 'demo.echo', '--cron', '* * * * *', '--every', '5'])).code).toBe(2);
    expect((await cli(['schedule', 'get', 'x', '--every', '5'])).code).toBe(2);
    expect((await cli(['schedule', 'frobnicate', 'x'])).code).toBe(2);
    const bad = await cli(['schedule', 'set', 'x', 'demo.echo', '--cron', '0 0 * * * *']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/cron/);
    const missing = await cli(['schedule', 'get', 'never-set']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/NotFoundError|does not exist/);
    expect((await ok<ScheduleList>(['schedules'])).schedules).toEqual([]);
  });
});
