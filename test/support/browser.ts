/**
 * Browser-test fixtures: Debian's Chromium, headless, driven by playwright-core (no browser
 * download), against a real local stack. One browser and one stack per test file; each test gets
 * a fresh page (its own context: no storage shared between tests). Screenshots go to
 * `test-results/screenshots/` (not committed; the README links one).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import type { JobView, PostJobBody } from '../../lib/http/contract.js';
import type { JobState } from '../../lib/states.js';
import { StackProcess, type StackProcessOptions } from './local-stack.js';
import { waitFor } from './wait.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';
/** What headless Chromium needs on these machines (no sandbox in containers, no GPU, no phoning home). */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

export interface DashboardFixture {
  stack: StackProcess;
  browser(): Browser;
  /** A new page (own context) at `path` of the stack, e.g. `/?view=boards`. */
  open(path?: string): Promise<Page>;
}

/** Starts a stack and a browser for the file (in parallel) and stops both after its tests. */
export function useDashboard(options: StackProcessOptions = {}): DashboardFixture {
  const stack = new StackProcess(options);
  let browser: Browser | undefined;
  beforeAll(async () => {
    [browser] = await Promise.all([launchBrowser(), stack.start()]);
  });
  afterAll(async () => {
    await browser?.close();
    await stack.stop();
  });
  const current = () => {
    if (browser === undefined) throw new Error('the browser has not started');
    return browser;
  };
  return { stack, browser: current, open: (path = '/') => openPage(current(), `${stack.url}${path}`) };
}

/** A page with a desktop viewport; errors thrown in the page fail the test that opened it (see {@link expectNoPageErrors}). */
export async function openPage(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  PAGE_ERRORS.set(page, errors);
  await page.goto(url);
  return page;
}

const PAGE_ERRORS = new WeakMap<Page, string[]>();

/** No uncaught exception in the page's scripts so far. */
export function expectNoPageErrors(page: Page): void {
  expect(PAGE_ERRORS.get(page) ?? []).toEqual([]);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** The ids of the job rows on the page, in page order. */
export function rowIds(page: Page): Promise<string[]> {
  return page.locator('tr[data-job-id]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-job-id') ?? ''));
}

/** Waits until the page's row for job `id` shows `state` (the page updates itself: no reload). */
export async function waitForRowState(page: Page, id: string, state: JobState, timeoutMs = 30_000): Promise<void> {
  await page.locator(`tr[data-job-id="${id}"][data-state="${state}"]`).waitFor({ timeout: timeoutMs });
}

// In-page checks. The tests are compiled without the DOM's types, so the page's globals are typed
// here; functions, not strings, are sent to the page (the dashboard's CSP forbids eval).

/** The few browser globals the in-page checks use. */
interface PageGlobals {
  document: { querySelectorAll(selector: string): { length: number }; activeElement: { tagName: string; id: string } | null };
  performance: { now(): number; getEntriesByType(type: string): { name: string; startTime: number; responseEnd?: number }[]; getEntriesByName(name: string): { startTime: number }[] };
  getComputedStyle(element: unknown): { outlineStyle: string };
}

/** The focused element's tag and id. */
export function focused(page: Page): Promise<{ tag: string; id: string } | undefined> {
  return page.evaluate(() => {
    const { document } = globalThis as unknown as PageGlobals;
    return document.activeElement === null ? undefined : { tag: document.activeElement.tagName, id: document.activeElement.id };
  });
}

/** The focused element's outline style: anything but `none` is a visible focus ring. */
export function focusOutline(page: Page): Promise<string> {
  return page.evaluate(() => {
    const { document, getComputedStyle } = globalThis as unknown as PageGlobals;
    return getComputedStyle(document.activeElement).outlineStyle;
  });
}

/** How many navigations this page has made (1: it never reloaded). */
export function navigations(page: Page): Promise<number> {
  return page.evaluate(() => (globalThis as unknown as PageGlobals).performance.getEntriesByType('navigation').length);
}

/** Waits until exactly `count` job rows show. */
export async function waitForRowCount(page: Page, count: number): Promise<void> {
  await page.waitForFunction((n) => (globalThis as unknown as PageGlobals).document.querySelectorAll('tr[data-job-id]').length === n, count, { timeout: 30_000 });
}

/** The page's clock (ms since navigation started) at the first frame that shows `count` job rows. */
export async function msUntilRows(page: Page, count: number): Promise<number> {
  const shown = await page.waitForFunction(
    (n) => {
      const { document, performance } = globalThis as unknown as PageGlobals;
      return document.querySelectorAll('tr[data-job-id]').length >= n && performance.now();
    },
    count,
    { polling: 'raf', timeout: 30_000 },
  );
  return (await shown.jsonValue()) as number;
}

/** Paint and request timings of the page: first contentful paint, and when the first `GET /jobs` was sent and answered. */
export function listTimings(page: Page): Promise<{ contentfulMs: number; askedMs: number; answeredMs: number }> {
  return page.evaluate(() => {
    const { performance } = globalThis as unknown as PageGlobals;
    const list = performance.getEntriesByType('resource').find((entry) => entry.name.includes('/jobs?'));
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    return { contentfulMs: paint?.startTime ?? Number.NaN, askedMs: list?.startTime ?? Number.NaN, answeredMs: list?.responseEnd ?? Number.NaN };
  });
}

// Setting up through the API: what a test arranges, not what it proves.

/** Posts jobs in batches of 100 (`POST /jobs/batch`) and returns them as created. */
export async function postJobs(stack: StackProcess, bodies: readonly PostJobBody[]): Promise<JobView[]> {
  const created: JobView[] = [];
  for (let i = 0; i < bodies.length; i += 100) {
    const { status, body } = await stack.request('POST', '/jobs/batch', { jobs: bodies.slice(i, i + 100) });
    if (status !== 200) throw new Error(`POST /jobs/batch answered ${status}: ${JSON.stringify(body)}`);
    for (const result of (body as { results: { status: number; job?: JobView; error?: unknown }[] }).results) {
      if (result.job === undefined) throw new Error(`a job was refused: ${JSON.stringify(result.error)}`);
      created.push(result.job);
    }
  }
  return created;
}

export async function getJob(stack: StackProcess, id: string): Promise<JobView> {
  const { status, body } = await stack.request('GET', `/jobs/${encodeURIComponent(id)}`);
  if (status !== 200) throw new Error(`GET /jobs/${id} answered ${status}: ${JSON.stringify(body)}`);
  return body as JobView;
}

/** Waits until the API shows job `id` in one of `states`. */
export function waitForJobState(stack: StackProcess, id: string, states: readonly JobState[], timeoutMs = 30_000): Promise<JobView> {
  return waitFor(async () => {
    const job = await getJob(stack, id);
    return states.includes(job.state) ? job : undefined;
  }, { what: `job ${id} ${states.join(' or ')}`, timeoutMs, intervalMs: 100 });
}
