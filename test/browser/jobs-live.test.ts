/**
 * The job list in a real browser against a real local stack: jobs posted on a board appear, and
 * follow their runs to the end, from the event stream (no reload, no polling); a page of 50 jobs
 * paints fast (measured and printed, not asserted: machines differ).
 */
import { describe, expect, it } from 'vitest';
import { expectNoPageErrors, listTimings, msUntilRows, navigations, postJobs, rowIds, screenshot, useDashboard, waitForJobState, waitForRowState } from '../support/browser.js';

const dashboard = useDashboard();

describe('the job list', () => {
  it('shows jobs as they are posted on a board and updates them live as they complete', async () => {
    const page = await dashboard.open('/?view=jobs&board=live');
    await page.getByText('No jobs match these filters.').waitFor();
    // The updates come from the event stream: the page says so (and polls nothing meanwhile).
    await page.locator('[data-live-mode="live"]').waitFor();

    const ids = ['live-a', 'live-b', 'live-c'];
    await postJobs(dashboard.stack, ids.map((id) => ({ id, type: 'demo.sleep', board: 'live', payload: { ms: 1_500 } })));
    await page.locator('tr[data-job-id]').nth(ids.length - 1).waitFor({ timeout: 30_000 });
    expect((await rowIds(page)).sort()).toEqual(ids);
    for (const id of ids) await waitForRowState(page, id, 'completed');

    // All of it on the page first loaded: no reload, and still live.
    expect(await navigations(page)).toBe(1);
    expect(await page.locator('[data-live-mode]').getAttribute('data-live-mode')).toBe('live');
    expectNoPageErrors(page);
    await screenshot(page, 'jobs-live');
  });

  it('paints a page of 50 jobs (first paint printed)', { timeout: 120_000 }, async () => {
    const jobs = await postJobs(dashboard.stack, Array.from({ length: 50 }, (_, i) => ({ id: `fifty-${String(i).padStart(2, '0')}`, type: 'demo.echo', board: 'fifty', payload: { i } })));
    // Measure the page, not the stack busy running the 50 jobs.
    for (const job of jobs) await waitForJobState(dashboard.stack, job.id, ['completed']);
    const page = await dashboard.open('/?view=jobs&board=fifty');
    const rowsMs = await msUntilRows(page, 50);
    // Where the time went: the page's own work, or waiting for the API's list.
    const timings = await listTimings(page);
    const ms = (value: number) => `${value.toFixed(0)} ms`;
    console.log(
      `dashboard: 50 jobs on screen ${ms(rowsMs)} after navigation: first contentful paint ${ms(timings.contentfulMs)}, ` +
        `GET /jobs sent at ${ms(timings.askedMs)} and answered at ${ms(timings.answeredMs)}, rows drawn ${ms(rowsMs - timings.answeredMs)} later`,
    );

    expect(await rowIds(page)).toHaveLength(50);
    expect(await page.getByText('50 jobs on the first page').count()).toBe(1);
    expectNoPageErrors(page);
    await screenshot(page, 'jobs');
  });
});
