/**
 * What scopes, unique keys and dependencies add to the verdict (coordination.ts plans them).
 * Pure: no I/O, no clock. Times are the stack's (one machine clock for every lifetime).
 *
 * - Scopes: per scope key, the most runs of jobs holding it open at once, with the board check's
 *   intervals and its ordering rule (stop-checks.ts): a holder releases its scope after its ending
 *   write and before its line, which may come later still (a parent tells its children between
 *   the two), so a claim logged at or after the holder's `endedAt` does not overlap it. Runs ended
 *   by `claim_lost` (their lease ran out, so a claimant could clear their entry) are left out.
 * - Unique keys: two accepted jobs of a key were both unfinished at once unless one was written
 *   after the other's final write. A job is written before its `job_posted` line (or, without one,
 *   before its post's answer), and its final write comes after its `endedAt` stamp, so "B accepted
 *   at or after A's endedAt, or A at or after B's" must hold for every pair. (The plain
 *   createdAt–endedAt intervals may overlap by a few ms: `createdAt` is stamped before a post that
 *   finds the holder final and replaces it; counted for information.) A 409 must name an accepted
 *   job of the same key that was unfinished during the request: created before the answer, and
 *   final (its final line) only after the request was sent. A refused id must not exist.
 * - Dependencies: no claim of a child stamped before its last parent's `endedAt` (history
 *   `startedAt`, job `startedAt`); no child left `waiting`; a child of a parent that failed under
 *   `onParentFailure: fail` ended `failed` by `ParentFailedError` with 0 attempts and no claim;
 *   under `run` it ran.
 */
import { peakOverlap, type EndedAt } from './stop-checks.js';
import type { Finding, RunInterval, TransitionLine } from './detector.js';
import type { ReadBack } from './http.js';
import type { PlannedJob } from './plan.js';
import type { UniqueAnswer } from './poster.js';
import { SCOPES, scopesOf } from './coordination.js';

export type CoordinationFindingKind =
  | 'scope-over-limit'
  | 'unique-overlap'
  | 'unique-refusal-wrong'
  | 'unique-refused-but-created'
  | 'child-started-early'
  | 'child-stranded'
  | 'child-not-failed-by-parent'
  | 'child-did-not-run';

export interface ScopeCheck {
  key: string;
  limit: number;
  jobs: number;
  runs: number;
  peak: number;
  /** Counting claim_lost runs too (information). */
  peakWithFenced: number;
}

export interface UniqueCheck {
  keys: number;
  posts: number;
  accepted: number;
  /** Accepted while an earlier job of the key existed, final by then: the key was taken over. */
  acceptedAfterFinal: number;
  refused: number;
  /** Refused ids read back with a retried post (a lost try might in theory have created them). */
  refusedRetried: number;
  /** Pairs whose createdAt–endedAt intervals touch, explained by createdAt's early stamp (information). */
  stampOverlaps: number;
}

export interface DependencyCheck {
  children: number;
  /** Posted while a parent was unfinished (created before the last parent's end). */
  postedWaiting: number;
  ranAfterParents: number;
  failedByParent: number;
  ranAfterFailure: number;
  stranded: number;
  /** Least time from the last parent's end to a child's first claim, ms. */
  minStartGapMs: number | undefined;
  releasedLines: number;
}

export interface CoordinationCheck {
  scopes: ScopeCheck[];
  unique: UniqueCheck;
  dependencies: DependencyCheck;
  findings: Finding[];
}

export interface CoordinationInput {
  plan: readonly PlannedJob[];
  acceptedIds: ReadonlySet<string>;
  runs: ReadonlyMap<string, RunInterval[]>;
  lines: readonly TransitionLine[];
  readBack: ReadonlyMap<string, ReadBack>;
  uniqueAnswers: readonly UniqueAnswer[];
  endedAt: EndedAt;
}

const FINAL_EVENTS = new Set(['job_consumed', 'job_failed', 'job_trashed']);

