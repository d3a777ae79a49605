/**
 * Filtering the job list by board and state, with the mouse and with the keyboard: each change
 * narrows the list and is written to the URL, so a reload (or a shared link) shows the same
 * jobs, and the back button steps back through the filters.
 */
import { describe, expect, it } from 'vitest';
import { expectNoPageErrors, focused, focusOutline, postJobs, rowIds, screenshot, useDashboard, waitForJobState, waitForRowCount } from '../support/browser.js';

const dashboard = useDashboard();

const JOBS = [
  { id: 'north-ok-1', board: 'north', fails: false },
  { id: 'north-ok-2', board: 'north', fails: false },
  { id: 'north-bad', board: 'north', fails: true },
  { id: 'south-ok', board: 'south', fails: false },
  { id: 'south-bad', board: 'south', fails: true },
];
const idsWhere = (keep: (job: (typeof JOBS)[number]) => boolean) => JOBS.filter(keep).map((job) => job.id).sort();

describe('filtering the job list', () => {
  it('by board and state changes the list and the URL; a reload and the back button keep up', async () => {
    const { stack } = dashboard;
    await postJobs(stack, JOBS.map(({ id, board, fails }) => (fails ? { id, board, type: 'demo.fail', payload: { permanent: true } } : { id, board, type: 'demo.echo' })));
    for (const job of JOBS) await waitForJobState(stack, job.id, ['completed', 'failed']);

    const page = await dashboard.open('/?view=jobs');
    const shows = async (ids: string[]) => {
      await waitForRowCount(page, ids.length);
      expect((await rowIds(page)).sort()).toEqual(ids);
    };
    await shows(idsWhere(() => true));

    await page.getByLabel('Board').selectOption('north');
    await shows(idsWhere((job) => job.board === 'north'));
    expect(new URL(page.url()).search).toBe('?view=jobs&board=north');

    await page.getByLabel('State').selectOption('failed');
    await shows(['north-bad']);
    expect(new URL(page.url()).search).toBe('?view=jobs&board=north&state=failed');

    await page.reload();
    await shows(['north-bad']);
    expect(await page.getByLabel('Board').inputValue()).toBe('north');
    expect(await page.getByLabel('State').inputValue()).toBe('failed');

    await page.goBack();
    await shows(idsWhere((job) => job.board === 'north'));
    expect(await page.getByLabel('State').inputValue()).toBe('');
    expectNoPageErrors(page);
  });

  it('works from the keyboard alone, with the focus visible', async () => {
    const page = await dashboard.open('/?view=jobs');
    await page.locator('tr[data-job-id]').first().waitFor();
    // Tab from the top of the page to the board filter: skip link, four views, then the filters.
    let steps = 0;
    while ((await focused(page))?.id !== 'filter-board' && steps++ < 15) await page.keyboard.press('Tab');
    expect(await focused(page)).toEqual({ tag: 'SELECT', id: 'filter-board' });
    // The focus ring is drawn (an outline, not none).
    expect(await focusOutline(page)).not.toBe('none');

    // Choose "south" by typing its first letter: the list and the URL follow, the focus stays.
    await page.keyboard.press('s');
    await page.waitForURL(/board=south/);
    await waitForRowCount(page, 2);
    expect((await focused(page))?.id).toBe('filter-board');
    expect((await rowIds(page)).sort()).toEqual(idsWhere((job) => job.board === 'south'));
    expectNoPageErrors(page);
    await screenshot(page, 'jobs-filtered');
  });
});
