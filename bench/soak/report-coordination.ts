/**
 * The report's part on scopes, unique keys and dependencies (coordination.ts plans them,
 * coordination-checks.ts judges them): rows of the result table and reasons to fail.
 */
import { HTTP_ROUTES } from '../../lib/http/contract.js';
import type { SoakResult } from './driver.js';

/** Whether the API has schedules yet; the soak does not drive them (see BENCHMARKS.md). */
export function schedulesNote(): string {
  const route = HTTP_ROUTES.some((r) => r.method === 'PUT' && (r.path as string) === '/schedules/{name}');
  return route ? 'not soaked: PUT /schedules/{name} exists, the soak does not drive it yet' : 'skipped: the API has no PUT /schedules/{name}';
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
    ['schedules', schedulesNote()],
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
  if (result.poster.orphaned > 0) failures.push(`${result.poster.orphaned} children never posted: a parent was not accepted`);
  return failures;
}
