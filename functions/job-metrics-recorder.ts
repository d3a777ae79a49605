/**
 * An observer on lib's `EventBus` that turns transitions into CloudWatch metrics (EMF, through
 * Powertools Metrics), kept in memory during an invocation and written by `flush()` at its end.
 *
 * What CloudWatch bills: one custom metric per metric name × combination of dimension values
 * (README.md, Metrics). So the dimension sets stay bounded whatever the traffic:
 * - `service` alone (one value per deployment): the alarms watch these;
 * - `service` + `type`: job types are bounded by code.
 * The board is a tenant-like value (boards are made by posting), so by default it goes in the
 * document's metadata, searchable in Logs Insights but not a metric; `byBoard` adds the set
 * `service` + `board`, each board then billing its own metrics.
 * Job ids always go in metadata (`jobIds`, comma-separated, each once).
 *
 * One EMF document per (type, board) per flush, with counts summed and durations as value
 * arrays; at most {@link EVENTS_PER_DOCUMENT} events each (EMF takes 100 values per metric, and
 * Powertools flushes on its own at 100, dropping the dimensions we set).
 */
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { EventObserver, JobboardEvent } from '../lib/events/events.js';
import { METRIC_DIMENSIONS, jobMetricsOf, type JobMetricSample } from '../lib/events/job-metrics.js';
import { DEFAULT_BOARD } from '../lib/boards/board.js';

/** Events per EMF document: under Powertools' 100 values per metric. */
export const EVENTS_PER_DOCUMENT = 99;

export interface JobMetricsRecorderOptions {
  /** Add the board as a dimension. @default false */
  byBoard?: boolean;
}

interface Recorded {
  jobId: string;
  samples: JobMetricSample[];
}

export class JobMetricsRecorder {
  /** Samples by type and board, in arrival order. */
  private readonly pending = new Map<string, { type: string; board: string; events: Recorded[] }>();
  private readonly byBoard: boolean;

  constructor(
    private readonly metrics: Metrics,
    options: JobMetricsRecorderOptions = {},
  ) {
    this.byBoard = options.byBoard ?? false;
  }

  /** Subscribe this to the runtime's `EventBus`. */
  readonly observer: EventObserver = (event) => this.record(event);

  record(event: JobboardEvent): void {
    if (event.kind !== 'transition') return;
    const samples = jobMetricsOf(event);
    if (samples.length === 0) return;
    const { type, id } = event.job;
    const board = event.job.board ?? DEFAULT_BOARD;
    const key = JSON.stringify([type, board]);
    const group = this.pending.get(key) ?? { type, board, events: [] };
    group.events.push({ jobId: id, samples });
    this.pending.set(key, group);
  }

  /** Writes what was recorded since the last flush (one line per document) and forgets it. Call at the end of each invocation. */
  flush(): void {
    const groups = [...this.pending.values()];
    this.pending.clear();
    for (const { type, board, events } of groups) {
      for (let start = 0; start < events.length; start += EVENTS_PER_DOCUMENT) this.publish(type, board, events.slice(start, start + EVENTS_PER_DOCUMENT));
    }
  }

  private publish(type: string, board: string, events: readonly Recorded[]): void {
    // Each call opens a dimension set besides the default `service` one: `{}` is `service` alone.
    this.metrics.addDimensions({});
    this.metrics.addDimensions({ [METRIC_DIMENSIONS.type]: type });
    // Not type × board as well: that multiplies the bill by the number of types, and Powertools
    // warns on every document whose dimension sets share a key.
    if (this.byBoard) {
      this.metrics.addDimensions({ [METRIC_DIMENSIONS.board]: board });
    } else {
      this.metrics.addMetadata(METRIC_DIMENSIONS.board, board);
    }
    this.metrics.addMetadata('jobIds', [...new Set(events.map((e) => e.jobId))].join(','));
    const counts = new Map<string, number>();
    for (const { samples } of events) {
      for (const sample of samples) {
        if (sample.unit === 'Count') counts.set(sample.metric, (counts.get(sample.metric) ?? 0) + sample.value);
        else this.metrics.addMetric(sample.metric, MetricUnit.Milliseconds, sample.value);
      }
    }
    for (const [metric, count] of counts) this.metrics.addMetric(metric, MetricUnit.Count, count);
    this.metrics.publishStoredMetrics();
  }
}
