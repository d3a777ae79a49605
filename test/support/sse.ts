/** Reads `GET /events` (Server-Sent Events) over fetch, as a dashboard or `curl -N` would. */
import type { JobStateChange } from '../../lib/events/state-change.js';
import { waitFor } from './wait.js';

export interface EventStreamReader {
  /** Every event received so far, in arrival order. */
  events: { id: number; change: JobStateChange }[];
  /** Waits until `predicate` holds over the events received. */
  until(predicate: (changes: JobStateChange[]) => boolean, what: string, timeoutMs?: number): Promise<void>;
  close(): void;
}

export async function openEventStream(url: string, query: Record<string, string> = {}): Promise<EventStreamReader> {
  const abort = new AbortController();
  const response = await fetch(`${url}/events?${new URLSearchParams(query)}`, { signal: abort.signal });
  if (response.status !== 200 || response.body === null) throw new Error(`GET /events answered ${response.status}: ${await response.text()}`);
  const events: EventStreamReader['events'] = [];
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const id = /^id: (\d+)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (id !== undefined && data !== undefined) events.push({ id: Number(id), change: JSON.parse(data) as JobStateChange });
        }
      }
    } catch {
      // Closed by the test.
    }
  })();
  return {
    events,
    until: async (predicate, what, timeoutMs = 30_000) => {
      await waitFor(() => predicate(events.map((e) => e.change)), { what, timeoutMs });
    },
    close: () => abort.abort(),
  };
}

/** `previousState→state` of one job's events, in arrival order. */
export function transitionsOf(changes: readonly JobStateChange[], id: string): string[] {
  return changes.filter((c) => c.id === id).map((c) => `${c.previousState ?? 'new'}→${c.state}`);
}
