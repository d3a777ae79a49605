/**
 * The HTTP API's routes (infra) and the api handler's (functions/api.ts) agree: every route API
 * Gateway forwards reaches a route of the handler, never its "no route" or "method not allowed"
 * answers. The handler runs on a stub runtime with no board, so a served route fails inside
 * (500) without any AWS call, while an unserved one answers 404/405 before touching it.
 */
import { describe, expect, it } from 'vitest';
import { createApiHandler, type ApiEvent } from '../../functions/api.js';
import type { Runtime } from '../../functions/runtime.js';
import { API_ROUTES } from '../../infra/jobboard.js';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const handler = createApiHandler([], () => ({ logger: silent }) as unknown as Runtime);

function request(method: string, path: string): ApiEvent {
  return { rawPath: path, headers: { 'content-type': 'application/json' }, body: '{}', isBase64Encoded: false, requestContext: { http: { method } } };
}

describe('API routes', () => {
  it.each(API_ROUTES.map((route) => [`${route.method} ${route.path}`, route.method, route.path.replace(/\{[^}]+\}/g, 'job-1')]))(
    '%s reaches a route of the handler',
    async (_name, method, path) => {
      const response = await handler(request(method, path));
      const body = JSON.parse(response.body) as { error?: { code: string } };
      expect(body.error?.code, `${method} ${path}`).not.toBe('RouteNotFoundError');
      expect(body.error?.code, `${method} ${path}`).not.toBe('MethodNotAllowedError');
    },
  );

  it('the stub tells served from unserved routes', async () => {
    expect(JSON.parse((await handler(request('GET', '/nowhere'))).body)).toMatchObject({ error: { code: 'RouteNotFoundError' } });
  });
});
