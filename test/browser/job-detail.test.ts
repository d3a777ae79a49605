/**
 * A failed job's detail page: reached from the list by its link, it shows the job's errors and
 * its attempt history (each attempt's outcome and error), and its payload.
 */
import { describe, expect, it } from 'vitest';
import { expectNoPageErrors, focused, postJobs, screenshot, useDashboard, waitForJobState } from '../support/browser.js';

const dashboard = useDashboard();

describe("a failed job's detail", () => {
  it('shows its errors and its history, attempt by attempt', async () => {
    await postJobs(dashboard.stack, [{ id: 'mail-smtp', type: 'demo.fail', board: 'mail', maxAttempts: 2, payload: { message: 'smtp down' } }]);
    await waitForJobState(dashboard.stack, 'mail-smtp', ['failed']);

    const page = await dashboard.open('/?view=jobs&board=mail&state=failed');
    await page.getByRole('link', { name: 'mail-smtp' }).click();
    expect(new URL(page.url()).search).toBe('?view=job&id=mail-smtp');
    const heading = page.getByRole('heading', { level: 2 });
    await expect(heading.textContent()).resolves.toContain('mail-smtp');
    await page.locator('h2 .state-failed').waitFor();
    // Focus follows the reader to the new view.
    expect((await focused(page))?.tag).toBe('H2');

    const history = page.locator('table.history tbody tr');
    await history.nth(1).waitFor();
    expect(await history.evaluateAll((rows) => rows.map((row) => row.getAttribute('data-outcome')))).toEqual(['abandoned', 'failed']);
    for (const row of await history.all()) expect(await row.textContent()).toContain('Error: smtp down');

    const errors = page.locator('ol.errors li');
    expect(await errors.evaluateAll((items) => items.map((item) => item.getAttribute('data-error-attempt')))).toEqual(['1', '2']);
    for (const item of await errors.all()) expect(await item.textContent()).toContain('smtp down');

    await expect(page.locator('section[aria-labelledby="payload-title"] pre').textContent()).resolves.toContain('"message": "smtp down"');
    // Only what applies to a failed job is offered.
    expect(await page.getByRole('group', { name: 'Job actions' }).getByRole('button').allTextContents()).toEqual(['Retry']);
    expectNoPageErrors(page);
    await screenshot(page, 'job-detail');
  });
});
