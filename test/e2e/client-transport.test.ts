/**
 * What the typed client adds to openapi-fetch, against a scripted HTTP server on loopback: the
 * bearer token, path segments encoded with `:` kept, the typed errors (the API's error body, an
 * answer that is not the API's, a 2xx that is not JSON), and a time limit that ends in a
 * `ConnectionError` rather than a hang.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, ConnectionError, createJobboardClient, dataOf } from '../../cli/client.js';

/** The request the server saw last. */
let seen: { url: string; authorization: string | undefined } | undefined;
/** What the server does with the next request. */
let reply: (response: ServerResponse) => void = () => undefined;
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((request: IncomingMessage, response: ServerResponse) => {
    seen = { url: request.url ?? '', authorization: request.headers.authorization };
    reply(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});

const answer = (status: number, body: string, contentType = 'application/json') => (response: ServerResponse) => {
  response.writeHead(status, { 'content-type': contentType });
  response.end(body);
};

async function rejection(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => expect.unreachable('the call resolved'),
    (error: unknown) => error,
  );
}

describe('the typed client', () => {
  it('sends the bearer token and keeps `:` in a path segment while encoding the rest', async () => {
    reply = answer(200, JSON.stringify({ ok: true }));
    const client = createJobboardClient({ baseUrl, token: 'secret' });
    await dataOf(client.GET('/jobs/{id}', { params: { path: { id: 'batch:7/a b' } } }));
    expect(seen).toEqual({ url: '/jobs/batch:7%2Fa%20b', authorization: 'Bearer secret' });
  });

  it('turns the API’s error body into an ApiError with its status, code and details', async () => {
    reply = answer(400, JSON.stringify({ error: { code: 'ValidationError', message: 'invalid', details: [{ path: 'limit', message: 'too big' }] } }));
    const error = await rejection(dataOf(createJobboardClient({ baseUrl }).GET('/jobs')));
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: 'ValidationError', message: 'invalid', details: [{ path: 'limit', message: 'too big' }], retryable: false });
  });

  it('names an answer that is not the API’s by its status, and a 2xx that is not JSON InvalidResponse', async () => {
    reply = answer(403, JSON.stringify({ message: 'Forbidden' }));
    expect(await rejection(dataOf(createJobboardClient({ baseUrl }).GET('/stats')))).toMatchObject({ status: 403, code: 'HTTP403', message: 'Forbidden: Forbidden' });
    reply = answer(502, '<html>Bad Gateway</html>', 'text/html');
    expect(await rejection(dataOf(createJobboardClient({ baseUrl }).GET('/stats')))).toMatchObject({ status: 502, code: 'HTTP502', retryable: true });
    reply = answer(200, '<html>a captive portal</html>', 'text/html');
    expect(await rejection(dataOf(createJobboardClient({ baseUrl }).GET('/stats')))).toMatchObject({ status: 200, code: 'InvalidResponse' });
  });

  it('gives up after requestTimeoutMs with a ConnectionError (ETIMEDOUT)', async () => {
    reply = () => undefined; // never answers
    const error = await rejection(createJobboardClient({ baseUrl, requestTimeoutMs: 200 }).GET('/health'));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: 'ConnectionError', errorCode: 'ETIMEDOUT', url: baseUrl });
  });
});
