/**
 * Every view, as a keyboard or screen-reader user meets it: each form control has a label, each
 * button a name, each link a target; and the views not covered elsewhere show their data
 * (schedules with their timing and next run; operations, none yet).
 */
import { describe, expect, it } from 'vitest';
import { expectNoPageErrors, postJobs, screenshot, useDashboard, waitForJobState } from '../support/browser.js';
import type { Page } from 'playwright-core';

const dashboard = useDashboard();

/** Controls with no label, buttons with no name, and links with nowhere to go, as HTML. */
async function inaccessible(page: Page): Promise<string[]> {
  const unlabelled = await page
    .locator('input, select, textarea')
    .evaluateAll((controls) => controls.filter((c) => c.labels.length === 0 && !c.getAttribute('aria-label') && !c.getAttribute('aria-labelledby')).map((c) => c.outerHTML));
  const nameless = await page.locator('button').evaluateAll((buttons) => buttons.filter((b) => (b.textContent ?? '').trim() === '' && !b.getAttribute('aria-label')).map((b) => b.outerHTML));
  const nowhere = await page.locator('a:not([href])').evaluateAll((links) => links.map((a) => a.outerHTML));
  return [...unlabelled, ...nameless, ...nowhere];
}

describe('the views', () => {
  it('label every control and name every button, on every view', async () => {
    const { stack } = dashboard;
    await postJobs(stack, [{ id: 'labelled', type: 'demo.fail', payload: { permanent: true } }]);
    await waitForJobState(stack, 'labelled', ['failed']);
    const page = await dashboard.open('/?view=jobs');
    for (const view of ['/?view=jobs', '/?view=job&id=labelled', '/?view=boards', '/?view=schedules', '/?view=operations']) {
      await page.goto(`${stack.url}${view}`);
      // Each view's heading, then its data (the loading line gone).
      await page.locator('main h2').waitFor();
      await page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector('[aria-busy="true"]') === null);
      expect({ view, problems: await inaccessible(page) }).toEqual({ view, problems: [] });
    }
    expectNoPageErrors(page);
  });

  it('shows the schedules, with their timing and next run, and says when there is no operation yet', async () => {
    const { stack } = dashboard;
    expect((await stack.request('PUT', '/schedules/nightly-report', { type: 'demo.echo', cron: '0 3 * * *', timezone: 'Europe/Paris', board: 'reports' })).status).toBe(200);
    expect((await stack.request('PUT', '/schedules/heartbeat', { type: 'demo.echo', every: 3_600, paused: true })).status).toBe(200);

    const page = await dashboard.open('/?view=schedules');
    const nightly = page.locator('tr[data-schedule="nightly-report"]');
    await nightly.waitFor();
    const cells = await nightly.locator('td').allTextContents();
    expect(cells.slice(0, 4)).toEqual(['demo.echo on reports', '0 3 * * * (Europe/Paris)', 'skip', 'active']);
    expect(cells[4]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(await page.locator('tr[data-schedule="heartbeat"] td').allTextContents()).toEqual(['demo.echo', 'every 3600 s', 'skip', 'paused', '—', '—']);
    await screenshot(page, 'schedules');

    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Operations' }).click();
    await page.getByText('No bulk operations yet.').waitFor();
    expect(new URL(page.url()).search).toBe('?view=operations');
    expectNoPageErrors(page);
  });
});
