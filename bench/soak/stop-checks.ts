/**
 * What the operator's stops and the boards add to the verdict. Pure: no I/O, no clock.
 *
 * - `expectedEndings`: the states a job may end in, given its plan and how its stop was answered
 *   (the table is in stops.ts).
 * - `checkCancels`: a job whose cancel was acknowledged as trashed (200, or 202 and then trashed)
 *   runs nothing after it: no `job_claimed` and no `job_consumed` after its first `job_trashed`
 *   line (or, with no such line, after the moment the acknowledgement arrived), and ends `trashed`.
 * - `checkBoardLimit`: the board given `maxRunning` never had more run intervals open at once.
 *   Intervals are the detector's: from the claim line to the run's own ending line, or the death
 *   of its process. A run ended by `claim_lost` is left out (its lease had run out, so its slot
 *   could be reclaimed while its code still ran), and counted apart. The slot is released after
 *   the ending write and before its line is logged, so another claim's line may come first; a
 *   claim logged at or after the ending write's own time (the attempt's `endedAt` in DynamoDB's
 *   history) is therefore not counted as overlapping it: a claim line follows its write, which
 *   needed the released slot, which followed the ending write.
 */
import { before, type Finding, type Position, type RunInterval } from './detector.js';
import type { PlannedJob } from './plan.js';
import type { StopRecord } from './stops.js';

/** States the job may end in; `suspended` is the only open one allowed. */
export function expectedEndings(job: PlannedJob, record: StopRecord | undefined): string[] {
  const planned = job.expectedState;
  if (record === undefined) return [planned];
  if (record.plan.kind === 'cancel') {
    if (record.answer === 'done') return ['trashed'];
    // Its run was asked to stop: it is trashed, unless it finished first (then its outcome stands).
    if (record.answer === 'stopping' || record.answer === 'unanswered') return ['trashed', planned];
    return [planned];
  }
  const suspended = record.answer === 'done' || record.stoppedInto === 'suspended';
  if (record.plan.kind === 'park') {
    if (suspended) return ['suspended'];
    return record.answer === 'final' || record.stoppedInto !== undefined ? [planned] : ['suspended', planned];
  }
  // Suspended and resumed: it runs again and ends as planned.
  if (!suspended || record.resume?.answer === 'done') return [planned];
  return ['suspended', planned];
}

export interface CancelCheck {
  findings: Finding[];
  /** Acknowledged-as-trashed cancels checked. */
  checked: number;
}

export function checkCancels(
  records: Iterable<StopRecord>,
  lines: readonly { lifetime: number; seq: number; timeMs: number; event: string; jobId: string }[],
  finalState: (jobId: string) => string | undefined,
): CancelCheck {
  const byJob = new Map<string, typeof lines[number][]>();
  for (const line of lines) byJob.set(line.jobId, [...(byJob.get(line.jobId) ?? []), line]);
  const findings: Finding[] = [];
  let checked = 0;
  for (const record of records) {
    if (record.plan.kind !== 'cancel') continue;
    const state = finalState(record.jobId);
    const acknowledged = record.answer === 'done' || (record.answer === 'stopping' && state === 'trashed');
    if (!acknowledged) continue;
    checked++;
    const jobLines = [...(byJob.get(record.jobId) ?? [])].sort((a, b) => a.lifetime - b.lifetime || a.seq - b.seq);
    const trashed = jobLines.find((l) => l.event === 'job_trashed');
    const anchor: Position | undefined = trashed ?? record.ackAt;
    if (state !== 'trashed') findings.push({ jobId: record.jobId, kind: 'cancel-not-trashed', detail: `cancel answered ${record.status}, yet the job ended ${state ?? 'unread'}` });
    if (anchor === undefined) continue;
    const after = jobLines.filter((l) => (l.event === 'job_consumed' || l.event === 'job_claimed') && before(anchor, l));
    if (after.length > 0) {
      findings.push({
        jobId: record.jobId,
        kind: 'ran-after-cancel',
        detail: `${after.map((l) => `${l.event}@L${l.lifetime}:${l.seq}`).join(', ')} after the cancel (${trashed !== undefined ? `job_trashed@L${trashed.lifetime}:${trashed.seq}` : 'acknowledged'})`,
      });
    }
  }
  return { findings, checked };
}

export interface BoardLimitCheck {
  board: string;
  limit: number;
  /** Most runs open at once, claim_lost runs left out. */
  peak: number;
  /** Most runs open at once counting claim_lost runs (for information). */
  peakWithFenced: number;
  runs: number;
  findings: Finding[];
}

/** When the run's ending write was made (its attempt's `endedAt`), if DynamoDB's history shows it. */
export type EndedAt = (run: RunInterval) => number | undefined;

export function checkBoardLimit(board: string, limit: number, jobIds: ReadonlySet<string>, runs: ReadonlyMap<string, RunInterval[]>, endedAt: EndedAt = () => undefined): BoardLimitCheck {
  const all = [...jobIds].flatMap((id) => runs.get(id) ?? []);
  const live = all.filter((r) => r.ending !== 'claimLost');
  const { peak, at } = peakOverlap(live, endedAt);
  const findings: Finding[] = [];
  if (peak > limit) {
    findings.push({ jobId: at.map((r) => r.jobId).join(','), kind: 'board-over-limit', detail: `board ${board} had ${peak} runs at once, maxRunning ${limit}: ${at.map((r) => `${r.jobId}#${r.attempt}`).join(' ')}` });
  }
  return { board, limit, peak, peakWithFenced: peakOverlap(all, endedAt).peak, runs: all.length, findings };
}

/**
 * Most intervals open at once, in the soak's total order of lines; an end sorts before a start at
 * the same position. Also used for scopes (coordination-checks.ts), released the same way.
 */
export function peakOverlap(intervals: readonly RunInterval[], endedAt: EndedAt): { peak: number; at: RunInterval[] } {
  type Edge = { at: Position; delta: 1 | -1; run: RunInterval };
  const edges: Edge[] = intervals.flatMap((run): Edge[] => [
    { at: run.start, delta: 1, run },
    { at: run.end, delta: -1, run },
  ]);
  edges.sort((a, b) => (before(a.at, b.at) ? -1 : before(b.at, a.at) ? 1 : a.delta - b.delta));
  const open = new Set<RunInterval>();
  let peak = 0;
  let at: RunInterval[] = [];
  for (const edge of edges) {
    if (edge.delta === 1) {
      // Runs of the same process whose ending write came before this claim's line: ended (see above).
      for (const run of open) {
        const ended = run.outcomeAt === undefined ? undefined : endedAt(run);
        if (run.lifetime === edge.run.lifetime && ended !== undefined && ended <= edge.at.timeMs) open.delete(run);
      }
      open.add(edge.run);
    } else open.delete(edge.run);
    if (open.size > peak) {
      peak = open.size;
      at = [...open];
    }
  }
  return { peak, at };
}
