/**
 * Publishes job state changes to an EventBridge bus (DESIGN.md, Events, counts and metrics):
 * `Source: "jobboard"`, `DetailType: "Job State Change"`, the change as `Detail`, its write time
 * as `Time`. The only `client-eventbridge` importer in lib/.
 *
 * Order: EventBridge keeps no order between the entries of one request, nor between requests,
 * so the publisher keeps what it can: requests go out one after another in stream order, and one
 * request never holds two changes of the same job. A job's changes therefore leave in version
 * order, and an entry retried after a failure can only be overtaken by other jobs' changes.
 *
 * Failures: entries EventBridge refused (throttled, say) are sent again a few times with backoff.
 * What still fails ends the call: the answer is the number of leading changes published, and the
 * stream processor has the batch delivered again from the first unpublished one. Changes after
 * it that did go out are published again then (at least once; a consumer drops copies by
 * `(id, version)`).
 */
import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { ConfigurationError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { JobStateChange } from './state-change.js';
import type { StateChangePublisher } from './stream-processor.js';

/** The event's `source` and `detail-type`: what a rule matches on. */
export const EVENT_SOURCE = 'jobboard';
export const EVENT_DETAIL_TYPE = 'Job State Change';

/** PutEvents' limits: entries per request, and bytes per request as EventBridge counts them. */
export const PUT_EVENTS_MAX_ENTRIES = 10;
export const PUT_EVENTS_MAX_BYTES = 256 * 1024;

export const EVENTBRIDGE_PUBLISHER_DEFAULTS = {
  /** Sends of one refused entry, the first included. */
  maxTries: 4,
  /** Wait before the first resend; doubled for each next one, with jitter. */
  baseDelayMs: 100,
} as const;

export interface EventBridgePublisherOptions {
  /** Name or ARN of the bus. */
  eventBusName: string;
  /** @default {@link EVENTBRIDGE_PUBLISHER_DEFAULTS.maxTries} */
  maxTries?: number;
  /** @default {@link EVENTBRIDGE_PUBLISHER_DEFAULTS.baseDelayMs} */
  baseDelayMs?: number;
  /** Waits between resends (injected so tests do not sleep). */
  sleep?: (ms: number) => Promise<void>;
  /** In [0, 1): scales each wait into [0.5, 1] of its value. */
  random?: () => number;
  /** Where refused entries and failed requests are reported. */
  logger?: Logger;
}

export class EventBridgePublisher implements StateChangePublisher {
  private readonly maxTries: number;
  private readonly baseDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(
    private readonly client: EventBridgeClient,
    private readonly options: EventBridgePublisherOptions,
  ) {
    if (options.eventBusName === '') throw new ConfigurationError('option eventBusName must name the bus, got ""');
    this.maxTries = options.maxTries ?? EVENTBRIDGE_PUBLISHER_DEFAULTS.maxTries;
    if (!Number.isInteger(this.maxTries) || this.maxTries < 1) throw new ConfigurationError(`option maxTries must be a whole number ≥ 1, got ${this.maxTries}`);
    this.baseDelayMs = options.baseDelayMs ?? EVENTBRIDGE_PUBLISHER_DEFAULTS.baseDelayMs;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
  }

  async publish(changes: readonly JobStateChange[]): Promise<number> {
    let published = 0;
    for (const chunk of chunksOf(changes, (change) => this.entryOf(change))) {
      let sent: number;
      try {
        sent = await this.putChunk(chunk);
      } catch (error) {
        // The SDK already retried the request. Nothing published at all: let the caller see why.
        if (published === 0) throw error;
        this.options.logger?.error('events_put_failed', { error, published, events: changes.length });
        return published;
      }
      published += sent;
      if (sent < chunk.length) return published;
    }
    return published;
  }

  /** Sends one chunk, resending refused entries; answers how many of its leading entries went out. */
  private async putChunk(entries: readonly PutEventsRequestEntry[]): Promise<number> {
    let pending = entries.map((_, index) => index);
    for (let attempt = 1; ; attempt++) {
      const answer = await this.client.send(new PutEventsCommand({ Entries: pending.map((index) => entries[index] as PutEventsRequestEntry) }));
      const results = answer.Entries ?? [];
      // A result without an EventId (or a missing result) is a refused entry.
      const refused = pending.filter((_, n) => results[n]?.EventId === undefined || results[n]?.ErrorCode !== undefined);
      if (refused.length === 0) return entries.length;
      if (attempt >= this.maxTries) {
        const codes = [...new Set(refused.map((index) => results[pending.indexOf(index)]?.ErrorCode ?? 'unknown'))];
        this.options.logger?.warn('events_refused', { refused: refused.length, errorCodes: codes, tries: attempt });
        return refused[0] as number;
      }
      pending = refused;
      await this.sleep(this.delayMs(attempt));
    }
  }

  /** Exponential, scaled into [0.5, 1] of its value so that concurrent resenders spread out. */
  private delayMs(attempt: number): number {
    return this.baseDelayMs * 2 ** (attempt - 1) * (0.5 + this.random() / 2);
  }

  private entryOf(change: JobStateChange): PutEventsRequestEntry {
    return {
      Source: EVENT_SOURCE,
      DetailType: EVENT_DETAIL_TYPE,
      Detail: JSON.stringify(change),
      EventBusName: this.options.eventBusName,
      Time: new Date(change.at),
    };
  }
}

/** Bytes an entry counts toward the request limit, as EventBridge documents it (UTF-8, +14 for a Time). */
export function entryBytes(entry: PutEventsRequestEntry): number {
  const text = [entry.Source, entry.DetailType, entry.Detail, entry.EventBusName, ...(entry.Resources ?? [])].filter((part) => part !== undefined).join('');
  return Buffer.byteLength(text, 'utf8') + (entry.Time === undefined ? 0 : 14);
}

/**
 * The changes as consecutive chunks of entries: at most 10 and 256 KB each, and never two
 * changes of the same job in one (so a job's changes leave in order even when an entry is
 * refused and sent again).
 */
export function chunksOf(changes: readonly JobStateChange[], entryOf: (change: JobStateChange) => PutEventsRequestEntry): PutEventsRequestEntry[][] {
  const chunks: { entries: PutEventsRequestEntry[]; jobs: Set<string>; bytes: number }[] = [];
  for (const change of changes) {
    const entry = entryOf(change);
    const bytes = entryBytes(entry);
    const last = chunks.at(-1);
    if (last === undefined || last.entries.length >= PUT_EVENTS_MAX_ENTRIES || last.bytes + bytes > PUT_EVENTS_MAX_BYTES || last.jobs.has(change.id)) {
      chunks.push({ entries: [entry], jobs: new Set([change.id]), bytes });
    } else {
      last.entries.push(entry);
      last.jobs.add(change.id);
      last.bytes += bytes;
    }
  }
  return chunks.map((chunk) => chunk.entries);
}
