/**
 * A periodic schedule (DESIGN.md, Wave 2 > Periodic jobs): what it posts, when, and the pure
 * computation of its slots. A slot is an instant (epoch ms, whole seconds) at which the schedule
 * is due: for `cron`, each match of the 5-field expression in the schedule's timezone (parsed by
 * croner); for `every`, each multiple of `every` seconds since the epoch, so every ticker agrees
 * on the slots without any shared state.
 *
 * The job a slot posts has the id `schedule.<name>.<slot epoch seconds>`: whoever ticks, a slot
 * is posted at most once (a repeated post with the same body answers the existing job).
 */
import { Cron } from 'croner';
import type { PRIORITIES } from '../model.js';

export const OVERLAP_POLICIES = ['skip', 'allow'] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

/** The timezone of a schedule that names none. */
export const DEFAULT_TIMEZONE = 'UTC';

/** Schedule names: 1–64 of these characters (never `*`, which names the registry item). */
export const SCHEDULE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** What an operator sets with `PUT /schedules/{name}`. Exactly one of `cron` and `every`. */
export interface ScheduleSpec {
  type: string;
  payload: Record<string, unknown>;
  board?: string;
  priority?: (typeof PRIORITIES)[number];
  maxAttempts?: number;
  timeoutSeconds?: number;
  /** `m h dom mon dow`, in `timezone`. */
  cron?: string;
  /** Period in seconds; slots are the multiples of it since the epoch. */
  everySeconds?: number;
  /** IANA name; used by `cron`. */
  timezone: string;
  /** `skip`: a slot whose previous job is unfinished is skipped; `allow`: posted anyway. */
  overlap: OverlapPolicy;
  paused: boolean;
}

/** A stored schedule: its spec plus what the ticks have done. */
export interface Schedule extends ScheduleSpec {
  name: string;
  /** Epoch ms of the last PUT: slots at or before it are never posted (a new or resumed schedule starts from then). */
  activeFrom: number;
  /** Epoch ms of the latest slot dealt with (posted or skipped); only moves forward. */
  lastSlot?: number;
  /** Id of the job the latest posted slot created. */
  lastJobId?: string;
  createdAt: number;
  updatedAt: number;
}

/** Id of the job a slot posts. */
export function slotJobId(name: string, slotMs: number): string {
  return `schedule.${name}.${Math.floor(slotMs / 1_000)}`;
}

/** Why a cron expression or timezone is refused, or undefined when it is good. */
export function cronProblem(expression: string, timezone: string = DEFAULT_TIMEZONE): string | undefined {
  // croner also takes nicknames (@daily) and 6- or 7-field forms with seconds and years: only the 5 classic fields here.
  if (expression.trim().split(/\s+/).length !== 5) return 'must be 5 fields: minute hour day-of-month month day-of-week';
  try {
    cronOf(expression, timezone).nextRun(new Date(0));
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message.replace(/^CronPattern:\s*/, '') : String(error);
  }
}

/** True for a timezone name the runtime knows (IANA: `Europe/Paris`, `UTC`; not a bare offset). */
export function isTimezone(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The first slot strictly after `afterMs`, or undefined when the expression never matches again. */
export function nextSlot(schedule: Pick<ScheduleSpec, 'cron' | 'everySeconds' | 'timezone'>, afterMs: number): number | undefined {
  if (schedule.everySeconds !== undefined) {
    const periodMs = schedule.everySeconds * 1_000;
    return (Math.floor(afterMs / periodMs) + 1) * periodMs;
  }
  return cronOf(requireCron(schedule), schedule.timezone).nextRun(new Date(afterMs))?.getTime();
}

/** The latest slot at or before `nowMs`, or undefined when there is none. */
export function latestDueSlot(schedule: Pick<ScheduleSpec, 'cron' | 'everySeconds' | 'timezone'>, nowMs: number): number | undefined {
  if (schedule.everySeconds !== undefined) {
    const periodMs = schedule.everySeconds * 1_000;
    return Math.floor(nowMs / periodMs) * periodMs;
  }
  // previousRuns is strictly before its reference: a millisecond later includes a slot exactly at now.
  return cronOf(requireCron(schedule), schedule.timezone).previousRuns(1, new Date(nowMs + 1))[0]?.getTime();
}

/**
 * The slot a tick at `nowMs` should deal with: the latest due one, if it is after both the last
 * slot dealt with and the schedule's `activeFrom`. Slots missed in between (downtime) are not
 * returned: only the latest is posted.
 */
export function dueSlot(schedule: Schedule, nowMs: number): number | undefined {
  if (schedule.paused) return undefined;
  const slot = latestDueSlot(schedule, nowMs);
  if (slot === undefined || slot <= schedule.activeFrom) return undefined;
  if (schedule.lastSlot !== undefined && slot <= schedule.lastSlot) return undefined;
  return slot;
}

/** When the schedule will next post, as a tick at or after `nowMs` sees it; undefined when paused. */
export function nextRunAt(schedule: Schedule, nowMs: number): number | undefined {
  if (schedule.paused) return undefined;
  const due = dueSlot(schedule, nowMs);
  // A slot already due but not yet ticked runs at the next tick.
  if (due !== undefined) return due;
  return nextSlot(schedule, Math.max(nowMs, schedule.activeFrom, schedule.lastSlot ?? 0));
}

function requireCron(schedule: Pick<ScheduleSpec, 'cron'>): string {
  if (schedule.cron === undefined) throw new TypeError('a schedule has cron or everySeconds');
  return schedule.cron;
}

/** Parsed expressions, by expression and timezone: a tick over many schedules parses each once. */
const parsed = new Map<string, Cron>();
const PARSED_MAX = 1_000;

function cronOf(expression: string, timezone: string): Cron {
  const key = `${timezone} ${expression}`;
  let cron = parsed.get(key);
  if (cron === undefined) {
    // Paused and without a function: croner only computes dates, it never sets a timer.
    cron = new Cron(expression, { mode: '5-part', timezone, paused: true });
    if (parsed.size >= PARSED_MAX) parsed.clear();
    parsed.set(key, cron);
  }
  return cron;
}

/** Where schedules are kept. Only the DynamoDB implementation speaks to the SDK. */
export interface ScheduleStore {
  /** Writes the settings (creating the schedule, or replacing its settings); keeps what ticks recorded; `activeFrom` becomes `now`. */
  put(name: string, spec: ScheduleSpec, now: number): Promise<Schedule>;
  /** `ScheduleNotFoundError` when absent. */
  get(name: string): Promise<Schedule>;
  /** Every schedule, by name. */
  list(): Promise<Schedule[]>;
  /** Removes the schedule and answers it as it was; `ScheduleNotFoundError` when absent. */
  delete(name: string): Promise<Schedule>;
  /**
   * Records that `slotMs` was dealt with: posted (with the job's id) or skipped. Only moves
   * forward; a post may record the slot a racing skip recorded (so `lastJobId` names it). False
   * when refused (another ticker got there first, or the schedule is gone).
   */
  /** Records the slot dealt with (forward only); with `seen`, only if `lastSlot` is still what the caller read. */
  recordSlot(name: string, slotMs: number, jobId?: string, seen?: { lastSlot: number | undefined }): Promise<boolean>;
}
