/**
 * Judges a soak run job by job against its plan, and prints the final table and the evidence
 * behind any failure. The verdict is computed here, once, so the table and the exit code agree.
 */
import { gaveAttemptBack } from './detector.js';
import type { SoakResult } from './driver.js';
import { resultProblem } from './plan.js';
import { coordinationFailures, coordinationRows } from './report-coordination.js';
import { countStops, describeStop, placementMismatches, stopRows, type StopCounts } from './report-stops.js';
import { expectedEndings } from './stop-checks.js';

export interface SoakSummary {
  planned: number;
  posted: number;
  /** Of `posted`: 201 on the request that created it, 200 on a retry after an unknown outcome. */
  created: number;
  replayed: number;
  postedAfterRestart: number;
  completed: number;
  failedAsExpected: number;
  failedUnexpectedly: number;
  /** Cancelled jobs that ended trashed, and parked ones still suspended, as their stop's answer required. */
  trashedAsExpected: number;
  suspendedAsExpected: number;
  stops: StopCounts;
  /** Acknowledged cancels followed by a claim or a completion, or not trashed in the end. */
  ranAfterCancel: number;
  lost: number;
  concurrentDoubleRuns: number;
  /** Jobs claimed more often than their plan needs (sequential reruns: allowed, at-least-once). */
  rerunJobs: number;
  extraRuns: number;
  kills: number;
  duplicatesInjected: number;
  duplicateJobs: number;
  wallMs: number;
  passed: boolean;
  /** Why the run failed (empty when it passed). */
  failures: string[];
  /** Worth a look, but not a broken guarantee. */
  warnings: string[];
  examples: { lost: string[]; unexpected: string[]; reruns: string[] };
}

const EXAMPLES = 10;

