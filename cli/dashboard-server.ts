/**
 * The server behind `jobboard dashboard`: the dashboard's page on localhost, and each of the
 * page's API calls forwarded to a deployed API, signed with the caller's AWS credentials (SigV4).
 * So the deployed stack needs no unauthenticated page: the only page is on the operator's machine.
 *
 * Whatever reaches this server gets signed, so it answers only its own page: a request whose
 * `Host` is not this server's (DNS rebinding) or that another site sent (`Origin`,
 * `Sec-Fetch-Site`) is refused before anything is forwarded.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { serveDashboardRequest } from './dashboard-assets.js';

/** A request about to be forwarded; returns the headers to send (SigV4 adds `Authorization` and `X-Amz-*`). */
export type SignRequest = (request: { method: string; url: URL; headers: Record<string, string>; body: string | undefined }) => Promise<Record<string, string>>;

export interface DashboardServerOptions {
  /** The API's base URL, a stage path included (`https://abc.execute-api.eu-west-1.amazonaws.com`). */
  upstreamUrl: string;
  /** Signs each forwarded request; without it, `token` (if any) is sent as a bearer token. */
  sign?: SignRequest;
  token?: string;
  /** 0: any free port. Always bound on 127.0.0.1. */
  port: number;
  /** How long to wait for the API's response headers (a stream may then stay open). */
  upstreamTimeoutMs?: number;
}

export interface DashboardServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  close(): Promise<void>;
}

export const DEFAULT_UPSTREAM_TIMEOUT_MS = 30_000;
/** The page sends small JSON bodies only (bulk operations, board settings). */
const MAX_FORWARDED_BODY_BYTES = 1024 * 1024;
/** Response headers worth passing back to the page; hop-by-hop and AWS internals are not. */
const RESPONSE_HEADERS = ['content-type', 'cache-control', 'location', 'retry-after'];

export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const upstream = options.upstreamUrl.replace(/\/+$/, '');
  const server = createServer((request, response) => {
    handle(request, response, upstream, options, ownHosts(server.address() as AddressInfo)).catch((error: unknown) => {
      if (!response.headersSent) answer(response, 500, 'DashboardProxyError', `the dashboard server failed: ${describe(error)}`);
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const ownHosts = ({ port }: AddressInfo): string[] => [`127.0.0.1:${port}`, `localhost:${port}`];

async function handle(request: IncomingMessage, response: ServerResponse, upstream: string, options: DashboardServerOptions, hosts: string[]): Promise<void> {
  if (!hosts.includes(request.headers.host ?? '')) return answer(response, 403, 'ForbiddenHost', `this server answers only as ${hosts.join(' or ')}`);
  if (serveDashboardRequest(request, response)) return;
  if (fromAnotherSite(request, hosts)) return answer(response, 403, 'CrossSiteRequest', 'only the dashboard page itself may call the API through this server');

  const read = await readBody(request);
  if (read === 'too large') return answer(response, 413, 'PayloadTooLarge', `the body is over ${MAX_FORWARDED_BODY_BYTES} bytes`);
  const body = read === '' ? undefined : read;
  const method = request.method ?? 'GET';
  const url = new URL(upstream + (request.url ?? '/'));
  let headers: Record<string, string> = { accept: request.headers.accept ?? 'application/json' };
  if (request.headers['content-type'] !== undefined) headers['content-type'] = request.headers['content-type'];
  try {
    if (options.sign !== undefined) headers = await options.sign({ method, url, headers, body });
    else if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  } catch (error) {
    return answer(response, 500, 'SigningError', `cannot sign the request with your AWS credentials: ${describe(error)}`);
  }

  // Aborted when the page goes away (it closes an event stream, say) or the API is too slow to answer.
  const upstreamCall = new AbortController();
  response.once('close', () => upstreamCall.abort());
  const timeoutMs = options.upstreamTimeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS;
  let timedOut = false;
  const timer = setTimeout(() => ((timedOut = true), upstreamCall.abort()), timeoutMs);
  let forwarded: Response;
  try {
    forwarded = await fetch(url, { method, headers, body, signal: upstreamCall.signal, redirect: 'manual' });
  } catch (error) {
    if (timedOut) return answer(response, 504, 'UpstreamTimeout', `the API at ${upstream} did not answer within ${timeoutMs} ms`);
    return answer(response, 502, 'UpstreamUnreachable', `cannot reach the API at ${upstream}: ${describe(error)}`);
  } finally {
    clearTimeout(timer);
  }
  const passed: Record<string, string> = {};
  for (const name of RESPONSE_HEADERS) {
    const value = forwarded.headers.get(name);
    if (value !== null) passed[name] = value;
  }
  response.writeHead(forwarded.status, passed);
  if (forwarded.body === null || method === 'HEAD') return void response.end();
  // Streamed, not buffered: an event stream passes through as it arrives.
  Readable.fromWeb(forwarded.body as WebReadableStream<Uint8Array>)
    .on('error', () => response.destroy())
    .pipe(response);
}

/** True when a browser says another site sent this request (a form post, a fetch from a page elsewhere). */
function fromAnotherSite(request: IncomingMessage, hosts: string[]): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true;
  const origin = request.headers.origin;
  return origin !== undefined && !hosts.some((host) => origin === `http://${host}`);
}

/** The body as text ('' when there is none), or 'too large' past the limit (the rest is drained, not kept). */
function readBody(request: IncomingMessage): Promise<string | 'too large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_FORWARDED_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > MAX_FORWARDED_BODY_BYTES ? 'too large' : Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** An answer in the API's own error shape, so the page's banner shows it like any API error. */
function answer(response: ServerResponse, status: number, code: string, message: string): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ error: { code, message, details: [] } }));
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
