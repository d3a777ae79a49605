/**
 * The HTTP API's routes (DESIGN.md, HTTP API), in API Gateway's path syntax. The API handler
 * serves exactly these, and the CDK stack declares exactly these.
 */
export const HTTP_ROUTES = [
  { method: 'GET', path: '/health' },
  { method: 'POST', path: '/jobs' },
  { method: 'POST', path: '/jobs/batch' },
  { method: 'GET', path: '/jobs' },
  { method: 'GET', path: '/jobs/{id}' },
  { method: 'DELETE', path: '/jobs/{id}' },
  { method: 'POST', path: '/jobs/{id}/retry' },
  { method: 'GET', path: '/stats' },
  { method: 'POST', path: '/dead-letters/redrive' },
] as const;

export type HttpRoute = (typeof HTTP_ROUTES)[number];
/** `GET /jobs/{id}`, and so on. */
export type HttpRouteKey = HttpRoute extends infer R ? (R extends HttpRoute ? `${R['method']} ${R['path']}` : never) : never;
