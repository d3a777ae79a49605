/**
 * What the stack's stdout tells, line by line, across all its lifetimes: the transition lines the
 * detector needs, which jobs finished (for the posting window and the kill moments), which runs
 * are in flight (a kill should catch some), and counts of every event (for the report).
 */
import type { Position, TransitionLine } from './detector.js';

/** Events kept for the detector: every transition that names a job. */
const TRACKED = new Set([
  'job_posted',
  'job_claimed',
  'job_consumed',
  'job_abandoned',
  'job_failed',
  'job_released',
  'job_handed_back',
  'claim_lost',
  'posting_dropped',
  'posting_deadlettered',
  'job_trashed',
  'job_stop_requested',
  'job_suspended',
  'job_resumed',
]);
/** Events that end a run (a `job_failed` ends one only when it carries `durationMs`: see detector.ts). */
const RUN_ENDS = new Set(['job_consumed', 'job_abandoned', 'job_handed_back', 'claim_lost']);
const ERROR_LINES_KEPT = 20;

export class TransitionLog {
  readonly lines: TransitionLine[] = [];
  /** Every stdout event, counted as `level event`. */
  readonly eventCounts = new Map<string, number>();
  /** error-level lines (the first few), verbatim. */
  readonly errorLines: string[] = [];
  /** Jobs a final write was logged for. */
  readonly finished = new Set<string>();
  /** Jobs a claim was logged for (the stop controller waits for it to stop a running job). */
  readonly claimed = new Set<string>();
  readonly startupRepairs: { lifetime: number; reposted: number }[] = [];
  stdoutNotJson = 0;
  /** Runs claimed and not yet ended, per lifetime, as `jobId#attempt`. */
  private readonly inFlight = new Map<number, Set<string>>();
  /** Lines read so far per lifetime. */
  private readonly linesRead = new Map<number, number>();

  /** Takes one stdout line of lifetime `lifetime`; `seq` is its position in that lifetime. */
  readonly onLine = (lifetime: number, seq: number, text: string): void => {
    this.linesRead.set(lifetime, seq + 1);
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      this.stdoutNotJson++;
      return;
    }
    const event = String(parsed.event);
    const level = String(parsed.level);
    this.eventCounts.set(`${level} ${event}`, (this.eventCounts.get(`${level} ${event}`) ?? 0) + 1);
    if (level === 'error' && this.errorLines.length < ERROR_LINES_KEPT) this.errorLines.push(`[lifetime ${lifetime}] ${text.slice(0, 1_000)}`);
    if (event === 'startup_repair') this.startupRepairs.push({ lifetime, reposted: Number(parsed.reposted) });
    const jobId = parsed.jobId;
    if (typeof jobId !== 'string' || !TRACKED.has(event)) return;
    const attempt = typeof parsed.attempt === 'number' ? parsed.attempt : undefined;
    const durationMs = typeof parsed.durationMs === 'number' ? parsed.durationMs : undefined;
    const str = (value: unknown) => (typeof value === 'string' ? value : undefined);
    const stoppedRun = str(parsed.stoppedRun);
    this.lines.push({
      lifetime,
      seq,
      timeMs: Date.parse(String(parsed.time)),
      event,
      jobId,
      attempt,
      owner: str(parsed.owner),
      durationMs,
      stoppedRun,
      stopRequested: str(parsed.stopRequested),
      by: str(parsed.by),
    });
    if (event === 'job_consumed' || event === 'job_failed' || event === 'job_trashed') this.finished.add(jobId);
    if (event === 'job_claimed') this.claimed.add(jobId);
    let running = this.inFlight.get(lifetime);
    if (running === undefined) this.inFlight.set(lifetime, (running = new Set()));
    // A run stopped into `suspended` gives its attempt back: its line names the attempt before the claim.
    const key = `${jobId}#${stoppedRun === 'suspended' && attempt !== undefined ? attempt + 1 : attempt}`;
    if (event === 'job_claimed') running.add(key);
    else if ((RUN_ENDS.has(event) && parsed.by !== 'parents') || stoppedRun !== undefined || (event === 'job_failed' && durationMs !== undefined)) running.delete(key);
  };

  /** Runs in flight in `lifetime`, as far as its log tells. */
  runsInFlight(lifetime: number): number {
    return this.inFlight.get(lifetime)?.size ?? 0;
  }

  /**
   * Where `lifetime`'s log stands now. A read-back records it, so the detector knows which claims
   * were logged (hence written) before the read.
   */
  position(lifetime: number): Position {
    return { lifetime, seq: this.linesRead.get(lifetime) ?? 0, timeMs: Date.now() };
  }

  /** Log lines counted at `level`. */
  countLevel(level: string): number {
    let total = 0;
    for (const [key, n] of this.eventCounts) if (key.startsWith(`${level} `)) total += n;
    return total;
  }
}
