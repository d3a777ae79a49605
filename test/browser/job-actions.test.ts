/**
 * Actions on one job from its detail page, against a real stack: retry makes a failed job run
 * again (it ends completed), and cancel stops a running `demo.sleep` (it ends trashed). The page
 * follows each job to its end by itself.
 */
import { describe, expect, it } from 'vitest';
import { expectNoPageErrors, getJob, postJobs, screenshot, useDashboard, waitForJobState } from '../support/browser.js';

// A sweep every second: it fails the job whose dispatch deadline passes (see the retry test).
const dashboard = useDashboard({ env: { JOBBOARD_SWEEP_INTERVAL_SECONDS: '1' } });

describe('job actions on the detail page', () => {
  it('retry makes a failed job run: it ends completed', async () => {
    const { stack } = dashboard;
    // A job that fails once for a reason a retry removes: it could not start before its
    // `dispatchBy` (its board was paused), so the sweeper failed it. Retry clears the deadline.
    // (demo.flaky would fail again: retry restores the whole attempt budget, attempts start at 1.)
    expect((await stack.request('PUT', '/boards/held', { paused: true })).status).toBe(200);
    await postJobs(stack, [{ id: 'late-report', type: 'demo.echo', board: 'held', payload: { report: 'weekly' }, dispatchBy: new Date(Date.now() + 1_000).toISOString() }]);
    await waitForJobState(stack, 'late-report', ['failed']);
    expect((await stack.request('PUT', '/boards/held', { paused: false })).status).toBe(200);

    const page = await dashboard.open('/?view=job&id=late-report');
    await page.locator('h2 .state-failed').waitFor();
    await page.getByRole('button', { name: 'Retry' }).click();

    await page.locator('h2 .state-completed').waitFor({ timeout: 30_000 });
    await expect(page.locator('section[aria-labelledby="result-title"] pre').textContent()).resolves.toContain('"report": "weekly"');
    expect(await getJob(stack, 'late-report')).toMatchObject({ state: 'completed', attempts: 1, result: { report: 'weekly' } });
    expectNoPageErrors(page);
  });

  it('cancel stops a running demo.sleep: it ends trashed', async () => {
    const { stack } = dashboard;
    await postJobs(stack, [{ id: 'long-sleep', type: 'demo.sleep', payload: { ms: 120_000 } }]);
    await waitForJobState(stack, 'long-sleep', ['claimed']);

    const page = await dashboard.open('/?view=job&id=long-sleep');
    await page.locator('h2 .state-claimed').waitFor();
    await page.getByRole('button', { name: 'Cancel run' }).click();

    await page.locator('h2 .state-trashed').waitFor({ timeout: 30_000 });
    await page.locator('table.history tr[data-outcome="cancelled"]').waitFor();
    const job = await getJob(stack, 'long-sleep');
    expect(job).toMatchObject({ state: 'trashed', stopRequested: null });
    // Well before the two minutes the sleep asked for.
    expect(Date.parse(job.endedAt ?? '') - Date.parse(job.createdAt)).toBeLessThan(60_000);
    // A trashed job may be retried; nothing else applies.
    expect(await page.getByRole('group', { name: 'Job actions' }).getByRole('button').allTextContents()).toEqual(['Retry']);
    expectNoPageErrors(page);
    await screenshot(page, 'job-cancelled');
  });
});
