/**
 * The local HTTP server: turns each request into an API Gateway HTTP API (payload 2.0) event for
 * the same handler Lambda runs, and writes its response back. Stands in for API Gateway's IAM
 * auth with an optional bearer token.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { MAX_BODY_BYTES, type ApiEvent, type ApiHandler } from '../functions/api.js';
import { json, payloadTooLarge, unauthorized, type HttpResponse } from '../functions/http.js';

export interface HttpServerOptions {
  handler: ApiHandler;
  port: number;
  apiToken?: string;
}

export async function startHttpServer(options: HttpServerOptions): Promise<{ server: Server; url: string; stop(): Promise<void> }> {
  const server = createServer((request, response) => {
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

async function serve(request: IncomingMessage, options: HttpServerOptions): Promise<HttpResponse> {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  if (options.apiToken !== undefined && url.pathname !== '/health' && !sameSecret(request.headers.authorization ?? '', `Bearer ${options.apiToken}`)) {
    return errorBody(unauthorized());
  }
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
