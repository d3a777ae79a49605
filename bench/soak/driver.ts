/**
 * Runs one soak: starts the local stack, limits one board (PUT /boards), posts the planned jobs
 * through a window, SIGKILLs and restarts the stack K times at random moments while jobs run,
 * injects duplicate postings, cancels and suspends some jobs (stops.ts), posts scoped, unique and
 * dependent jobs (coordination.ts), then
 * waits until every accepted job is final (or the time budget ends), reads every job back, stops
 * the stack cleanly and hands everything to the detector and the report.
 *
 * Timeline of one run (N jobs, K cycles):
 *   start ─ post… ─ kill 1 at ~1/(K+1) of N finished ─ restart ─ post… ─ … ─ kill K ─ restart
 *   ─ post the rest ─ all final ─ duplicates all sent ─ queue drained ─ GET every job ─ SIGTERM.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SoakOptions } from './args.js';
import { planCoordination, silentFinishes, type CoordinationPlan } from './coordination.js';
import { checkCoordination, type CoordinationCheck } from './coordination-checks.js';
import { detectDoubleRuns, type Detection } from './detector.js';
import { DuplicateInjector } from './duplicates.js';
import { getJson, readAll, requestThroughKills, type ReadBack } from './http.js';
import { LIMITED_BOARD, planJobs, type PlannedJob } from './plan.js';
import { checkSchedule, pauseSchedule, startSchedule, type ScheduleCheck } from './schedule-soak.js';
import { Poster, type PosterStats } from './poster.js';
import { SeededRandom } from './random.js';
import { SoakStack, type KillReport } from './stack-process.js';
import { checkBoardLimit, checkCancels, type BoardLimitCheck, type CancelCheck } from './stop-checks.js';
import { StopController, type StopRecord } from './stops.js';
import { sleep, untilDeadline, waitUntil } from './time.js';
import { TransitionLog } from './transition-log.js';

export type { ReadBack } from './http.js';

export interface KillRecord extends KillReport {
  /** Runs claimed and not yet ended in the killed lifetime, from its log. */
  runsInFlight: number;
  acceptedBefore: number;
  finishedBefore: number;
  /** From the kill until the next lifetime served HTTP. */
  downMs: number;
}

export interface SoakResult {
  schedule: ScheduleCheck;
  options: SoakOptions;
  window: number;
  runDir: string;
  plan: PlannedJob[];
  acceptedIds: Set<string>;
  poster: PosterStats;
  duplicates: { injected: number; jobs: number; sendFailures: number; outstanding: number };
  kills: KillRecord[];
  crashes: number;
  lifetimes: SoakStack['lifetimes'];
  readBack: Map<string, ReadBack>;
  detection: Detection;
  /** The operator's cancels and suspends, by job id. */
  stops: Map<string, StopRecord>;
  cancelCheck: CancelCheck;
  /** What coordination.ts laid over the plan, and what coordination-checks.ts found. */
  coordination: CoordinationPlan;
  coordinationCheck: CoordinationCheck;
  /** The board given maxRunning: the setting's answer and the detector's count; undefined without a limit. */
  boardLimit: (BoardLimitCheck & { setStatus: number | undefined }) | undefined;
  log: TransitionLog;
  stderrOddities: { lifetime: number; line: string }[];
  queueDrained: boolean | undefined;
  budgetExceeded: boolean;
  /** An error that ended the soak early (the stack would not start, …). */
  fatal: string | undefined;
  stop: { cleanly: boolean; afterMs: number; survivors: string[] };
  wallMs: number;
  /** Milestones, for the report: ms since start. */
  milestones: { what: string; atMs: number }[];
}

/** Default window: about half a phase's jobs, so posting spans every lifetime; 20–200. */
export function defaultWindow(jobs: number, cycles: number): number {
  return Math.max(20, Math.min(200, Math.floor(jobs / (2 * (cycles + 1)))));
}