export function summarize(result: SoakResult): SoakSummary {
  const lost: string[] = [];
  const unexpected: string[] = [];
  const reruns: string[] = [];
  let completed = 0;
  let failedAsExpected = 0;
  let trashedAsExpected = 0;
  let suspendedAsExpected = 0;
  let extraRuns = 0;
  for (const job of result.plan) {
    if (!result.acceptedIds.has(job.id)) continue;
    const read = result.readBack.get(job.id);
    if (read === undefined || read.status !== 200) {
      lost.push(`${job.id} (${job.body.type}): GET answered ${read?.status ?? 'nothing'}`);
      continue;
    }
    const stop = result.stops.get(job.id);
    const expected = expectedEndings(job, stop);
    const state = read.state ?? '?';
    // An open job is lost, unless its plan is to be left suspended and it is.
    if (!['completed', 'failed', 'trashed'].includes(state) && !(state === 'suspended' && expected.includes(state))) {
      lost.push(`${job.id} (${job.body.type}): still ${state} after ${read.attempts} attempts${describeStop(stop)}`);
      continue;
    }
    const attempts = read.attempts ?? 0;
    const problem = !expected.includes(state) ? `${state}, expected ${expected.join(' or ')}` : state === 'completed' ? resultProblem(job, read.result, attempts) : undefined;
    if (problem !== undefined) unexpected.push(`${job.id} (${job.body.type} ${JSON.stringify(job.body.payload)}): ${problem}${describeStop(stop)}`);
    else if (state === 'completed') completed++;
    else if (state === 'failed') failedAsExpected++;
    else if (state === 'trashed') trashedAsExpected++;
    else suspendedAsExpected++;
    // Runs that gave their attempt back (released, stopped into suspended) are not reruns.
    const logged = (result.detection.runs.get(job.id) ?? []).filter((r) => !gaveAttemptBack(r)).length;
    const claims = Math.max(logged, attempts);
    if (claims > job.expectedClaims) {
      extraRuns += claims - job.expectedClaims;
      const endings = (result.detection.runs.get(job.id) ?? []).map((r) => `#${r.attempt}:${r.ending}@L${r.lifetime}`).join(' ');
      reruns.push(`${job.id} (${job.body.type}): ${claims} claims, plan ${job.expectedClaims} [${endings}]`);
    }
  }
  const p = result.poster;
  const postedAfterRestart = [...p.acceptedByLifetime.entries()].filter(([lifetime]) => lifetime > 0).reduce((sum, [, n]) => sum + n, 0);
  const failures: string[] = [];
  const warnings: string[] = [];
  if (result.fatal !== undefined) failures.push(`the soak stopped on an error: ${result.fatal}`);
  if (lost.length > 0) failures.push(`${lost.length} accepted jobs lost (not final, or missing)`);
  if (unexpected.length > 0) failures.push(`${unexpected.length} jobs ended other than planned`);
  if (result.detection.doubleRunJobs.size > 0) failures.push(`${result.detection.doubleRunJobs.size} jobs ran more than once concurrently`);
  const stops = countStops(result);
  const ranAfterCancel = new Set(result.cancelCheck.findings.map((f) => f.jobId)).size;
  if (ranAfterCancel > 0) failures.push(`${ranAfterCancel} cancelled jobs ran or completed after their cancel was acknowledged`);
  if (stops.problems.length > 0) failures.push(`${stops.problems.length} stop requests answered unexpectedly (first: ${stops.problems[0]})`);
  const limit = result.boardLimit;
  if (limit !== undefined && limit.findings.length > 0) failures.push(`board ${limit.board} ran ${limit.peak} jobs at once, over its maxRunning ${limit.limit}`);
  const misplaced = placementMismatches(result);
  if (misplaced.length > 0) failures.push(`${misplaced.length} jobs read back on another board or priority (first: ${misplaced[0]})`);
  failures.push(...coordinationFailures(result));
  // Unique posts refused while their key was held are expected; every other planned job must be accepted.
  const acceptable = result.plan.length - p.refusedDuplicate;
  if (p.accepted < acceptable) failures.push(`${acceptable - p.accepted} planned jobs were never accepted (${p.gaveUp} given up at the budget, ${p.conflicts} × 409, ${p.rejected} × other 4xx, ${p.orphaned} children of unaccepted parents)`);
  if (result.kills.length < result.options.cycles) failures.push(`only ${result.kills.length} of ${result.options.cycles} kill cycles happened`);
  if (result.budgetExceeded) failures.push(`the ${result.options.maxMinutes}-minute budget ran out`);
  const survivors = result.kills.filter((k) => k.survivors.length > 0);
  if (survivors.length > 0) failures.push(`processes outlived ${survivors.length} kills: ${survivors.map((k) => k.survivors.join(', ')).join('; ')}`);
  if (result.stop.survivors.length > 0) failures.push(`processes outlived the final stop: ${result.stop.survivors.join(', ')}`);
  if (p.replayedOnFirstTry > 0) warnings.push(`${p.replayedOnFirstTry} first POSTs answered 200 (nothing had created those jobs before)`);
  if (result.crashes > 0) warnings.push(`the stack exited on its own ${result.crashes} times`);
  if (!result.stop.cleanly) warnings.push('the final SIGTERM stop was not clean');
  if (result.queueDrained === false) warnings.push('the postings queue still held messages at the end');
  if (result.detection.orphanEnds > 0) warnings.push(`${result.detection.orphanEnds} run-ending log lines matched no claim`);
  if (result.log.errorLines.length > 0) warnings.push(`${result.log.countLevel('error')} error-level log lines (first: ${result.log.errorLines[0]?.slice(0, 300)})`);
  if (result.stderrOddities.length > 0) warnings.push(`${result.stderrOddities.length} unexpected stderr lines (first: ${result.stderrOddities[0]?.line.slice(0, 300)})`);
  if (result.log.stdoutNotJson > 0) warnings.push(`${result.log.stdoutNotJson} stdout lines were not JSON`);
  return {
    planned: result.plan.length,
    posted: p.accepted,
    created: p.created,
    replayed: p.replayed + p.replayedOnFirstTry,
    postedAfterRestart,
    completed,
    failedAsExpected,
    failedUnexpectedly: unexpected.length,
    trashedAsExpected,
    suspendedAsExpected,
    stops,
    ranAfterCancel,
    lost: lost.length,
    concurrentDoubleRuns: result.detection.doubleRunJobs.size,
    rerunJobs: reruns.length,
    extraRuns,
    kills: result.kills.length,
    duplicatesInjected: result.duplicates.injected,
    duplicateJobs: result.duplicates.jobs,
    wallMs: result.wallMs,
    passed: failures.length === 0,
    failures,
    warnings,
    examples: { lost: lost.slice(0, EXAMPLES), unexpected: unexpected.slice(0, EXAMPLES), reruns: reruns.slice(0, EXAMPLES) },
  };
}

