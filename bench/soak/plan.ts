/**
 * The jobs a soak posts, decided up front from the seed: type mix, payloads, attempt budgets,
 * boards and priorities, what each job must end as, which jobs get duplicate postings, and which
 * an operator cancels or suspends mid-run (see stops.ts). Deciding everything before
 * the run makes a failure replayable and lets the report judge each job against its own plan.
 */
import type { SeededRandom } from './random.js';

export type JobFinalState = 'completed' | 'failed';
export type Priority = 'high' | 'normal' | 'low';

/** The body of `POST /jobs`, with a fixed `id` so a retry after an unknown outcome is idempotent. */
export interface PostBody {
  id: string;
  type: string;
  payload: Record<string, unknown>;
  maxAttempts?: number;
  board: string;
  priority: Priority;
  /** Scope keys (limit 1) or `{key, limit}`: see coordination.ts. */
  scopes?: (string | { key: string; limit: number })[];
  /** At most one unfinished job per key; a post while another holds it is refused (409). */
  uniqueKey?: string;
  /** Ids of earlier planned jobs this one waits for. */
  dependsOn?: string[];
  onParentFailure?: 'fail' | 'run';
}

/**
 * An operator's stop of one job, planned up front. `cancel`: DELETE; `suspend`: suspend, then
 * resume `resumeAfterMs` later; `park`: suspend and never resume (the job must end `suspended`).
 * `when`: act soon after the job was accepted (most likely still `posted`), or once the log shows
 * it claimed (running), each after `delayMs`.
 */
export interface PlannedStop {
  kind: 'cancel' | 'suspend' | 'park';
  when: 'posted' | 'running';
  delayMs: number;
  resumeAfterMs: number;
}

export interface PlannedJob {
  index: number;
  id: string;
  body: PostBody;
  /** The final state the job must reach. */
  expectedState: JobFinalState;
  /** Claims the job takes when nothing crashes; more are sequential reruns (at-least-once). */
  expectedClaims: number;
  /** Duplicate postings to inject, each this many ms after the job was accepted. */
  duplicateDelaysMs: number[];
  /** An operator's cancel or suspend, if any (only long `demo.sleep` jobs get one). */
  stop?: PlannedStop;
  /** A child whose parent is planned to fail under `onParentFailure: fail`: it must end failed, never claimed. */
  failedByParent?: boolean;
}

/** Share of each job type in the mix (sums to 1). Short jobs dominate so a run stays fast. */
export const JOB_MIX = { echo: 0.3, sleep: 0.4, flaky: 0.2, fail: 0.1 } as const;

/** Latest a duplicate is sent after its job was accepted: long enough to land mid-run or after. */
export const DUPLICATE_SPREAD_MS = 8_000;

/** The boards jobs are spread over, evenly; `--max-running` limits the second one. */
export const BOARDS = ['soak-a', 'soak-b', 'soak-c'] as const;
export const LIMITED_BOARD = BOARDS[1];
/** Share of each priority. */
export const PRIORITY_MIX = { high: 0.25, normal: 0.5, low: 0.25 } as const;
/** A stopped job sleeps this long, so that a stop can land while it runs (renewals come every few seconds). */
export const STOPPED_SLEEP_MS = { min: 2_500, max: 6_000 } as const;

export interface StopFractions {
  /** Share of all jobs cancelled. */
  cancel: number;
  /** Share of all jobs suspended (a quarter of them never resumed). */
  suspend: number;
}

export function planJobs(count: number, seed: number, duplicateFraction: number, random: SeededRandom, stops: StopFractions = { cancel: 0, suspend: 0 }): PlannedJob[] {
  const jobs: PlannedJob[] = [];
  // Own streams, so that boards, priorities and stops do not shift the type mix of a given seed.
  const placing = random.fork('boards');
  const stopping = random.fork('stops');
  for (let index = 0; index < count; index++) {
    const id = `soak-${seed}-${index}`;
    const board = BOARDS[index % BOARDS.length] as string;
    const p = placing.next();
    const priority: Priority = p < PRIORITY_MIX.high ? 'high' : p < PRIORITY_MIX.high + PRIORITY_MIX.normal ? 'normal' : 'low';
    const planned = planOne(index, id, random, board, priority);
    const duplicates = random.chance(duplicateFraction) ? random.int(1, 3) : 0;
    const duplicateDelaysMs = Array.from({ length: duplicates }, () => Math.round(random.between(0, DUPLICATE_SPREAD_MS)));
    const job: PlannedJob = { ...planned, index, id, duplicateDelaysMs };
    if (job.body.type === 'demo.sleep') planStop(job, stopping, stops);
    jobs.push(job);
  }
  return jobs;
}

