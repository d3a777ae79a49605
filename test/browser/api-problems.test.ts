/**
 * The page says plainly when the API refuses it or cannot be reached: a stack started with a
 * bearer token gets a banner asking for it (with the API's code and message) and works once it
 * is given; a stack that dies gets an "unreachable" banner, and the page falls back to polling.
 */
import { describe, expect, it } from 'vitest';
import { expectNoPageErrors, screenshot, useDashboard } from '../support/browser.js';

const TOKEN = 'browser-test-token';
const dashboard = useDashboard({ env: { JOBBOARD_API_TOKEN: TOKEN } });

describe('when the API refuses or is unreachable', () => {
  it('asks for the bearer token a stack requires, then works with it; says so when the stack is gone', async () => {
    const { stack } = dashboard;
    const posted = await stack.request('POST', '/jobs', { id: 'guarded', type: 'demo.echo' }, { authorization: `Bearer ${TOKEN}` });
    expect(posted.status).toBe(201);

    const page = await dashboard.open('/?view=jobs');
    const banner = page.getByRole('alert');
    await banner.getByText('The API requires a bearer token').waitFor();
    expect(await banner.locator('.banner-code').textContent()).toBe('UnauthorizedError');
    expect(await banner.textContent()).toContain('(HTTP 401): missing or wrong bearer token');
    expect(await page.locator('tr[data-job-id]').count()).toBe(0);
    await screenshot(page, 'token-required');

    await page.getByLabel('API token').fill(TOKEN);
    await page.getByRole('button', { name: 'Use token' }).click();
    await page.locator('tr[data-job-id="guarded"]').waitFor();
    expect(await banner.count()).toBe(0);
    // The event stream is reopened with the token.
    await page.locator('[data-live-mode="live"]').waitFor();

    await stack.kill();
    await banner.getByText('The Jobboard API is unreachable').waitFor({ timeout: 30_000 });
    expect(await banner.locator('.banner-code').textContent()).toBe('ConnectionError');
    expect(await page.locator('[data-live-mode]').getAttribute('data-live-mode')).toBe('polling');
    // What was on screen stays, under the banner.
    expect(await page.locator('tr[data-job-id="guarded"]').count()).toBe(1);
    expectNoPageErrors(page);
    await screenshot(page, 'api-unreachable');
  });
});
