/**
 * The local HTTP server: turns each request into an API Gateway HTTP API (payload 2.0) event for
 * the same handler Lambda runs, and writes its response back. Stands in for API Gateway's IAM
 * auth with an optional bearer token.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { serveDashboardRequest } from '../cli/dashboard-assets.js';
import { MAX_BODY_BYTES, type ApiEvent, type ApiHandler } from '../functions/api.js';
import { json, payloadTooLarge, unauthorized, type HttpResponse } from '../functions/http.js';
import { ValidationError } from '../lib/errors.js';
import type { EventLog } from './event-log.js';
import { parseEventsQuery, streamEvents } from './event-stream.js';

export interface HttpServerOptions {
  handler: ApiHandler;
  port: number;
  apiToken?: string;
  /** Serves `GET /events` (Server-Sent Events) from this log; without it the route is the API's 404. */
  events?: EventLog;
}

export async function startHttpServer(options: HttpServerOptions): Promise<{ server: Server; url: string; stop(): Promise<void> }> {
  const server = createServer((request, response) => {
    if (options.events !== undefined && request.method === 'GET' && new URL(request.url ?? '/', 'http://127.0.0.1').pathname === '/events') {
      serveEvents(request, response, options as HttpServerOptions & { events: EventLog });
      return;
    }
    // The dashboard's page and assets (`/`, `/assets/…`): static files, no token (its API calls need one).
    if (serveDashboardRequest(request, response)) return;
    serve(request, options).then(
      (result) => write(response, result),
      () => write(response, json(500, { error: { code: 'InternalError', message: 'the request failed unexpectedly', details: [] } })),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** `GET /events`: checked like any request (token, query), then held open as a stream. */
function serveEvents(request: IncomingMessage, response: ServerResponse, options: HttpServerOptions & { events: EventLog }): void {
  if (!authorized(request, options)) return write(response, errorBody(unauthorized()));
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  try {
    streamEvents(options.events, request, response, parseEventsQuery(Object.fromEntries(url.searchParams)));
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    write(response, json(400, { error: { code: error.code, message: error.message, details: error.details } }));
  }
}

function authorized(request: IncomingMessage, options: HttpServerOptions): boolean {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  return options.apiToken === undefined || url.pathname === '/health' || sameSecret(request.headers.authorization ?? '', `Bearer ${options.apiToken}`);
}

async function serve(request: IncomingMessage, options: HttpServerOptions): Promise<HttpResponse> {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  if (!authorized(request, options)) return errorBody(unauthorized());
  const body = await readBody(request);
  if (body === undefined) return errorBody(payloadTooLarge(MAX_BODY_BYTES));
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  const query = Object.fromEntries(url.searchParams);
  const event: ApiEvent & { requestContext: { requestId: string } } = {
    rawPath: url.pathname,
    headers,
    body: body.length > 0 ? body.toString('utf8') : undefined,
    isBase64Encoded: false,
    queryStringParameters: Object.keys(query).length > 0 ? query : undefined,
    requestContext: { http: { method: request.method ?? 'GET' }, requestId: randomUUID() },
  };
  return options.handler(event);
}

/** Compares without leaking, through timing, how much of the token was right. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** The body, or undefined once it passes the limit (reading stops there: no unbounded buffering). */
function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function errorBody(error: { status: number; code: string; message: string }): HttpResponse {
  return json(error.status, { error: { code: error.code, message: error.message, details: [] } });
}

function write(response: ServerResponse, result: HttpResponse): void {
  response.writeHead(result.statusCode, result.headers);
  response.end(result.body);
}
