/**
 * Live updates. The local stack streams job state changes as Server-Sent Events at `GET /events`;
 * the stream is read with fetch and a stream reader rather than EventSource, because EventSource
 * cannot send an `Authorization` header. Where there is no stream (a deployed API has none: 404)
 * or it breaks, the page polls instead, and tries the stream again now and then unless it was a 404.
 */
import { apiHeaders } from './request.js';

/** `connecting` until the first answer; `live` while events stream; `polling` otherwise. */
export type LiveMode = 'connecting' | 'live' | 'polling';

export interface LiveOptions {
  /** Something changed (or may have, when polling): refresh what is on screen. */
  onChange: () => void;
  onMode: (mode: LiveMode) => void;
  pollMs: number;
  /** How long to poll before trying a broken stream again. */
  retryStreamMs: number;
  /** Refreshes at most once per this many ms, however many events arrive. */
  coalesceMs: number;
}

/** Starts updating; the returned function stops everything (stream, timers). */
export function startLiveUpdates(options: LiveOptions): () => void {
  let stopped = false;
  let stream: AbortController | undefined;
  let pollTimer: ReturnType<typeof setInterval> | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let pending: ReturnType<typeof setTimeout> | undefined;
  let connections = 0;

  // Many events in a burst (a bulk retry) make one refresh, at most `coalesceMs` after the first.
  const changed = () => {
    if (pending === undefined) pending = setTimeout(() => ((pending = undefined), options.onChange()), options.coalesceMs);
  };

  const poll = (retryStream: boolean) => {
    options.onMode('polling');
    pollTimer = setInterval(options.onChange, options.pollMs);
    if (retryStream) retryTimer = setTimeout(() => (clearInterval(pollTimer), void connect()), options.retryStreamMs);
  };

  async function connect(): Promise<void> {
    stream = new AbortController();
    try {
      const response = await fetch('/events', { headers: { ...apiHeaders(), accept: 'text/event-stream' }, signal: stream.signal });
      const isStream = response.ok && response.body !== null && (response.headers.get('content-type') ?? '').startsWith('text/event-stream');
      if (!isStream || response.body === null) {
        await response.body?.cancel();
        if (!stopped) poll(response.status !== 404);
        return;
      }
      options.onMode('live');
      // Whatever changed while the stream was down shows now. (Not at the first connect: the
      // views are loading at that moment anyway, and twice the requests would slow the first paint.)
      if (connections++ > 0) options.onChange();
      await readEventData(response.body, changed);
    } catch {
      // The connection failed or broke: fall through to polling (unless stopped on purpose).
    }
    if (stopped) return;
    options.onChange();
    poll(true);
  }

  void connect();
  return () => {
    stopped = true;
    stream?.abort();
    clearInterval(pollTimer);
    clearTimeout(retryTimer);
    clearTimeout(pending);
  };
}

const EVENT_END = /\r?\n\r?\n/;

/** Calls `onData` with the `data:` of each event until the stream ends; comment lines (`: keep-alive`) are skipped. */
async function readEventData(body: ReadableStream<Uint8Array>, onData: (data: string) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    for (let end = EVENT_END.exec(buffer); end !== null; end = EVENT_END.exec(buffer)) {
      const block = buffer.slice(0, end.index);
      buffer = buffer.slice(end.index + end[0].length);
      const data = block
        .split(/\r?\n/)
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).replace(/^ /, ''))
        .join('\n');
      if (data !== '') onData(data);
    }
  }
}
