/**
 * `GET /events` on the local stack: job state changes as Server-Sent Events, filtered by the
 * query's `board`, `type` and `id`. Each event is `id: <n>` (its line in events.jsonl) and
 * `data: {id, board, type, state, previousState, attempt, version, at}`. A client that sends
 * `Last-Event-ID` (or `?lastEventId=`) first gets the events it missed. A comment line every
 * 15 s keeps proxies from closing an idle stream.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as z from 'zod/mini';
import { ValidationError } from '../lib/errors.js';
import { parseWith } from '../lib/schema.js';
import type { EventLog, LoggedEvent } from './event-log.js';
import { boardName } from '../lib/boards/board.js';

const KEEP_ALIVE_MS = 15_000;

const eventsQuerySchema = z.strictObject({
  board: z.optional(boardName),
  type: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  id: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
  lastEventId: z.optional(z.string().check(z.regex(/^\d{1,15}$/))),
});

/** Parses the query; a bad one is a `ValidationError` naming the parameter, answered before the stream opens. */
export function parseEventsQuery(query: Record<string, string>): z.infer<typeof eventsQuerySchema> {
  const parsed = parseWith(eventsQuerySchema, query, '(query)');
  if (!parsed.success) throw new ValidationError('invalid events query', parsed.issues);
  return parsed.data;
}

/** Streams events to `response` until the client goes away. */
export function streamEvents(log: EventLog, request: IncomingMessage, response: ServerResponse, query: z.infer<typeof eventsQuerySchema>): void {
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  response.write(': connected\n\n');
  const header = request.headers['last-event-id'];
  const resumeFrom = query.lastEventId ?? (typeof header === 'string' && /^\d{1,15}$/.test(header) ? header : undefined);
  const matches = ({ change }: LoggedEvent) =>
    (query.board === undefined || change.board === query.board) && (query.type === undefined || change.type === query.type) && (query.id === undefined || change.id === query.id);
  const unsubscribe = log.subscribe((event) => {
    if (matches(event)) response.write(`id: ${event.id}\ndata: ${JSON.stringify(event.change)}\n\n`);
  }, resumeFrom === undefined ? undefined : Number(resumeFrom));
  const keepAlive = setInterval(() => response.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
  const close = () => {
    clearInterval(keepAlive);
    unsubscribe();
  };
  request.once('close', close);
  response.once('close', close);
}
