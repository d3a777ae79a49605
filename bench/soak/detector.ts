/**
 * Concurrent-double-run detection, from the transition log lines of every stack lifetime plus
 * the jobs as DynamoDB holds them at the end. Pure: no I/O, no clock.
 *
 * ## Run intervals
 * A run is one claim: it starts at its `job_claimed` line (which names the owner token, unique per
 * claim) and ends at the first of:
 * - an owner-conditioned write that succeeded: `job_consumed`, `job_abandoned`, `job_handed_back`, or
 *   a `job_failed` that carries `durationMs` (the conductor's outcome of a run; a `job_failed`
 *   without it comes from a refused claim or the sweeper, owner-less writes that end no run);
 * - a stopped run's own ending write: `job_trashed` with `stoppedRun: "cancelled"` or
 *   `job_suspended` with `stoppedRun: "suspended"` (the latter gives the attempt back, so its line
 *   names attempt − 1); a trash or suspend without `stoppedRun` (an operator's, or a stop carried
 *   out after the owner died) is owner-less and ends no run;
 * - `claim_lost`: the owner's write was refused, so the run is over and wrote nothing
 *   (a renewal may log it before the outcome attempt logs it again: the last one ends the run);
 * - the death of its process: a killed (or crashed, or stopped) stack runs nothing after it died,
 *   so its open runs end at the moment the soak saw the process exit.
 * The end lines carry no owner, only `jobId` and `attempt`; a claim sets `attempts + 1`, so
 * within one process `(jobId, attempt)` names one claim (two claims with the same attempt number
 * are themselves a double claim, reported as `duplicate-attempt`, except after a run that gave
 * its attempt back: handed back, or stopped into `suspended`).
 *
 * ## Order
 * Lines are compared by position, not by their millisecond timestamps: within one process the
 * stdout order is the order of the log calls (one thread, synchronous pipe writes), and the soak
 * starts a lifetime only after the previous one's whole process group is gone, so every line of
 * lifetime L precedes every line of lifetime L+1, and the death of L follows its last line.
 * Milliseconds would tie; positions do not.
 *
 * ## The rule
 * Job J is flagged `overlap` when, for two runs A and B of J with different owners where A's claim
 * comes first, B's claim comes before A's successful outcome write. Then both held J at once and
 * the earlier owner still wrote as if it owned J: DynamoDB's owner condition let a stale owner
 * through (invariant 2), or two claims both succeeded (invariant 1).
 *
 * A `job_released` (a waiting child released by its parents) ends no run.
 *
 * Not flagged, by design:
 * - A's run ends by `claim_lost`: its lease expired under it, B took over, and A's write was
 *   refused. The job's code may have run twice at once, which at-least-once with leases allows;
 *   it is counted as `fencedOverlaps`, for information.
 * - A's run ends at a kill: a dead owner runs and writes nothing after its death, and B, in a later
 *   lifetime, claims only after it. Its interval ends at the kill, so it can never reach B.
 * No false positive from log latency either: an outcome line is written after its write returns,
 * so the next claim's line could only come first if that claim happened right after the write.
 * After a consume or a fail the job is final (no claim succeeds); after an abandon it is not due
 * before its backoff (at least 0.5 s). Only `job_handed_back` (no backoff) could race; the soak's
 * job types are never handed back.
 *
 * ## DynamoDB cross-check
 * From each job as `GET /jobs/{id}` shows it at the end:
 * - `attempts-below-claims` (flagged): fewer attempts than claims logged before the read
 *   (released ones aside): two claims counted as one, i.e. both succeeded from the same item.
 * - `attempts-over-max` (flagged): invariant 4.
 * - `finished-twice` (flagged): two runs both logged a final outcome (invariant 3).
 * - `final-owner-mismatch` (flagged): the run that logged the final outcome is not the owner the
 *   final item names, so someone else wrote after the final write.
 * - `unlogged-claims` (information): more attempts than claims logged: a process died between a
 *   claim's write and its log line. Only plausible next to a kill.
 */
import type { CoordinationFindingKind } from './coordination-checks.js';

/** One process of the local stack, from start to exit. */
export interface Lifetime {
  index: number;
  startedAtMs: number;
  /** When the soak saw the process exit (at or after its real death). */
  endedAtMs: number;
  ending: 'killed' | 'stopped' | 'crashed';
}

/** One transition log line, as parsed from a lifetime's stdout. */
export interface TransitionLine {
  lifetime: number;
  /** Position among the lifetime's stdout lines: the order in which the process logged. */
  seq: number;
  /** The line's own `time`, epoch ms. */
  timeMs: number;
  event: string;
  jobId: string;
  attempt?: number;
  owner?: string;
  durationMs?: number;
  /** On the ending write of a run stopped on request: `cancelled` or `suspended`. */
  stoppedRun?: string;
  /** On a stop carried out after the owner died: the stop that was asked. */
  stopRequested?: string;
  /** On `job_released`: `parents` (a waiting child released; no run ends then). */
  by?: string;
}