/** The final table and the evidence, as lines of text. */
export function formatReport(result: SoakResult, summary: SoakSummary): string {
  const k = result.kills;
  const byMode = (mode: string) => k.filter((x) => x.mode === mode).length;
  const rows: [string, string][] = [
    ['planned', String(summary.planned)],
    ['posted (accepted with 2xx)', `${summary.posted}  (201: ${summary.created}, 200 on retry: ${summary.replayed}; ${summary.postedAfterRestart} after a restart; ${result.poster.refusedDuplicate} unique posts refused 409)`],
    ['completed', String(summary.completed)],
    ['failed as expected (demo.fail)', String(summary.failedAsExpected)],
    ['trashed as expected (cancelled)', String(summary.trashedAsExpected)],
    ['left suspended as expected (never resumed)', String(summary.suspendedAsExpected)],
    ['ended other than planned', String(summary.failedUnexpectedly)],
    ['lost', String(summary.lost)],
    ['run more than once concurrently', String(summary.concurrentDoubleRuns)],
    ['run more than once (sequential, allowed)', `${summary.rerunJobs} jobs, ${summary.extraRuns} extra runs`],
    ['kills done', `${summary.kills}  (node only: ${byMode('node')}, whole group: ${byMode('group')})`],
    ['duplicates injected', `${summary.duplicatesInjected}  (into ${summary.duplicateJobs} jobs)`],
    ...stopRows(result, summary.stops),
    ...coordinationRows(result),
    ['wall time', `${(summary.wallMs / 1_000).toFixed(1)} s`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const out: string[] = ['', '── soak result ' + '─'.repeat(50)];
  for (const [label, value] of rows) out.push(`  ${label.padEnd(width)}  ${value}`);
  out.push('', `  seed ${result.options.seed}, window ${result.window}, POST retries on connection errors ${result.poster.connectionRetries}, on 5xx ${result.poster.serverErrorRetries}`);
  out.push(`  overlaps fenced by claim_lost ${result.detection.fencedOverlaps}, overlaps ended by a kill ${result.detection.overlapsEndedByDeath}, claims unlogged before a kill ${result.detection.unloggedClaims}`);
  for (const kill of k) {
    out.push(
      `  kill of lifetime ${kill.lifetime} (${kill.mode}): ${kill.runsInFlight} runs in flight, ${kill.acceptedBefore} accepted / ${kill.finishedBefore} finished before; ` +
        `group gone in ${kill.groupGoneAfterMs} ms; down ${(kill.downMs / 1_000).toFixed(1)} s`,
    );
  }
  for (const repair of result.log.startupRepairs) out.push(`  lifetime ${repair.lifetime} start-up repair re-posted ${repair.reposted} open jobs`);
  const notable = [...result.log.eventCounts.entries()].filter(([key]) => !key.startsWith('info ')).sort();
  if (notable.length > 0) out.push(`  warn/error log lines: ${notable.map(([key, n]) => `${key} ×${n}`).join(', ')}`);
  const findings = [...result.detection.findings, ...result.cancelCheck.findings, ...(result.boardLimit?.findings ?? []), ...result.coordinationCheck.findings];
  if (findings.length > 0) {
    out.push('', '  FINDINGS:');
    for (const f of findings.slice(0, 20)) out.push(`    ${f.jobId} [${f.kind}] ${f.detail}`);
    if (findings.length > 20) out.push(`    … and ${findings.length - 20} more`);
  }
  const section = (title: string, items: string[]) => {
    if (items.length === 0) return;
    out.push('', `  ${title}:`);
    for (const item of items) out.push(`    ${item}`);
  };
  section('LOST', summary.examples.lost);
  section('ENDED OTHER THAN PLANNED', summary.examples.unexpected);
  section('sequential reruns (examples)', summary.examples.reruns);
  section('POST problems', result.poster.problems);
  section('error log lines', result.log.errorLines.slice(0, 5));
  section('unexpected stderr', result.stderrOddities.slice(0, 5).map((o) => `[lifetime ${o.lifetime}] ${o.line}`));
  section('warnings', summary.warnings);
  out.push('');
  out.push(
    summary.passed
      ? '  PASS: nothing lost, no concurrent double run, nothing ended other than planned, no cancelled job ran after its cancel' +
          (result.boardLimit !== undefined ? `, board ${result.boardLimit.board} within maxRunning` : '') +
          ', scopes within their limits, one unfinished job per uniqueKey, children only after their parents'
      : `  FAIL: ${summary.failures.join('; ')}`,
  );
  out.push(`  logs and data: ${result.runDir}`);
  return out.join('\n');
}
