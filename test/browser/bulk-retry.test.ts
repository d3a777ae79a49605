/**
 * A bulk retry from the job list, on its current filter: the page first says how many jobs it
 * will touch and asks to confirm, then shows the operation's progress until it ends, 20 retried.
 */
import { describe, expect, it } from 'vitest';
import type { JobView } from '../../lib/http/contract.js';
import { expectNoPageErrors, getJob, postJobs, screenshot, useDashboard, waitForJobState } from '../support/browser.js';
import { waitFor } from '../support/wait.js';

// Operations run with the sweeper's tick: every second here.
const dashboard = useDashboard({ env: { JOBBOARD_SWEEP_INTERVAL_SECONDS: '1' } });

const ids = Array.from({ length: 20 }, (_, i) => `incident-${String(i).padStart(2, '0')}`);

describe('a bulk retry from the dashboard', () => {
  it('states the count, asks to confirm, shows progress, and ends with 20 retried', { timeout: 180_000 }, async () => {
    const { stack } = dashboard;
    await postJobs(stack, ids.map((id) => ({ id, type: 'demo.fail', board: 'incident', payload: { message: 'upstream down', permanent: true } })));
    for (const id of ids) await waitForJobState(stack, id, ['failed']);
    // The count comes from /stats, whose counters settle within seconds of the last change.
    await waitFor(async () => (await stack.request('GET', '/stats?board=incident')).body.failed === 20, { what: 'the counters to settle' });

    const page = await dashboard.open('/?view=jobs&board=incident&state=failed');
    await page.locator('tr[data-job-id]').nth(19).waitFor();
    await page.getByLabel('Action', { exact: true }).selectOption('retry');
    await page.getByRole('button', { name: 'Count matching jobs' }).click();
    const confirm = page.getByRole('group', { name: /This will retry/ });
    await confirm.waitFor();
    expect(await confirm.locator('#bulk-confirm-text').textContent()).toBe('This will retry 20 jobs. Continue?');
    // Nothing has run before the confirmation.
    expect((await stack.request('GET', '/operations')).body.operations).toEqual([]);

    await confirm.getByRole('button', { name: 'Retry 20 jobs' }).click();
    const operation = page.locator('.bulk .operation');
    await operation.waitFor();
    await expect(operation.getByRole('progressbar').count()).resolves.toBe(1);
    await page.locator('.bulk .operation[data-operation-state="succeeded"]').waitFor({ timeout: 45_000 });
    expect(await operation.locator('.operation-counts').textContent()).toBe('20 retried, 0 skipped, 0 failed of 20 matched');
    await screenshot(page, 'bulk-retry');

    // It really happened: every job ran again (a second attempt in its history).
    const rerun = await waitFor(async () => {
      const jobs = await Promise.all(ids.map((id) => getJob(stack, id)));
      return jobs.every((job: JobView) => job.history.length === 2) ? jobs : undefined;
    }, { what: 'every job to run again', timeoutMs: 30_000 });
    expect(rerun).toHaveLength(20);

    // The operation is listed, and its own view shows it ended.
    await operation.getByRole('link', { name: 'Bulk retry' }).click();
    await page.locator('[data-operation-state="succeeded"] .operation-counts').getByText('20 retried').waitFor();
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Operations' }).click();
    await page.locator('table.operations tbody tr').first().waitFor();
    expect(await page.locator('table.operations tbody tr').count()).toBe(1);
    expectNoPageErrors(page);
  });
});
