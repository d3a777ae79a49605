/**
 * The events Lambda hands each function, in the shapes its triggers send them: API Gateway HTTP
 * API (payload 2.0) requests, EventBridge scheduled events, and DynamoDB stream batches with a
 * tumbling window (which is what puts `shardId` in the event).
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, DynamoDBRecord, EventBridgeEvent } from 'aws-lambda';
import type { StreamWindowEvent } from '../functions/stream-processor.js';
import type { Placement } from './template.js';

/** An HTTP API request to a named route (`POST /jobs/{id}/retry`), signed by an IAM principal. */
export function apiEvent(placement: Placement, request: { method: string; path: string; route: string; query?: Record<string, string>; body?: unknown }): APIGatewayProxyEventV2 {
  const now = new Date();
  const rawQueryString = new URLSearchParams(request.query ?? {}).toString();
  const body = request.body === undefined ? undefined : JSON.stringify(request.body);
  return {
    version: '2.0',
    routeKey: request.route,
    rawPath: request.path,
    rawQueryString,
    headers: {
      accept: 'application/json',
      host: `rehearsal.execute-api.${placement.region}.amazonaws.com`,
      'user-agent': 'jobboard-rehearsal',
      ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }),
    },
    ...(rawQueryString === '' ? {} : { queryStringParameters: request.query }),
    ...(routeParameters(request.route, request.path) ?? {}),
    requestContext: {
      accountId: placement.account,
      apiId: 'rehearsal',
      domainName: `rehearsal.execute-api.${placement.region}.amazonaws.com`,
      domainPrefix: 'rehearsal',
      http: { method: request.method, path: request.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jobboard-rehearsal' },
      requestId: randomUUID(),
      routeKey: request.route,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: false,
  };
}

/** API Gateway fills `pathParameters` from the route's `{names}`. */
function routeParameters(route: string, path: string): { pathParameters: Record<string, string> } | undefined {
  const template = route.split(' ')[1] ?? '';
  const names = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
  if (names.length === 0) return undefined;
  const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '([^/]+)')}$`);
  const values = pattern.exec(path)?.slice(1) ?? [];
  return { pathParameters: Object.fromEntries(names.map((name, n) => [name, decodeURIComponent(values[n] ?? '')])) };
}

/** What the sweeper's `rate(1 minute)` rule sends. */
export function scheduledEvent(placement: Placement, ruleName: string): EventBridgeEvent<'Scheduled Event', Record<string, never>> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: placement.account,
    time: new Date().toISOString(),
    region: placement.region,
    resources: [`arn:aws:events:${placement.region}:${placement.account}:rule/${ruleName}`],
    detail: {},
  };
}

/** One batch of a stream shard, as a mapping with a tumbling window delivers it. */
export function streamWindowEvent(records: DynamoDBRecord[], shardId: string, streamArn: string, windowStart: Date, windowSeconds: number): StreamWindowEvent {
  return {
    Records: records,
    shardId,
    eventSourceARN: streamArn,
    window: { start: windowStart.toISOString(), end: new Date(windowStart.getTime() + windowSeconds * 1_000).toISOString() },
    state: {},
    isFinalInvokeForWindow: false,
    isWindowTerminatedEarly: false,
  };
}
