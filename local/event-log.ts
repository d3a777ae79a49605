/**
 * The local stack's event publisher: each job state change is appended to
 * `JOBBOARD_DATA_DIR/events.jsonl` (one JSON object per line) and handed to every live
 * subscriber (the `GET /events` streams). An event's id is its line number, so a subscriber that
 * reconnects with the last id it saw gets what it missed from the file, then live events.
 *
 * Appends are synchronous: an event is on disk before the stream record is acknowledged, and a
 * subscriber's replay (file up to `lastId`) and its live feed (after `lastId`) meet exactly,
 * because nothing runs between reading the file and subscribing.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { JobStateChange } from '../lib/events/state-change.js';
import type { StateChangePublisher } from '../lib/events/stream-processor.js';

export interface LoggedEvent {
  /** Line number in the log, from 1. */
  id: number;
  change: JobStateChange;
}

export type EventListener = (event: LoggedEvent) => void;

export class EventLog implements StateChangePublisher {
  private lastId: number;
  private readonly listeners = new Set<EventListener>();

  constructor(private readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.lastId = this.readLines().length;
  }

  async publish(changes: readonly JobStateChange[]): Promise<number> {
    if (changes.length === 0) return 0;
    appendFileSync(this.file, changes.map((change) => `${JSON.stringify(change)}\n`).join(''));
    for (const change of changes) {
      const event = { id: ++this.lastId, change };
      for (const listener of this.listeners) listener(event);
    }
    return changes.length;
  }

  /**
   * Calls `listener` with every event after `afterId` (from the file), then with each new one,
   * until the returned function is called. Without `afterId`, new events only.
   */
  subscribe(listener: EventListener, afterId?: number): () => void {
    if (afterId !== undefined && afterId < this.lastId) {
      this.readLines()
        .slice(Math.max(0, afterId), this.lastId)
        .forEach((line, n) => listener({ id: Math.max(0, afterId) + n + 1, change: JSON.parse(line) as JobStateChange }));
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private readLines(): string[] {
    if (!existsSync(this.file)) return [];
    return readFileSync(this.file, 'utf8').split('\n').filter((line) => line.length > 0);
  }
}
