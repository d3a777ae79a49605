/**
 * The dashboard's file server (cli/dashboard-assets.ts): `/` is index.html, assets get their
 * content type, and no path, however encoded, reaches a file outside the built directory.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isDashboardPath, loadAsset } from '../../cli/dashboard-assets.js';

const root = mkdtempSync(join(tmpdir(), 'jobboard-assets-'));
const built = join(root, 'dist', 'dashboard');
mkdirSync(join(built, 'assets'), { recursive: true });
writeFileSync(join(built, 'index.html'), '<!doctype html><title>Jobboard</title>');
writeFileSync(join(built, 'assets', 'app.js'), 'export {};');
writeFileSync(join(built, 'assets', 'app.css'), 'body{}');
// A secret next to the built directory: what a traversal would be after.
writeFileSync(join(root, 'dist', 'secret.txt'), 'do not serve');
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the dashboard file server', () => {
  it('claims `/` and `/assets/…` only, leaving every API route to the API', () => {
    expect(['/', '/index.html', '/assets/app.js'].map(isDashboardPath)).toEqual([true, true, true]);
    expect(['/jobs', '/events', '/health', '/openapi.json', '/assets', '/boards/assets'].map(isDashboardPath)).toEqual([false, false, false, false, false, false]);
  });

  it('answers `/` with index.html, and assets with their content type, framing forbidden', async () => {
    const page = await loadAsset('/', built);
    expect(page).toMatchObject({ status: 200, headers: { 'content-type': 'text/html; charset=utf-8' } });
    expect(String(page.body)).toContain('<title>Jobboard</title>');
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(await loadAsset('/assets/app.js', built)).toMatchObject({ status: 200, headers: { 'content-type': 'text/javascript; charset=utf-8' } });
    expect(await loadAsset('/assets/app.css', built)).toMatchObject({ status: 200, headers: { 'content-type': 'text/css; charset=utf-8' } });
  });

  it.each([
    ['a missing asset', '/assets/nope.js', 404],
    ['a directory', '/assets/', 404],
    ['an encoded traversal', '/assets/..%2f..%2fsecret.txt', 404],
    ['an encoded backslash traversal', '/assets/..%5c..%5csecret.txt', 404],
    ['a plain traversal', '/assets/../../secret.txt', 404],
    ['a NUL byte', '/assets/app.js%00.css', 404],
    ['a broken escape', '/assets/%E0%A4%A', 400],
  ])('refuses %s (%s) with %i, serving nothing', async (_, path, status) => {
    const answer = await loadAsset(path, built);
    expect(answer.status).toBe(status);
    expect(String(answer.body)).not.toContain('do not serve');
  });

  it('says how to build the page when it is not built', async () => {
    const answer = await loadAsset('/', join(root, 'nowhere'));
    expect(answer.status).toBe(503);
    expect(String(answer.body)).toContain('npm run build:dashboard');
  });
});
