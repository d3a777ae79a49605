/**
 * The events Jobboard reports: one typed event per job transition (from the store, after its
 * write succeeded) and one per posting fate the conductor decides. Observers attach here — the
 * log line is one observer; metrics, attempt history and counters attach the same way — so no
 * call site builds a log line of its own.
 */
import type { Job } from '../model.js';
import type { Logger } from '../logger.js';

/** A job changed state (or was re-posted). Named as the log event. */
export type TransitionName =
  | 'job_posted'
  | 'job_claimed'
  | 'job_consumed'
  | 'job_abandoned'
  /** Handed back unrun, its attempt given back: its type is newer than this deployment's code. */
  | 'job_handed_back'
  /** A child whose last parent ended: `waiting` → `posted`. */
  | 'job_released'
  | 'job_failed'
  | 'job_trashed'
  | 'job_retried'
  | 'job_reposted'
  | 'job_stop_requested'
  | 'job_suspended'
  | 'job_resumed';

export interface TransitionEvent {
  kind: 'transition';
  name: TransitionName;
  /** The job as the write left it. */
  job: Job;
  /** Epoch ms of the write. */
  at: number;
  /** For the end of a run: since the claim. */
  durationMs?: number;
  /** What else the transition knows (error, reason, lease, retry delay). */
  detail?: Record<string, unknown>;
}

/** What the conductor did with a posting that did not lead to a transition. */
export type PostingEventName = 'posting_dropped' | 'posting_deadlettered' | 'posting_deferred' | 'claim_lost' | 'record_failed';

export interface PostingEvent {
  kind: 'posting';
  name: PostingEventName;
  jobId?: string;
  type?: string;
  attempt?: number;
  detail?: Record<string, unknown>;
}

export type JobboardEvent = TransitionEvent | PostingEvent;
export type EventObserver = (event: JobboardEvent) => void;

/** Hands each event to every observer. An observer that throws never breaks the transition it observes. */
export class EventBus {
  private readonly observers: EventObserver[];

  constructor(observers: readonly EventObserver[] = []) {
    this.observers = [...observers];
  }

  subscribe(observer: EventObserver): void {
    this.observers.push(observer);
  }

  emit(event: JobboardEvent): void {
    for (const observer of this.observers) {
      try {
        observer(event);
      } catch {
        // Observing is best effort: the write it reports has happened either way.
      }
    }
  }
}

const WARNINGS = new Set<string>(['posting_deadlettered', 'claim_lost', 'job_handed_back']);

/** The log observer: one structured line per event, named as the event. */
export function logObserver(logger: Logger): EventObserver {
  return (event) => {
    if (event.kind === 'transition') {
      const { job } = event;
      const fields = { jobId: job.id, type: job.type, attempt: job.attempts, owner: job.owner, state: job.state, durationMs: event.durationMs, ...event.detail };
      (WARNINGS.has(event.name) ? logger.warn : logger.info).call(logger, event.name, fields);
      return;
    }
    const fields = { jobId: event.jobId, type: event.type, attempt: event.attempt, ...event.detail };
    if (event.name === 'record_failed') logger.error(event.name, fields);
    else (WARNINGS.has(event.name) ? logger.warn : logger.info).call(logger, event.name, fields);
  };
}
