/**
 * The tick (DESIGN.md, Periodic jobs): run with the sweeper, it posts each schedule's due slot.
 *
 * For each schedule that is not paused, the slot to deal with is the latest due one after
 * `lastSlot` (after downtime, only the latest missed slot: the ones before it are passed over).
 * Then, in this order:
 * 1. `overlap: skip` and the previous slot's job (`lastJobId`) is unfinished: record the slot as
 *    dealt with (so it is never posted later) and post nothing.
 * 2. Post the job `schedule.<name>.<slot epoch seconds>`. The id makes the post idempotent: two
 *    tickers racing post the slot once; the second is answered the existing job.
 * 3. Record `lastSlot` (forward only) and `lastJobId` with a conditional update.
 *
 * A ticker that dies between 2 and 3 leaves the slot unrecorded: the next tick posts it again,
 * which answers the same job. So each slot is posted at least once and creates at most one job.
 *
 * Under `overlap: skip` steps 2 and 3 swap: the slot is reserved (recorded, conditioned on the
 * `lastSlot` this ticker read) before its job is posted, so a ticker working from a stale read
 * cannot start a run beside one another ticker just started. A ticker that dies between the two
 * leaves a reserved slot without its job; the next tick finds the job missing and posts it.
 */
import { ConflictError, isJobboardError, NotFoundError } from '../errors.js';
import type { JobService } from '../job-service.js';
import type { Logger } from '../logger.js';
import type { NewJob } from '../new-job.js';
import { isFinal } from '../states.js';
import { dueSlot, slotJobId, type Schedule, type ScheduleStore } from './schedule.js';

export interface ScheduleTickDependencies {
  store: ScheduleStore;
  jobs: Pick<JobService, 'post' | 'get'>;
  logger: Logger;
}

/** What one tick did. */
export interface TickReport {
  /** Schedules looked at. */
  schedules: number;
  /** Slots whose job this tick created. */
  posted: number;
  /** Slots another ticker had posted already (answered the existing job). */
  existing: number;
  /** Slots skipped because the previous job was unfinished (`overlap: skip`). */
  skipped: number;
  /** Schedules whose slot could not be dealt with (logged; tried again at the next tick). */
  failed: number;
}

type Outcome = 'idle' | 'posted' | 'existing' | 'skipped' | 'failed';

/** Schedules dealt with at once. */
const TICK_CONCURRENCY = 8;

/** Posts every schedule's due slot as of `nowMs` (epoch ms). One schedule's failure does not stop the others. */
export async function tickSchedules(deps: ScheduleTickDependencies, nowMs: number): Promise<TickReport> {
  const schedules = await deps.store.list();
  const report: TickReport = { schedules: schedules.length, posted: 0, existing: 0, skipped: 0, failed: 0 };
  for (let start = 0; start < schedules.length; start += TICK_CONCURRENCY) {
    const outcomes = await Promise.all(schedules.slice(start, start + TICK_CONCURRENCY).map((schedule) => tickOne(deps, schedule, nowMs)));
    for (const outcome of outcomes) if (outcome !== 'idle') report[outcome] += 1;
  }
  return report;
}

async function tickOne(deps: ScheduleTickDependencies, schedule: Schedule, nowMs: number): Promise<Outcome> {
  await postReservedSlot(deps, schedule, nowMs);
  const slot = dueSlot(schedule, nowMs);
  if (slot === undefined) return 'idle';
  const context = { schedule: schedule.name, slot: new Date(slot).toISOString() };
  try {
    if (schedule.overlap === 'skip' && (await previousUnfinished(deps, schedule))) {
      // Refused: a racing ticker dealt with this slot (or a later one) first, and reports it.
      if (!(await deps.store.recordSlot(schedule.name, slot))) return 'idle';
      deps.logger.info('schedule_slot_skipped', { ...context, unfinishedJobId: schedule.lastJobId });
      return 'skipped';
    }
    const id = slotJobId(schedule.name, slot);
    // Under `skip`, the slot is reserved before its job is posted: a racing ticker that read the
    // schedule before this one recorded its slot cannot post an overlapping run on a stale lastJobId.
    if (schedule.overlap === 'skip' && !(await deps.store.recordSlot(schedule.name, slot, id, { lastSlot: schedule.lastSlot }))) return 'idle';
    const created = await post(deps, schedule, id);
    if (schedule.overlap !== 'skip') await deps.store.recordSlot(schedule.name, slot, id);
    if (created) deps.logger.info('schedule_slot_posted', { ...context, jobId: id });
    return created ? 'posted' : 'existing';
  } catch (error) {
    deps.logger.error('schedule_tick_failed', { ...context, error });
    return 'failed';
  }
}

/** A reserved slot younger than this whose job is missing was reserved by a ticker that died before posting it. */
const RESERVED_SLOT_REPAIR_MS = 60 * 60 * 1_000;

/** Posts the job of a slot a ticker reserved (`overlap: skip`) and died before posting; idempotent by its id. */
async function postReservedSlot(deps: ScheduleTickDependencies, schedule: Schedule, nowMs: number): Promise<void> {
  const { lastJobId, lastSlot } = schedule;
  if (schedule.overlap !== 'skip' || lastJobId === undefined || lastSlot === undefined || nowMs - lastSlot > RESERVED_SLOT_REPAIR_MS) return;
  try {
    await deps.jobs.get(lastJobId);
  } catch (error) {
    if (!isJobboardError(error, NotFoundError)) throw error;
    await post(deps, schedule, lastJobId);
  }
}

/** True when the job of the previous posted slot exists and is not final (one gone with TTL is finished). */
async function previousUnfinished(deps: ScheduleTickDependencies, schedule: Schedule): Promise<boolean> {
  if (schedule.lastJobId === undefined) return false;
  try {
    return !isFinal((await deps.jobs.get(schedule.lastJobId)).state);
  } catch (error) {
    if (isJobboardError(error, NotFoundError)) return false;
    throw error;
  }
}

/** Posts the slot's job; true when this call created it. */
async function post(deps: ScheduleTickDependencies, schedule: Schedule, id: string): Promise<boolean> {
  // The schedule's settings were checked when it was put: the slot's job is built from them directly.
  const request: NewJob = {
    type: schedule.type,
    payload: schedule.payload,
    id,
    ...(schedule.board === undefined ? {} : { board: schedule.board }),
    ...(schedule.priority === undefined ? {} : { priority: schedule.priority }),
    ...(schedule.maxAttempts === undefined ? {} : { maxAttempts: schedule.maxAttempts }),
    ...(schedule.timeoutSeconds === undefined ? {} : { timeoutSeconds: schedule.timeoutSeconds }),
  };
  try {
    return (await deps.jobs.post(request)).created;
  } catch (error) {
    // The slot's job exists with another body: the schedule was changed while a racing ticker posted it. Still posted once.
    if (isJobboardError(error, ConflictError)) return false;
    throw error;
  }
}
