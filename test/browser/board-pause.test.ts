/**
 * Pausing a board from the boards view: a job posted to it afterwards stays posted while jobs of
 * other boards run; resuming it from the same view lets the job run, with nothing else done.
 */
import { describe, expect, it } from 'vitest';
import { BOARD_SETTINGS_MAX_AGE_MS } from '../../lib/boards/settings-cache.js';
import { expectNoPageErrors, getJob, postJobs, screenshot, useDashboard, waitForJobState } from '../support/browser.js';
import { waitFor } from '../support/wait.js';

const dashboard = useDashboard();

describe('pausing a board from the dashboard', () => {
  it('stops its jobs from starting until it is resumed', async () => {
    const { stack } = dashboard;
    await postJobs(stack, [{ id: 'reports-first', type: 'demo.echo', board: 'reports' }]);
    await waitForJobState(stack, 'reports-first', ['completed']);

    const page = await dashboard.open('/?view=boards');
    const row = page.locator('tr[data-board="reports"]');
    await row.waitFor();
    await page.getByRole('button', { name: 'Pause board reports' }).click();
    await page.locator('tr[data-board="reports"][data-paused="true"]').waitFor();
    expect((await stack.request('GET', '/boards/reports')).body).toMatchObject({ paused: true });

    // Conductors may act on board settings up to BOARD_SETTINGS_MAX_AGE_MS old (a documented
    // bound): a job posted after that has to see the pause.
    const pausedAt = Date.now();
    await waitFor(() => Date.now() - pausedAt > BOARD_SETTINGS_MAX_AGE_MS, { what: 'the settings cache to expire', timeoutMs: 10_000 });
    await postJobs(stack, [{ id: 'reports-held', type: 'demo.echo', board: 'reports' }]);
    // A job on another board, posted later, runs to the end: the conductors are working.
    await postJobs(stack, [{ id: 'mail-runs', type: 'demo.echo', board: 'mail' }]);
    await waitForJobState(stack, 'mail-runs', ['completed']);
    expect(await getJob(stack, 'reports-held')).toMatchObject({ state: 'posted', attempts: 0 });
    // The boards view counts it as posted (live, from the counters).
    await row.locator('td.count a[href*="state=posted"]').getByText('1').waitFor({ timeout: 30_000 });
    await screenshot(page, 'boards');

    await page.getByRole('button', { name: 'Resume board reports' }).click();
    await page.locator('tr[data-board="reports"][data-paused="false"]').waitFor();
    await waitForJobState(stack, 'reports-held', ['completed']);
    expectNoPageErrors(page);
  });
});
