/** A schedule as the HTTP API shows it (ISO-8601 times, absent settings null), as a schema and a mapping. */
import * as z from 'zod/mini';
import { OVERLAP_POLICIES, nextRunAt, type Schedule } from './schedule.js';
import { PRIORITIES } from '../model.js';

const isoTime = z.iso.datetime({ offset: true });

export const scheduleViewSchema = z.object({
  name: z.string(),
  type: z.string(),
  payload: z.record(z.string(), z.unknown()),
  board: z.nullable(z.string()),
  priority: z.nullable(z.enum(PRIORITIES)),
  maxAttempts: z.nullable(z.int()),
  timeoutSeconds: z.nullable(z.int()),
  cron: z.nullable(z.string()),
  /** Seconds between slots. */
  every: z.nullable(z.int()),
  timezone: z.string(),
  overlap: z.enum(OVERLAP_POLICIES),
  paused: z.boolean(),
  /** When the next slot falls due (a tick posts it then, or at the tick after); null while paused. */
  nextRunAt: z.nullable(isoTime),
  /** The latest slot dealt with (posted or skipped). */
  lastSlotAt: z.nullable(isoTime),
  /** The job the latest posted slot created. */
  lastJobId: z.nullable(z.string()),
  createdAt: isoTime,
  updatedAt: isoTime,
});
export const scheduleListSchema = z.object({ schedules: z.array(scheduleViewSchema) });

export type ScheduleView = z.output<typeof scheduleViewSchema>;

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

/** The view of a schedule as of `nowMs` (for `nextRunAt`). */
export function toScheduleView(schedule: Schedule, nowMs: number): ScheduleView {
  return {
    name: schedule.name,
    type: schedule.type,
    payload: schedule.payload,
    board: schedule.board ?? null,
    priority: schedule.priority ?? null,
    maxAttempts: schedule.maxAttempts ?? null,
    timeoutSeconds: schedule.timeoutSeconds ?? null,
    cron: schedule.cron ?? null,
    every: schedule.everySeconds ?? null,
    timezone: schedule.timezone,
    overlap: schedule.overlap,
    paused: schedule.paused,
    nextRunAt: iso(nextRunAt(schedule, nowMs)),
    lastSlotAt: iso(schedule.lastSlot),
    lastJobId: schedule.lastJobId ?? null,
    createdAt: new Date(schedule.createdAt).toISOString(),
    updatedAt: new Date(schedule.updatedAt).toISOString(),
  };
}
