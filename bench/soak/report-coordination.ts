/**
 * The report's part on scopes, unique keys and dependencies (coordination.ts plans them,
 * coordination-checks.ts judges them): rows of the result table and reasons to fail.
 */
import type { SoakResult } from './driver.js';

/** The soak's schedule (every 2 s through the kills): slots created, and any posted twice, off the period or never ended. */
export function schedulesNote(result: SoakResult): string {
  const s = result.schedule;
  return `every 2 s on board soak-sched (PUT answered ${s.setStatus ?? 'nothing'}): ${s.slots} slots posted, ${s.postedTwice.length} posted twice, ${s.offPeriod.length} off the period, ${s.unfinished.length} never ended`;
}

export function coordinationRows(result: SoakResult): [string, string][] {
  const { scopes, unique: u, dependencies: d } = result.coordinationCheck;
  const plan = result.coordination;
  return [
    ['scopes (peak runs at once / limit)', scopes.map((s) => `${s.key}: ${s.peak}/${s.limit} over ${s.jobs} jobs, ${s.runs} runs${s.peakWithFenced > s.peak ? ` (${s.peakWithFenced} with fenced runs)` : ''}`).join('; ')],
    [
      'unique keys',
      `${u.posts} posts on ${u.keys} keys in ${plan.uniqueRounds} rounds: ${u.accepted} accepted (${u.acceptedAfterFinal} after an earlier holder ended), ${u.refused} refused 409 while held` +
        (u.refusedRetried > 0 ? `, ${u.refusedRetried} refused after a lost try yet created` : '') +
        (u.stampOverlaps > 0 ? `; ${u.stampOverlaps} createdAt stamps before the holder's end (replaced a final holder)` : ''),
    ],
    [
      'dependencies',
      `${d.children} children in ${plan.groups.chain} chains and ${plan.groups.diamond} diamonds (${plan.groups.failing} with a failing root): ` +
        `${d.ranAfterParents} ran after their parents (least gap ${d.minStartGapMs === undefined ? '-' : `${d.minStartGapMs} ms`}), ${d.postedWaiting} posted before a parent ended, ` +
        `${d.failedByParent} failed by a parent unclaimed, ${d.ranAfterFailure} ran after a failed parent (onParentFailure run), ${d.stranded} stranded waiting; ${d.releasedLines} job_released by parents`,
    ],
    ['schedules', schedulesNote(result)],
  ];
}

export function coordinationFailures(result: SoakResult): string[] {
  const failures: string[] = [];
  const findings = result.coordinationCheck.findings;
  const count = (kind: string) => findings.filter((f) => f.kind === kind).length;
  for (const s of result.coordinationCheck.scopes) if (s.peak > s.limit) failures.push(`scope ${s.key} ran ${s.peak} jobs at once, over its limit ${s.limit}`);
  const unique = count('unique-overlap');
  if (unique > 0) failures.push(`${unique} pairs of jobs with the same uniqueKey were unfinished at once`);
  const refusals = count('unique-refusal-wrong') + count('unique-refused-but-created');
  if (refusals > 0) failures.push(`${refusals} uniqueKey refusals named no unfinished holder, or created the job anyway`);
  const early = count('child-started-early');
  if (early > 0) failures.push(`${early} children started before every parent ended`);
  const stranded = count('child-stranded');
  if (stranded > 0) failures.push(`${stranded} children left waiting`);
  const policy = count('child-not-failed-by-parent') + count('child-did-not-run');
  if (policy > 0) failures.push(`${policy} children of failed parents did not follow onParentFailure`);
  const s = result.schedule;
  if (s.setStatus !== 200) failures.push(`PUT /schedules answered ${s.setStatus ?? 'nothing'}`);
  else if (s.slots === 0) failures.push('the schedule posted no slot');
  if (s.postedTwice.length + s.offPeriod.length + s.unfinished.length > 0) failures.push(`schedule slots: ${s.postedTwice.length} posted twice, ${s.offPeriod.length} off the period, ${s.unfinished.length} never ended`);
  if (result.poster.orphaned > 0) failures.push(`${result.poster.orphaned} children never posted: a parent was not accepted`);
  return failures;
}