/** Gives a sleep job a stop with the chances asked for (scaled to the sleep share), and a long sleep. */
function planStop(job: PlannedJob, random: SeededRandom, fractions: StopFractions): void {
  const roll = random.next() * JOB_MIX.sleep;
  const kind = roll < fractions.cancel ? 'cancel' : roll < fractions.cancel + fractions.suspend ? (random.chance(0.25) ? 'park' : 'suspend') : undefined;
  if (kind === undefined) return;
  job.body.payload = { ms: Math.round(random.between(STOPPED_SLEEP_MS.min, STOPPED_SLEEP_MS.max)) };
  const when = random.chance(0.5) ? 'posted' : 'running';
  // Soon after the post (likely still queued), or 0-1.5 s into the run.
  job.stop = { kind, when, delayMs: Math.round(random.between(0, when === 'posted' ? 200 : 1_500)), resumeAfterMs: Math.round(random.between(500, 4_000)) };
}

function planOne(index: number, id: string, random: SeededRandom, board: string, priority: Priority): Pick<PlannedJob, 'body' | 'expectedState' | 'expectedClaims'> {
  const base = { id, board, priority };
  const roll = random.next();
  if (roll < JOB_MIX.echo) {
    return { body: { ...base, type: 'demo.echo', payload: { n: index, note: 'soak' } }, expectedState: 'completed', expectedClaims: 1 };
  }
  if (roll < JOB_MIX.echo + JOB_MIX.sleep) {
    // Squared uniform: mostly short sleeps (median ~0.4 s), a few up to 1.5 s.
    const ms = 50 + Math.round(1_450 * random.next() ** 2);
    return { body: { ...base, type: 'demo.sleep', payload: { ms } }, expectedState: 'completed', expectedClaims: 1 };
  }
  if (roll < JOB_MIX.echo + JOB_MIX.sleep + JOB_MIX.flaky) {
    // failTimes < maxAttempts: a flaky job must complete, whatever crashes in between.
    const failTimes = random.int(0, 2);
    return { body: { ...base, type: 'demo.flaky', payload: { failTimes }, maxAttempts: 5 }, expectedState: 'completed', expectedClaims: failTimes + 1 };
  }
  const permanent = random.chance(0.5);
  const maxAttempts = permanent ? 2 : random.int(1, 3);
  return {
    body: { ...base, type: 'demo.fail', payload: { permanent, message: 'soak: failing on purpose' }, maxAttempts },
    expectedState: 'failed',
    // A permanent error ends the job at its first attempt; a retryable one uses every attempt.
    expectedClaims: permanent ? 1 : maxAttempts,
  };
}

/** Why a final job's result does not match its plan, or undefined when it does. */
export function resultProblem(job: PlannedJob, result: unknown, attempts: number): string | undefined {
  const { type, payload } = job.body;
  const record = (result ?? {}) as Record<string, unknown>;
  switch (type) {
    case 'demo.echo':
      // Compared key-order-free: DynamoDB maps do not keep the order keys were written in.
      return canonical(result) === canonical(payload) ? undefined : `echo result ${JSON.stringify(result)} is not the payload`;
    case 'demo.sleep': {
      const slept = record.sleptMs;
      // Node timers may fire a millisecond early; anything shorter means the sleep was cut.
      return typeof slept === 'number' && slept >= (payload.ms as number) - 2 ? undefined : `sleep result ${JSON.stringify(result)} for ms=${String(payload.ms)}`;
    }
    case 'demo.flaky': {
      const attempt = record.attempt;
      return typeof attempt === 'number' && attempt > (payload.failTimes as number) && attempt === attempts
        ? undefined
        : `flaky result ${JSON.stringify(result)} with failTimes=${String(payload.failTimes)}, attempts=${attempts}`;
    }
    default:
      return undefined;
  }
}

/** JSON with object keys sorted, so equal values compare equal whatever their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}