/** How a run ended. */
export type RunEnding = 'consumed' | 'abandoned' | 'failed' | 'handedBack' | 'cancelled' | 'suspended' | 'claimLost' | 'died';

/** Runs that gave their attempt back: the next claim may carry the same attempt number. */
export function gaveAttemptBack(run: Pick<RunInterval, 'ending'>): boolean {
  return run.ending === 'handedBack' || run.ending === 'suspended';
}

/** A position in the soak's total order of lines: lifetime first, then line. `Infinity` = the death. */
export interface Position {
  lifetime: number;
  seq: number;
  timeMs: number;
}

export interface RunInterval {
  jobId: string;
  owner: string;
  attempt: number;
  lifetime: number;
  start: Position;
  end: Position;
  ending: RunEnding;
  /** Where the run's successful owner-conditioned write was logged, if it made one. */
  outcomeAt?: Position;
}

export type FindingKind =
  | 'overlap'
  | 'duplicate-attempt'
  | 'attempts-below-claims'
  | 'attempts-over-max'
  | 'finished-twice'
  | 'final-owner-mismatch'
  // From stop-checks.ts:
  | 'ran-after-cancel'
  | 'cancel-not-trashed'
  | 'board-over-limit'
  | CoordinationFindingKind;

export interface Finding {
  jobId: string;
  kind: FindingKind;
  detail: string;
}

/** The job as DynamoDB holds it at the end (from `GET /jobs/{id}`). */
export interface StoredJob {
  id: string;
  state: string;
  attempts: number;
  maxAttempts: number;
  owner: string | null;
  /**
   * The stack's log position when the GET was sent. Claims logged later are left out of the
   * attempt count: a stack still working (the time budget ran out) may claim the job after the
   * read. A claim logged before it was written before it (the line follows the write), so the
   * item read must count it.
   */
  readAt?: Position;
}

export interface Detection {
  runs: Map<string, RunInterval[]>;
  /** Flagged: every one is a broken guarantee. */
  findings: Finding[];
  /** Jobs with at least one finding: "run more than once concurrently". */
  doubleRunJobs: Set<string>;
  /** Overlaps whose earlier owner was fenced off by `claim_lost` (allowed). */
  fencedOverlaps: number;
  /** Overlaps within one lifetime whose earlier owner wrote nothing before the process died (allowed). */
  overlapsEndedByDeath: number;
  /** Jobs with more attempts in DynamoDB than claims logged (a kill between write and log). */
  unloggedClaims: number;
  /** End lines with no open claim to end (should be 0; reported, not flagged). */
  orphanEnds: number;
}

const OUTCOMES: Record<string, RunEnding> = { job_consumed: 'consumed', job_abandoned: 'abandoned', job_handed_back: 'handedBack' };

/** The run ending a line stands for, or undefined when it ends no run. */
function endingOf(line: TransitionLine): RunEnding | undefined {
  if (line.event === 'claim_lost') return 'claimLost';
  if (line.event === 'job_failed') return line.durationMs === undefined ? undefined : 'failed';
  if (line.event === 'job_trashed') return line.stoppedRun === 'cancelled' ? 'cancelled' : undefined;
  if (line.event === 'job_suspended') return line.stoppedRun === 'suspended' ? 'suspended' : undefined;
  return OUTCOMES[line.event];
}

/** True when `a` comes before `b` in the soak's total order. */
export function before(a: Position, b: Position): boolean {
  return a.lifetime !== b.lifetime ? a.lifetime < b.lifetime : a.seq < b.seq;
}

/** Builds every run interval, per job, from the lines of all lifetimes. */
export function buildRuns(lifetimes: readonly Lifetime[], lines: readonly TransitionLine[]): { runs: Map<string, RunInterval[]>; orphanEnds: number } {
  const runs = new Map<string, RunInterval[]>();
  const ordered = [...lines].sort((a, b) => a.lifetime - b.lifetime || a.seq - b.seq);
  const deathOf = new Map(lifetimes.map((l) => [l.index, l.endedAtMs]));
  let orphanEnds = 0;
  // Open (or fenced but maybe re-fenced) runs of the current lifetime by `jobId#attempt`.
  let open = new Map<string, RunInterval[]>();
  let lifetime = -1;
  const closeLifetime = () => {
    for (const list of open.values()) {
      for (const run of list) {
        if (run.ending !== 'died') continue;
        run.end = { lifetime: run.lifetime, seq: Number.POSITIVE_INFINITY, timeMs: deathOf.get(run.lifetime) ?? Number.POSITIVE_INFINITY };
      }
    }
    open = new Map();
  };
  for (const line of ordered) {
    if (line.lifetime !== lifetime) {
      closeLifetime();
      lifetime = line.lifetime;
    }
    const position: Position = { lifetime: line.lifetime, seq: line.seq, timeMs: line.timeMs };
    const attempt = line.stoppedRun === 'suspended' && line.attempt !== undefined ? line.attempt + 1 : line.attempt;
    const key = `${line.jobId}#${attempt ?? '?'}`;
    if (line.event === 'job_claimed') {
      const run: RunInterval = { jobId: line.jobId, owner: line.owner ?? `?${line.lifetime}:${line.seq}`, attempt: line.attempt ?? -1, lifetime: line.lifetime, start: position, end: position, ending: 'died' };
      runs.set(line.jobId, [...(runs.get(line.jobId) ?? []), run]);
      open.set(key, [...(open.get(key) ?? []), run]);
      continue;
    }
    const ending = endingOf(line);
    if (ending === undefined) continue;
    // The newest claim with this key that has not written an outcome yet.
    const candidates = open.get(key) ?? [];
    const run = [...candidates].reverse().find((r) => r.outcomeAt === undefined);
    if (run === undefined) {
      orphanEnds++;
      continue;
    }
    run.end = position;
    if (ending === 'claimLost') {
      if (run.ending === 'died') run.ending = 'claimLost';
    } else {
      run.ending = ending;
      run.outcomeAt = position;
    }
  }
  closeLifetime();
  return { runs, orphanEnds };
}

