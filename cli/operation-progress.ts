/**
 * Following a bulk operation until it ends: polls `GET /operations/{id}` and shows its progress on
 * stderr, as a bar redrawn in place on a terminal, otherwise as one plain line whenever its counts
 * change (so a log or CI output gets a readable history, not carriage returns).
 */
import type { OperationView } from '../lib/http/contract.js';
import { dataOf } from './client.js';
import { ApiError } from './client-errors.js';
import { byId, type CommandContext, type CommandIo } from './context.js';

/** How often the progress is polled unless `--interval` says otherwise, in milliseconds. */
export const DEFAULT_OPERATION_INTERVAL_MS = 500;
const BAR_WIDTH = 24;
/** Clears the rest of the line after a redraw that may be shorter than the one before. */
const CLEAR_TO_END = '\u001b[K';

const processedOf = (operation: OperationView): number => operation.done + operation.skipped + operation.failed;

/** `matched 40 · done 38 · skipped 1 · failed 1`. */
export function countsLine(operation: OperationView): string {
  return `matched ${operation.matched} · done ${operation.done} · skipped ${operation.skipped} · failed ${operation.failed}`;
}

/**
 * The progress display. `expected` is how many jobs the filter should match, when the CLI could
 * tell beforehand; the operation's own `matched` only grows as it walks, so alone it cannot say
 * how far along it is. Without it the display shows the counts and no bar.
 */
export class OperationProgress {
  private lastLine = '';
  constructor(
    private readonly io: Pick<CommandIo, 'stderr' | 'stderrIsTty'>,
    private readonly expected: number | undefined,
  ) {}

  update(operation: OperationView): void {
    const ended = operation.state !== 'running';
    if (this.io.stderrIsTty) {
      this.io.stderr(`\r${this.bar(operation)}  ${countsLine(operation)}${CLEAR_TO_END}${ended ? '\n' : ''}`);
      return;
    }
    const line = `${operation.action} ${operation.id}: ${operation.state}, ${countsLine(operation)}`;
    if (line !== this.lastLine) this.io.stderr(`${line}\n`);
    this.lastLine = line;
  }

  /** `[############------------]  50%  20/40`, or the state alone when the total is unknown. */
  private bar(operation: OperationView): string {
    const processed = processedOf(operation);
    // An ended operation has matched all it will: that is the total, whatever the estimate said.
    const total = operation.state === 'running' ? (this.expected === undefined ? undefined : Math.max(this.expected, operation.matched)) : operation.matched;
    if (total === undefined) return `[${operation.state}]`;
    // Nothing to do is done once it has ended, not before (the estimate may be behind).
    const fraction = total === 0 ? (operation.state === 'running' ? 0 : 1) : Math.min(1, processed / total);
    const filled = Math.round(fraction * BAR_WIDTH);
    return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${`${Math.floor(fraction * 100)}%`.padStart(4)}  ${processed}/${total}`;
  }
}

/**
 * Polls the operation until it is `succeeded` or `failed`, showing progress. Throttling and 5xx
 * answers are polled through (the operation goes on server side); other errors end the watch.
 */
export async function watchOperation(ctx: CommandContext, started: OperationView, progress: OperationProgress, intervalMs: number): Promise<OperationView> {
  let operation = started;
  for (;;) {
    progress.update(operation);
    if (operation.state !== 'running') return operation;
    await ctx.sleep(intervalMs);
    try {
      operation = await dataOf(ctx.client.GET('/operations/{id}', byId(operation.id)));
    } catch (error) {
      if (!(error instanceof ApiError && error.retryable)) throw error;
    }
  }
}
