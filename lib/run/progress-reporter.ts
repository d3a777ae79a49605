/**
 * Coalesces a job's `ctx.progress()` calls into writes: at most one every `everyMs`, the last
 * value winning, a value equal to the one written skipped, and the value still unwritten when the
 * attempt ends written then, so what the job last reported is what the job keeps. Each write
 * costs one owner-conditioned UpdateItem.
 */
import { LIMITS } from '../config.js';
import { ValidationError } from '../errors.js';
import { jsonBytes } from '../model.js';

/** Default spacing of progress writes. */
export const PROGRESS_EVERY_MS = 2_000;

/** A progress value the job may report: a percentage, or a small JSON object. Throws `ValidationError` otherwise. */
export function checkProgress(value: unknown): void {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0 && value <= 100) return;
    throw new ValidationError(`progress must be a number from 0 to 100, got ${value}`, [{ path: 'progress', message: 'out of range' }]);
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const bytes = jsonBytes(value);
    if (bytes <= LIMITS.progressBytes) return;
    throw new ValidationError(`progress is ${bytes} bytes, more than ${LIMITS.progressBytes}`, [{ path: 'progress', message: 'too large' }]);
  }
  throw new ValidationError('progress must be a number from 0 to 100 or a JSON object', [{ path: 'progress', message: 'wrong type' }]);
}

export class ProgressReporter {
  private unwritten: { value: unknown } | undefined;
  /** The last value written, as JSON: reporting it again writes nothing. */
  private written: string | undefined;
  private lastWriteAt = Number.NEGATIVE_INFINITY;
  private writing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly write: (value: unknown) => Promise<void>,
    private readonly now: () => number,
    private readonly onError: (error: unknown) => void,
    private readonly everyMs: number = PROGRESS_EVERY_MS,
  ) {}

  /** Takes a value from the job: checked at once, written now or at the next free slot. */
  report(value: unknown): void {
    checkProgress(value);
    if (this.closed) return;
    this.unwritten = { value };
    this.schedule();
  }

  /** The attempt ended: no more timed writes; the last unwritten value, if any, is written now. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.writing;
    await this.flush();
  }

  private schedule(): void {
    // A write in flight or a timer already set will pick up the newest value when it runs.
    if (this.writing !== undefined || this.timer !== undefined) return;
    const waitMs = this.lastWriteAt + this.everyMs - this.now();
    if (waitMs <= 0) {
      void this.flush();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, waitMs);
  }

  private async flush(): Promise<void> {
    const pending = this.unwritten;
    if (pending === undefined) return;
    this.unwritten = undefined;
    const json = JSON.stringify(pending.value);
    if (json === this.written) return;
    this.written = json;
    this.lastWriteAt = this.now();
    this.writing = this.write(pending.value).catch(this.onError);
    await this.writing;
    this.writing = undefined;
    if (this.unwritten !== undefined && !this.closed) this.schedule();
  }
}