/** Applies the rule and the cross-check (see the module comment). */
export function detectDoubleRuns(lifetimes: readonly Lifetime[], lines: readonly TransitionLine[], stored: readonly StoredJob[] = []): Detection {
  const { runs, orphanEnds } = buildRuns(lifetimes, lines);
  const findings: Finding[] = [];
  let fencedOverlaps = 0;
  let overlapsEndedByDeath = 0;
  for (const [jobId, list] of runs) {
    const byStart = [...list].sort((a, b) => (before(a.start, b.start) ? -1 : 1));
    for (let i = 0; i < byStart.length; i++) {
      const a = byStart[i] as RunInterval;
      for (let j = i + 1; j < byStart.length; j++) {
        const b = byStart[j] as RunInterval;
        if (a.owner === b.owner) continue;
        if (a.attempt === b.attempt && !gaveAttemptBack(a)) {
          findings.push({ jobId, kind: 'duplicate-attempt', detail: `owners ${a.owner} and ${b.owner} both claimed attempt ${a.attempt}` });
        }
        if (!before(b.start, a.end)) continue;
        if (a.outcomeAt !== undefined && before(b.start, a.outcomeAt)) {
          findings.push({
            jobId,
            kind: 'overlap',
            detail:
              `attempt ${a.attempt} (owner ${a.owner}, claimed ${iso(a.start.timeMs)}) wrote ${a.ending} at ${iso(a.outcomeAt.timeMs)}, ` +
              `after attempt ${b.attempt} (owner ${b.owner}) claimed at ${iso(b.start.timeMs)} in lifetime ${b.lifetime}`,
          });
        } else if (a.ending === 'claimLost') {
          fencedOverlaps++;
        } else if (a.ending === 'died') {
          overlapsEndedByDeath++;
        }
      }
    }
  }
  let unloggedClaims = 0;
  for (const job of stored) {
    const list = runs.get(job.id) ?? [];
    const readAt = job.readAt;
    const claims = list.filter((r) => !gaveAttemptBack(r) && (readAt === undefined || before(r.start, readAt))).length;
    if (job.attempts < claims) findings.push({ jobId: job.id, kind: 'attempts-below-claims', detail: `DynamoDB says ${job.attempts} attempts, the logs show ${claims} claims` });
    if (job.attempts > claims) unloggedClaims++;
    if (job.attempts > job.maxAttempts) findings.push({ jobId: job.id, kind: 'attempts-over-max', detail: `${job.attempts} attempts, maxAttempts ${job.maxAttempts}` });
    // In the order their outcomes were logged: the last one is the write the item should show.
    const finals = list.filter((r) => r.ending === 'consumed' || r.ending === 'failed' || r.ending === 'cancelled').sort((a, b) => (before(a.outcomeAt as Position, b.outcomeAt as Position) ? -1 : 1));
    if (finals.length > 1) findings.push({ jobId: job.id, kind: 'finished-twice', detail: finals.map((r) => `${r.owner} ${r.ending}`).join('; ') });
    const last = finals.at(-1);
    const finalState = last?.ending === 'cancelled' ? 'trashed' : last?.ending === 'consumed' ? 'completed' : 'failed';
    if (last !== undefined && (job.state === 'completed' || job.state === 'failed' || job.state === 'trashed') && (job.state !== finalState || job.owner !== last.owner)) {
      findings.push({ jobId: job.id, kind: 'final-owner-mismatch', detail: `run of ${last.owner} logged ${last.ending}, but the item is ${job.state} with owner ${job.owner ?? 'none'}` });
    }
  }
  return { runs, findings, doubleRunJobs: new Set(findings.map((f) => f.jobId)), fencedOverlaps, overlapsEndedByDeath, unloggedClaims, orphanEnds };
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : 'never';
}
