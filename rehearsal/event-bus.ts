/**
 * A stand-in for EventBridge, which has no emulator: an HTTP endpoint that answers `PutEvents`
 * (AWS JSON 1.1, as the SDK sends it) and keeps every entry, so the rehearsal can check what the
 * stream processor published. Whether the function may publish at all is the access audit's
 * question (`events:PutEvents` on the bus), not this endpoint's.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PublishedEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
}

export interface LocalEventBus {
  endpoint: string;
  entries: PublishedEntry[];
  stop(): Promise<void>;
}

export async function startLocalEventBus(): Promise<LocalEventBus> {
  const entries: PublishedEntry[] = [];
  let next = 0;
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const reply = (status: number, payload: unknown) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(payload));
      };
      if (target !== 'AWSEvents.PutEvents') return reply(400, { __type: 'UnknownOperationException', message: `the rehearsal's bus answers PutEvents only, not ${target}` });
      const given = (JSON.parse(body || '{}') as { Entries?: PublishedEntry[] }).Entries ?? [];
      entries.push(...given);
      reply(200, { FailedEntryCount: 0, Entries: given.map(() => ({ EventId: `rehearsal-${next++}` })) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    entries,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
