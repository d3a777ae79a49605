/**
 * The coordination part of the soak's plan: scopes, unique keys and dependencies, laid over the
 * jobs `planJobs` decided (its own random stream, so the base mix of a seed does not shift).
 * Only jobs without an operator's stop take a role, and each job at most one:
 *
 * - scoped: `demo.sleep` of 300–800 ms holding `soak-scope-1` (limit 1, ~10% of jobs) or
 *   `{key: 'soak-scope-2', limit: 2}` (~5%; one in five of those also holds `soak-scope-1`), on
 *   every board, so that runs would overlap if the scope did not keep them apart;
 * - unique: rounds of 2–3 consecutive posts with the same `uniqueKey` (3 keys, ~5% of jobs in
 *   all, rounds spread over the run): posted almost at once, so one is accepted (201) and the
 *   others meet it unfinished (409 DuplicateError), while a later round of the same key finds the
 *   holder final and is accepted again. A holder sleeps 0.8–2.5 s, or fails at once (a failed
 *   holder frees its key too);
 * - dependencies (~10% of jobs): chains A → B → C and diamonds A → {B, C} → D over consecutive
 *   jobs; in half the groups the root fails permanently (`demo.fail`, `permanent: true`), and
 *   each child says `onParentFailure` `fail` (or leaves the default) or `run`. A child of a parent
 *   that ends failed under `fail` must end failed without a claim (`failedByParent`); under `run`
 *   it runs as planned once every parent is final.
 */
import type { PlannedJob } from './plan.js';
import type { SeededRandom } from './random.js';

export const SCOPE_ONE = { key: 'soak-scope-1', limit: 1 } as const;
export const SCOPE_TWO = { key: 'soak-scope-2', limit: 2 } as const;
export const SCOPES = [SCOPE_ONE, SCOPE_TWO] as const;
export const COORDINATION_MIX = { scopeOne: 0.1, scopeTwo: 0.05, bothOfScopeTwo: 0.2, unique: 0.05, dependencies: 0.1 } as const;
export const SCOPED_SLEEP_MS = { min: 300, max: 800 } as const;
export const UNIQUE_SLEEP_MS = { min: 800, max: 2_500 } as const;
export const UNIQUE_KEYS = 3;

/** Shapes of dependency groups: for each member, the members (by offset) it depends on. */
const SHAPES: Record<'chain' | 'diamond', number[][]> = {
  chain: [[], [0], [1]],
  diamond: [[], [0], [0], [1, 2]],
};

/** Counts of what the plan laid over the jobs, for the report. */
export interface CoordinationPlan {
  scoped: Record<string, number>;
  uniqueRounds: number;
  uniquePosts: number;
  groups: { chain: number; diamond: number; failing: number };
  children: number;
  childrenFailedByParent: number;
  childrenRunAfterFailure: number;
}

