/**
 * `jobboard dashboard`'s server (cli/dashboard-server.ts): the same page, served on localhost,
 * whose API calls are forwarded signed with SigV4. Against a real stack the page works through
 * it, event stream included; against a recording server, each forwarded call carries a SigV4
 * signature for the API's host; and another site's page cannot use it to send signed calls.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboardServer, type DashboardServer } from '../../cli/dashboard-server.js';
import { createSigV4Signer } from '../../cli/sigv4.js';
import { expectNoPageErrors, openPage, postJobs, useDashboard, waitForJobState } from '../support/browser.js';
import { waitFor } from '../support/wait.js';

const dashboard = useDashboard();

/**
 * Stands in for a deployed API behind API Gateway, keeping what it received: it has no `/events`
 * (404, in the API's error shape), and every other call gets a body with every list empty.
 */
interface Recorder {
  url: string;
  calls: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[];
  server: Server;
}

const EMPTY_LISTS = { jobs: [], nextCursor: null, boards: [], schedules: [], operations: [] };

async function startRecorder(): Promise<Recorder> {
  const calls: Recorder['calls'] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      calls.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      const noStream = (request.url ?? '').startsWith('/events');
      response.writeHead(noStream ? 404 : 200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(noStream ? { error: { code: 'RouteNotFoundError', message: 'no route for GET /events', details: [] } } : EMPTY_LISTS));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls, server };
}

// Fixed, fake credentials for the default AWS chain: signing needs no AWS account.
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIDDASHBOARDTEST', AWS_SECRET_ACCESS_KEY: 'not-a-real-secret', AWS_SESSION_TOKEN: undefined } as const;
const saved = Object.fromEntries(Object.keys(CREDENTIALS).map((name) => [name, process.env[name]]));
const servers: DashboardServer[] = [];
let recorder: Recorder;

beforeAll(async () => {
  for (const [name, value] of Object.entries(CREDENTIALS)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  recorder = await startRecorder();
});
afterAll(async () => {
  for (const server of servers) await server.close();
  await new Promise((resolve) => recorder.server.close(resolve));
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

/** GET with a chosen `Host` header (fetch will not send one of its own choosing). */
function statusWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const call = httpRequest(url, { headers: { host } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    call.on('error', reject);
    call.end();
  });
}

async function proxyTo(upstreamUrl: string): Promise<DashboardServer> {
  const sign = await createSigV4Signer({ baseUrl: upstreamUrl, region: 'eu-west-1' });
  const server = await startDashboardServer({ upstreamUrl, sign, port: 0 });
  servers.push(server);
  return server;
}

describe('jobboard dashboard (the signing proxy)', () => {
  it('serves the page, whose calls reach the API through it, live updates included', async () => {
    const { stack } = dashboard;
    const proxy = await proxyTo(stack.url);
    const page = await openPage(dashboard.browser(), `${proxy.url}/?view=jobs&board=proxied`);
    await page.getByText('No jobs match these filters.').waitFor();
    await page.locator('[data-live-mode="live"]').waitFor();

    await postJobs(stack, [{ id: 'via-proxy', type: 'demo.echo', board: 'proxied' }]);
    await waitForJobState(stack, 'via-proxy', ['completed']);
    await page.locator('tr[data-job-id="via-proxy"][data-state="completed"]').waitFor({ timeout: 30_000 });
    expectNoPageErrors(page);
  });

  it('signs each forwarded call with SigV4 for the API, passing method, path, query and body', async () => {
    const proxy = await proxyTo(recorder.url);
    const response = await fetch(`${proxy.url}/boards/mail?x=1`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"paused":true}' });
    expect(response.status).toBe(200);

    const call = recorder.calls.at(-1);
    expect(call).toMatchObject({ method: 'PUT', url: '/boards/mail?x=1', body: '{"paused":true}' });
    expect(call?.headers.host).toBe(new URL(recorder.url).host);
    expect(call?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDDASHBOARDTEST\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=\S*host\S*, Signature=[0-9a-f]{64}$/);
    expect(call?.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
  });

  it('polls where the API has no event stream (a deployed API), and says so', async () => {
    const proxy = await proxyTo(recorder.url);
    const page = await openPage(dashboard.browser(), `${proxy.url}/?view=jobs&board=remote`);
    await page.getByText('Polling every 3 s').waitFor();
    const listCalls = () => recorder.calls.filter((call) => call.url.startsWith('/jobs?') && call.url.includes('board=remote')).length;
    // Without anything done on the page, the list is asked for again and again.
    await waitFor(() => listCalls() >= 3, { what: 'two polls after the first load', timeoutMs: 20_000 });
    expect(recorder.calls.filter((call) => call.url === '/events')).toHaveLength(1);
    expect(await page.getByRole('alert').count()).toBe(0);
    expectNoPageErrors(page);
  });

  it('refuses calls from another site, so no other page can send signed calls', async () => {
    const proxy = await proxyTo(recorder.url);
    const before = recorder.calls.length;
    // A page of another origin (the stack's) tries a no-cors POST, as a hostile site could.
    const elsewhere = await openPage(dashboard.browser(), `${dashboard.stack.url}/?view=boards`);
    await elsewhere.evaluate(async (target) => {
      await fetch(`${target}/jobs/victim/retry`, { method: 'POST', mode: 'no-cors' }).catch(() => undefined);
    }, proxy.url);
    // The same request from the proxy's own page goes through (and so proves the check is what stops it).
    const own = await openPage(dashboard.browser(), `${proxy.url}/?view=operations`);
    await own.evaluate(async () => {
      await fetch('/jobs/mine/retry', { method: 'POST' });
    });
    await waitFor(() => recorder.calls.some((call) => call.url === '/jobs/mine/retry'), { what: 'the own page call' });
    expect(recorder.calls.slice(before).some((call) => call.url === '/jobs/victim/retry')).toBe(false);

    // And a request naming another host (DNS rebinding) is refused before anything is forwarded.
    expect(await statusWithHost(`${proxy.url}/stats`, 'attacker.example')).toBe(403);
    expect(recorder.calls.some((call) => call.url === '/stats')).toBe(false);
  });
});