export async function runSoak(options: SoakOptions, say: (message: string) => void): Promise<SoakResult> {
  const startedAt = Date.now();
  const deadline = startedAt + options.maxMinutes * 60_000;
  const milestones: SoakResult['milestones'] = [];
  const mark = (what: string) => {
    milestones.push({ what, atMs: Date.now() - startedAt });
    say(`[${((Date.now() - startedAt) / 1_000).toFixed(1)} s] ${what}`);
  };
  const runDir = mkdtempSync(join(tmpdir(), 'jobboard-soak-'));
  const dataDir = join(runDir, 'data');
  const logDir = join(runDir, 'logs');
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });

  const random = new SeededRandom(options.seed);
  const plan = planJobs(options.jobs, options.seed, options.duplicateFraction, random.fork('plan'), { cancel: options.cancelFraction, suspend: options.suspendFraction });
  const coordination = planCoordination(plan, random.fork('coordination'));
  const killRandom = random.fork('kills');
  const window = options.window || defaultWindow(options.jobs, options.cycles);

  const log = new TransitionLog();

  const stack = new SoakStack({
    dataDir,
    logDir,
    onLine: log.onLine,
    env: {
      JOBBOARD_CONDUCTOR_TIMEOUT_SECONDS: String(options.conductorTimeoutSeconds),
      JOBBOARD_SWEEP_INTERVAL_SECONDS: String(options.sweepIntervalSeconds),
      JOBBOARD_CONDUCTOR_CONCURRENCY: String(options.conductorConcurrency),
      JOBBOARD_LOG_TRANSITIONS: 'true',
    },
  });
  const injector = new DuplicateInjector(stack);
  const stops = new StopController(stack, log, deadline);
  // Final jobs (children failed by a parent log nothing), and parked ones (acknowledged suspended,
  // never resumed): none holds a window slot.
  const silentlyFinished = silentFinishes(plan);
  const finishedCount = () => log.finished.size + silentlyFinished(log.finished) + stops.parked;
  const acceptedIds = new Set<string>();
  const poster = new Poster({
    stack,
    jobs: plan,
    concurrency: options.postConcurrency,
    window,
    finishedCount,
    deadline,
    onAccepted: (job, _lifetime, atMs) => {
      acceptedIds.add(job.id);
      if (job.duplicateDelaysMs.length > 0) injector.schedule({ jobId: job.id, board: job.body.board, priority: job.body.priority }, job.duplicateDelaysMs, atMs);
      stops.schedule(job);
    },
  });

  // Ctrl-C on the soak must not leave a stack (and its Java) behind.
  const interrupted = () => {
    say('interrupted: killing the stack');
    void stack.killGroup().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  const kills: KillRecord[] = [];
  let crashes = 0;
  let expectDown = false;
  let budgetExceeded = false;
  let queueDrained: boolean | undefined;
  let fatal: string | undefined;
  let stop: SoakResult['stop'] = { cleanly: false, afterMs: 0, survivors: [] };
  const readBack = new Map<string, ReadBack>();
  let monitor: Promise<void> = Promise.resolve();
  let monitoring = true;
  let boardSetStatus: number | undefined;
  let scheduleSetStatus: number | undefined;
  try {
    say(`soak: ${options.jobs} jobs, ${options.cycles} kill cycles, seed ${options.seed}, window ${window}, budget ${options.maxMinutes} min; run dir ${runDir}`);
    const first = await stack.start();
    mark(`lifetime 0 up at ${first.url}`);
    if (options.maxRunning > 0) {
      const set = await requestThroughKills(stack, 'PUT', `/boards/${LIMITED_BOARD}`, deadline, { maxRunning: options.maxRunning });
      boardSetStatus = set?.status;
      if (set?.status !== 200) throw new Error(`PUT /boards/${LIMITED_BOARD} answered ${set?.status ?? 'nothing'}`);
      mark(`board ${LIMITED_BOARD}: maxRunning ${options.maxRunning}`);
    }
    scheduleSetStatus = await startSchedule(stack, deadline);
    injector.start();
    const posting = poster.run().then(() => mark(`posting done: ${poster.stats.accepted} accepted`));

    // A stack that dies on its own is a finding (counted), and is restarted so the soak can finish.
    monitor = (async () => {
      while (monitoring) {
        await sleep(250);
        if (!monitoring || expectDown || stack.alive) continue;
        crashes++;
        mark(`the stack exited on its own (lifetime ${stack.lifetimes.at(-1)?.index}); restarting`);
        await stack.start().catch((error: unknown) => say(`restart after crash failed: ${String(error)}`));
      }
    })();

    const firstMode = killRandom.chance(0.5) ? 'node' : 'group';
    for (let k = 1; k <= options.cycles; k++) {
      const fraction = Math.min(0.95, Math.max(0.05, (k + killRandom.between(-0.3, 0.3)) / (options.cycles + 1)));
      const threshold = Math.round(options.jobs * fraction);
      if (!(await waitUntil(() => finishedCount() >= threshold, deadline, 100))) break;
      // A random moment, then make sure something is running: a kill between jobs proves little.
      await sleep(killRandom.between(0, 1_500));
      const current = await untilDeadline(stack.whenUp(), deadline);
      if (current === undefined) break;
      await waitUntil(() => log.runsInFlight(current.index) > 0, Math.min(deadline, Date.now() + 5_000), 20);
      const mode = options.killMode === 'mixed' ? ((k % 2 === 1) === (firstMode === 'node') ? 'node' : 'group') : options.killMode;
      const runsInFlight = log.runsInFlight(current.index);
      const acceptedBefore = poster.stats.accepted;
      const finishedBefore = finishedCount();
      expectDown = true;
      const report = await stack.kill(mode);
      mark(
        `kill ${k}/${options.cycles} (${mode}) of lifetime ${report.lifetime}: ${runsInFlight} runs in flight, ${acceptedBefore} accepted, ${finishedBefore} finished; ` +
          `group gone after ${report.groupGoneAfterMs} ms${report.survivors.length > 0 ? `; SURVIVORS ${report.survivors.join(', ')}` : ''}`,
      );
      // Stay down a moment: posters keep retrying against a dead port meanwhile.
      await sleep(killRandom.between(0, 2_000));
      const next = await stack.start();
      expectDown = false;
      const downMs = Date.now() - report.atMs;
      kills.push({ ...report, runsInFlight, acceptedBefore, finishedBefore, downMs });
      mark(`lifetime ${next.index} up after ${downMs} ms down`);
    }

    await posting;
    await pauseSchedule(stack, deadline);
    // Every accepted job final, or suspended for good, and every stop and resume settled.
    const allFinal = await waitUntil(async () => {
      const current = stack.current;
      if (current === undefined || poster.stats.accepted === 0) return poster.stats.accepted === 0;
      if (stops.outstanding > 0) return false;
      const stats = await getJson(`${current.url}/stats`);
      if (stats.status !== 200) return false;
      const s = stats.body as Record<string, number>;
      const ended = (s.completed ?? 0) + (s.failed ?? 0) + (s.trashed ?? 0) + (s.suspended ?? 0);
      return s.posted === 0 && s.claimed === 0 && (s.waiting ?? 0) === 0 && ended >= poster.stats.accepted;
    }, deadline, 500);
    if (allFinal) mark(`every accepted job is final or parked; ${stops.records.size} stops settled`);
    else budgetExceeded = true;
    // Let the last duplicates land and be handled, so their effect is in the logs too.
    await waitUntil(() => injector.outstanding === 0, Math.min(deadline, Date.now() + 15_000), 100);
    await injector.stop();
    queueDrained = await waitUntil(async () => (await injector.queueDepth()) === 0, Math.min(deadline, Date.now() + 30_000), 500);
    mark(`duplicates: ${injector.injected} injected; queue ${queueDrained ? 'drained' : 'NOT drained'}`);
  } catch (error) {
    // Reported as a failure with everything gathered so far, rather than a bare stack trace.
    fatal = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    mark(`soak error: ${fatal}`);
  } finally {
    monitoring = false;
    await monitor;
    await injector.stop();
    // Every stop is bounded by the deadline; after an error that ended the run early, none is awaited.
    if (fatal === undefined) await stops.settled();
    if (Date.now() > deadline) budgetExceeded = true;
    try {
      // Read every accepted job back from the stack, starting one if a failure left it down.
      const current = stack.current ?? (stack.alive ? await untilDeadline(stack.whenUp(), Date.now() + 120_000) : await stack.start());
      if (current === undefined) throw new Error('the stack did not come up');
      // Refused unique posts too: none of them may exist.
      const refusedIds = poster.stats.uniqueAnswers.filter((a) => a.status === 409 && !acceptedIds.has(a.jobId)).map((a) => a.jobId);
      await readAll(current.url, [...acceptedIds, ...refusedIds], readBack, () => log.position(current.index));
      mark(`read back ${readBack.size} jobs`);
    } catch (error) {
      say(`could not read the jobs back: ${String(error)}`);
    }
    stop = await stack.stop();
    mark(`stack stopped (${stop.cleanly ? 'cleanly' : 'NOT cleanly'}) in ${stop.afterMs} ms`);
    process.removeListener('SIGINT', interrupted);
    process.removeListener('SIGTERM', interrupted);
  }

  const stored = [...readBack.entries()]
    .filter(([, r]) => r.status === 200)
    .map(([id, r]) => ({ id, state: r.state ?? '?', attempts: r.attempts ?? 0, maxAttempts: r.maxAttempts ?? 0, owner: r.owner ?? null, readAt: r.readAt }));
  const detection = detectDoubleRuns(stack.lifetimes, log.lines, stored);
  const cancelCheck = checkCancels(stops.records.values(), log.lines, (id) => readBack.get(id)?.state);
  const limitedJobs = new Set(plan.filter((job) => job.body.board === LIMITED_BOARD).map((job) => job.id));
  const endedAt = (run: { jobId: string; owner: string }) => readBack.get(run.jobId)?.history?.find((a) => a.owner === run.owner)?.endedAtMs;
  const uniqueAnswers = poster.stats.uniqueAnswers;
  const coordinationCheck = checkCoordination({ plan, acceptedIds, runs: detection.runs, lines: log.lines, readBack, uniqueAnswers, endedAt });
  const boardLimit = options.maxRunning > 0 ? { ...checkBoardLimit(LIMITED_BOARD, options.maxRunning, limitedJobs, detection.runs, endedAt), setStatus: boardSetStatus } : undefined;
  return {
    options,
    window,
    runDir,
    plan,
    acceptedIds,
    poster: poster.stats,
    duplicates: { injected: injector.injected, jobs: injector.jobs.size, sendFailures: injector.sendFailures, outstanding: injector.outstanding },
    kills,
    crashes,
    lifetimes: stack.lifetimes,
    readBack,
    detection,
    stops: stops.records,
    cancelCheck,
    coordination,
    coordinationCheck,
    boardLimit,
    schedule: checkSchedule(log.lines, scheduleSetStatus),
    log,
    stderrOddities: stack.stderrOddities,
    queueDrained,
    budgetExceeded,
    fatal,
    stop,
    wallMs: Date.now() - startedAt,
    milestones,
  };
}