export function planCoordination(jobs: PlannedJob[], random: SeededRandom): CoordinationPlan {
  const taken = new Set<number>();
  const free = (i: number, size: number) => i + size <= jobs.length && Array.from({ length: size }, (_, k) => i + k).every((j) => !taken.has(j) && jobs[j]?.stop === undefined);
  const plan: CoordinationPlan = { scoped: {}, uniqueRounds: 0, uniquePosts: 0, groups: { chain: 0, diamond: 0, failing: 0 }, children: 0, childrenFailedByParent: 0, childrenRunAfterFailure: 0 };
  // Unique rounds first, spread evenly over the run.
  const posts = jobs.length < 10 ? 0 : Math.max(6, Math.round(jobs.length * COORDINATION_MIX.unique));
  const rounds = Math.ceil(posts / 2.5);
  for (let r = 0; r < rounds; r++) {
    const size = random.int(2, 3);
    let at = Math.floor(((r + random.between(0.2, 0.8)) * jobs.length) / rounds);
    while (at < jobs.length && !free(at, size)) at++;
    if (at >= jobs.length) continue;
    plan.uniqueRounds++;
    for (let k = 0; k < size; k++) {
      const job = jobs[at + k] as PlannedJob;
      taken.add(at + k);
      plan.uniquePosts++;
      const base = { id: job.id, board: job.body.board, priority: job.body.priority, uniqueKey: `soak-unique-${r % UNIQUE_KEYS}` };
      if (random.chance(0.25)) {
        Object.assign(job, { body: { ...base, type: 'demo.fail', payload: { permanent: true, message: 'soak: unique holder failing' }, maxAttempts: 1 }, expectedState: 'failed', expectedClaims: 1 });
      } else {
        Object.assign(job, { body: { ...base, type: 'demo.sleep', payload: { ms: Math.round(random.between(UNIQUE_SLEEP_MS.min, UNIQUE_SLEEP_MS.max)) } }, expectedState: 'completed', expectedClaims: 1 });
      }
    }
  }
  // Then dependency groups and scoped jobs, in one pass.
  const groupStart = COORDINATION_MIX.dependencies / 3.5;
  for (let i = 0; i < jobs.length; i++) {
    if (!free(i, 1)) continue;
    const roll = random.next();
    if (roll < groupStart) {
      const shape = random.chance(0.5) ? 'chain' : 'diamond';
      const members = SHAPES[shape];
      if (!free(i, members.length)) continue;
      const failing = random.chance(0.5);
      plan.groups[shape]++;
      if (failing) plan.groups.failing++;
      members.forEach((parents, k) => {
        const job = jobs[i + k] as PlannedJob;
        taken.add(i + k);
        if (k === 0 && failing) {
          Object.assign(job, { body: { ...job.body, type: 'demo.fail', payload: { permanent: true, message: 'soak: failing parent' }, maxAttempts: 2 }, expectedState: 'failed', expectedClaims: 1 });
        }
        if (parents.length === 0) return;
        job.body.dependsOn = parents.map((p) => (jobs[i + p] as PlannedJob).id);
        const policy = random.next();
        if (policy < 0.4) job.body.onParentFailure = 'run';
        else if (policy < 0.7) job.body.onParentFailure = 'fail';
      });
      i += members.length - 1;
    } else if (roll < groupStart + COORDINATION_MIX.scopeOne) {
      scope(jobs[i] as PlannedJob, [SCOPE_ONE.key], random);
      taken.add(i);
    } else if (roll < groupStart + COORDINATION_MIX.scopeOne + COORDINATION_MIX.scopeTwo) {
      scope(jobs[i] as PlannedJob, random.chance(COORDINATION_MIX.bothOfScopeTwo) ? [{ ...SCOPE_TWO }, SCOPE_ONE.key] : [{ ...SCOPE_TWO }], random);
      taken.add(i);
    }
  }
  // What each child must end as: parents come earlier in the plan, so one pass in order suffices.
  const byId = new Map(jobs.map((job) => [job.id, job]));
  for (const job of jobs) {
    if (job.body.dependsOn === undefined) continue;
    plan.children++;
    const parentFails = job.body.dependsOn.some((id) => byId.get(id)?.expectedState === 'failed');
    if (!parentFails) continue;
    if ((job.body.onParentFailure ?? 'fail') === 'fail') {
      Object.assign(job, { expectedState: 'failed', expectedClaims: 0, failedByParent: true });
      plan.childrenFailedByParent++;
    } else plan.childrenRunAfterFailure++;
  }
  for (const job of jobs) for (const s of job.body.scopes ?? []) plan.scoped[typeof s === 'string' ? s : s.key] = (plan.scoped[typeof s === 'string' ? s : s.key] ?? 0) + 1;
  return plan;
}

function scope(job: PlannedJob, scopes: NonNullable<PlannedJob['body']['scopes']>, random: SeededRandom): void {
  const ms = Math.round(random.between(SCOPED_SLEEP_MS.min, SCOPED_SLEEP_MS.max));
  const { id, board, priority } = job.body;
  Object.assign(job, { body: { id, board, priority, type: 'demo.sleep', payload: { ms }, scopes }, expectedState: 'completed', expectedClaims: 1 });
}

/** The scope keys a body holds, with their limits. */
export function scopesOf(job: PlannedJob): { key: string; limit: number }[] {
  return (job.body.scopes ?? []).map((s) => (typeof s === 'string' ? { key: s, limit: 1 } : s));
}

/**
 * Jobs final without a log line: a child failed because of a parent is written by whoever tells
 * it, and that write is not reported. Counted as final once the log shows a parent that fails it
 * final (the parent's own line follows the telling), so the posting window does not fill up with them.
 */
export function silentFinishes(jobs: readonly PlannedJob[]): (finished: ReadonlySet<string>) => number {
  const byId = new Map(jobs.map((job) => [job.id, job]));
  const children = jobs.filter((job) => job.failedByParent === true);
  return (finished) => {
    const done = new Set<string>();
    // In plan order: a grandchild is failed by a child failed by its parent.
    for (const child of children) {
      const told = (child.body.dependsOn ?? []).some((id) => byId.get(id)?.expectedState === 'failed' && (finished.has(id) || done.has(id)));
      if (told && !finished.has(child.id)) done.add(child.id);
    }
    return done.size;
  };
}