export function checkCoordination(input: CoordinationInput): CoordinationCheck {
  const findings: Finding[] = [];
  const accepted = input.plan.filter((job) => input.acceptedIds.has(job.id));
  // First job_posted and first final line of each job, by time.
  const postedAt = new Map<string, number>();
  const finalLineAt = new Map<string, number>();
  for (const line of input.lines) {
    const into = line.event === 'job_posted' ? postedAt : FINAL_EVENTS.has(line.event) ? finalLineAt : undefined;
    if (into !== undefined && !(into.get(line.jobId)! <= line.timeMs)) into.set(line.jobId, line.timeMs);
  }

  const scopes = SCOPES.map(({ key, limit }): ScopeCheck => {
    const holders = accepted.filter((job) => scopesOf(job).some((s) => s.key === key));
    const all = holders.flatMap((job) => input.runs.get(job.id) ?? []);
    const live = all.filter((r) => r.ending !== 'claimLost');
    const { peak, at } = peakOverlap(live, input.endedAt);
    if (peak > limit) findings.push({ jobId: at.map((r) => r.jobId).join(','), kind: 'scope-over-limit', detail: `scope ${key} (limit ${limit}) had ${peak} runs at once: ${at.map((r) => `${r.jobId}#${r.attempt}@L${r.lifetime}:${r.start.seq}`).join(' ')}` });
    return { key, limit, jobs: holders.length, runs: all.length, peak, peakWithFenced: peakOverlap(all, input.endedAt).peak };
  });

  return { scopes, unique: checkUnique(input, postedAt, finalLineAt, findings), dependencies: checkDependencies(input, accepted, findings), findings };
}

function checkUnique(input: CoordinationInput, postedAt: Map<string, number>, finalLineAt: Map<string, number>, findings: Finding[]): UniqueCheck {
  const answers = input.uniqueAnswers;
  const planned = input.plan.filter((job) => job.body.uniqueKey !== undefined);
  const keys = [...new Set(planned.map((job) => job.body.uniqueKey as string))];
  const check: UniqueCheck = { keys: keys.length, posts: answers.length, accepted: 0, acceptedAfterFinal: 0, refused: 0, refusedRetried: 0, stampOverlaps: 0 };
  const answerOf = new Map(answers.map((a) => [a.jobId, a]));
  for (const key of keys) {
    const jobs = planned
      .filter((job) => job.body.uniqueKey === key && input.acceptedIds.has(job.id))
      .map((job) => {
        const read = input.readBack.get(job.id);
        const acceptedAt = postedAt.get(job.id) ?? answerOf.get(job.id)?.answeredAtMs ?? Number.POSITIVE_INFINITY;
        return { id: job.id, acceptedAt, createdAt: read?.createdAtMs ?? acceptedAt, endedAt: read?.endedAtMs ?? Number.POSITIVE_INFINITY, state: read?.state };
      })
      .sort((a, b) => a.createdAt - b.createdAt);
    check.accepted += jobs.length;
    check.acceptedAfterFinal += Math.max(0, jobs.length - 1);
    for (let i = 0; i < jobs.length; i++) {
      for (let j = i + 1; j < jobs.length; j++) {
        const a = jobs[i]!;
        const b = jobs[j]!;
        if (a.createdAt < b.endedAt && b.createdAt < a.endedAt) check.stampOverlaps++;
        if (b.acceptedAt >= a.endedAt || a.acceptedAt >= b.endedAt) continue;
        findings.push({
          jobId: `${a.id},${b.id}`,
          kind: 'unique-overlap',
          detail: `uniqueKey ${key}: ${a.id} (created ${iso(a.createdAt)}, ended ${iso(a.endedAt)}, ${a.state}) and ${b.id} (created ${iso(b.createdAt)}, accepted by ${iso(b.acceptedAt)}, ended ${iso(b.endedAt)}, ${b.state}) were unfinished at once`,
        });
      }
    }
  }
  for (const answer of answers) {
    if (answer.status !== 409) continue;
    if (answer.holder === answer.jobId) {
      findings.push({ jobId: answer.jobId, kind: 'unique-refusal-wrong', detail: `409 DuplicateError named the posted job itself (a repeated post of an existing job answers 200)` });
      continue;
    }
    check.refused++;
    const holder = answer.holder ?? '?';
    const read = input.readBack.get(holder);
    const plannedKey = input.plan.find((job) => job.id === holder)?.body.uniqueKey;
    const finalAt = finalLineAt.get(holder) ?? (read?.endedAtMs === undefined ? Number.POSITIVE_INFINITY : read.endedAtMs + 1_000);
    const problem = !input.acceptedIds.has(holder)
      ? 'a job never accepted'
      : plannedKey !== answer.key || read?.uniqueKey !== answer.key
        ? `a job of another key (${read?.uniqueKey ?? plannedKey ?? 'none'})`
        : (read?.createdAtMs ?? 0) > answer.answeredAtMs
          ? `a job created after the answer (${iso(read?.createdAtMs ?? 0)})`
          : finalAt < answer.sentAtMs
            ? `a job already final before the request (final logged ${iso(finalAt)}, ${read?.state ?? '?'})`
            : undefined;
    if (problem !== undefined) {
      findings.push({ jobId: answer.jobId, kind: 'unique-refusal-wrong', detail: `409 for uniqueKey ${answer.key} (sent ${iso(answer.sentAtMs)}, answered ${iso(answer.answeredAtMs)}) named ${holder}: ${problem}` });
    }
    const created = input.readBack.get(answer.jobId);
    if (created?.status === 200) {
      if (answer.retried) check.refusedRetried++;
      else findings.push({ jobId: answer.jobId, kind: 'unique-refused-but-created', detail: `refused with 409 on its only try, yet GET finds it ${created.state ?? '?'}` });
    }
  }
  return check;
}

function checkDependencies(input: CoordinationInput, accepted: readonly PlannedJob[], findings: Finding[]): DependencyCheck {
  const check: DependencyCheck = { children: 0, postedWaiting: 0, ranAfterParents: 0, failedByParent: 0, ranAfterFailure: 0, stranded: 0, minStartGapMs: undefined, releasedLines: 0 };
  check.releasedLines = input.lines.filter((l) => l.event === 'job_released' && l.by === 'parents').length;
  for (const job of accepted) {
    const parentIds = job.body.dependsOn;
    if (parentIds === undefined) continue;
    check.children++;
    const read = input.readBack.get(job.id);
    if (read?.status !== 200) continue; // lost: the report counts it
    const parents = parentIds.map((id) => ({ id, read: input.readBack.get(id) }));
    const lastEnd = Math.max(...parents.map((p) => p.read?.endedAtMs ?? Number.POSITIVE_INFINITY));
    if ((read.createdAtMs ?? 0) < lastEnd) check.postedWaiting++;
    if (read.state === 'waiting') {
      check.stranded++;
      findings.push({ jobId: job.id, kind: 'child-stranded', detail: `still waiting on ${(read.waitingOn ?? []).join(', ') || 'nobody'}; parents ${parents.map((p) => `${p.id} ${p.read?.state ?? '?'}`).join(', ')}` });
      continue;
    }
    const starts = [...(read.history ?? []).map((a) => a.startedAtMs), ...(read.startedAtMs === undefined ? [] : [read.startedAtMs])].filter(Number.isFinite);
    const claims = (input.runs.get(job.id) ?? []).length;
    if (starts.length > 0 || claims > 0) {
      const firstStart = starts.length > 0 ? Math.min(...starts) : Number.NEGATIVE_INFINITY;
      if (firstStart < lastEnd) {
        findings.push({
          jobId: job.id,
          kind: 'child-started-early',
          detail: `claimed ${iso(firstStart)} (${claims} claims logged), before its parents ended: ${parents.map((p) => `${p.id} ${p.read?.state ?? '?'} ended ${iso(p.read?.endedAtMs ?? Number.POSITIVE_INFINITY)}`).join(', ')}`,
        });
      } else {
        check.ranAfterParents++;
        check.minStartGapMs = Math.min(check.minStartGapMs ?? Number.POSITIVE_INFINITY, firstStart - lastEnd);
      }
    }
    const failedParent = parents.find((p) => p.read?.state === 'failed' || p.read?.state === 'trashed');
    if (failedParent === undefined) continue;
    const policy = job.body.onParentFailure ?? 'fail';
    if (policy === 'fail') {
      const byParent = read.state === 'failed' && read.attempts === 0 && claims === 0 && (read.errorNames ?? []).includes('ParentFailedError');
      if (byParent) check.failedByParent++;
      else findings.push({ jobId: job.id, kind: 'child-not-failed-by-parent', detail: `parent ${failedParent.id} ended ${failedParent.read?.state}; child is ${read.state} after ${read.attempts} attempts, ${claims} claims, errors [${(read.errorNames ?? []).join(', ')}]` });
    } else if ((read.attempts ?? 0) >= 1 && claims >= 1) check.ranAfterFailure++;
    else findings.push({ jobId: job.id, kind: 'child-did-not-run', detail: `onParentFailure run, parent ${failedParent.id} ${failedParent.read?.state}; child is ${read.state} after ${read.attempts} attempts, errors [${(read.errorNames ?? []).join(', ')}]` });
  }
  return check;
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : 'never';
}
