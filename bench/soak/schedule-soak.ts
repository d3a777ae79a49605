/**
 * A schedule in the soak: `every: 2` on its own board for the whole run, kills included, paused
 * before the final wait. Judged from the transition log: each slot's job was created once
 * (one `job_posted` per id), every id is a slot of the period, and each created job ended.
 */
import type { TransitionLine } from './detector.js';
import { requestThroughKills } from './http.js';
import type { SoakStack } from './stack-process.js';

export const SOAK_SCHEDULE = 'soak-tick';
const PERIOD_SECONDS = 2;
const PREFIX = `schedule.${SOAK_SCHEDULE}.`;
const settings = { type: 'demo.echo', every: PERIOD_SECONDS, overlap: 'allow', board: 'soak-sched' };

export interface ScheduleCheck {
  /** The status of the PUT that created it. */
  setStatus: number | undefined;
  slots: number;
  /** Ids with more than one `job_posted`: a slot posted twice. */
  postedTwice: string[];
  /** Ids that are no slot of the period. */
  offPeriod: string[];
  /** Slot jobs created but never ended in the log. */
  unfinished: string[];
}

export async function startSchedule(stack: SoakStack, deadline: number): Promise<number | undefined> {
  return (await requestThroughKills(stack, 'PUT', `/schedules/${SOAK_SCHEDULE}`, deadline, settings))?.status;
}

/** Paused before the final wait, so that no new slot keeps the stack from being all final. */
export async function pauseSchedule(stack: SoakStack, deadline: number): Promise<void> {
  await requestThroughKills(stack, 'PUT', `/schedules/${SOAK_SCHEDULE}`, deadline, { ...settings, paused: true });
}

export function checkSchedule(lines: readonly TransitionLine[], setStatus: number | undefined): ScheduleCheck {
  const posted = new Map<string, number>();
  const ended = new Set<string>();
  for (const line of lines) {
    if (!line.jobId.startsWith(PREFIX)) continue;
    if (line.event === 'job_posted') posted.set(line.jobId, (posted.get(line.jobId) ?? 0) + 1);
    if (line.event === 'job_consumed' || line.event === 'job_failed') ended.add(line.jobId);
  }
  const ids = [...posted.keys()];
  return {
    setStatus,
    slots: ids.length,
    postedTwice: ids.filter((id) => (posted.get(id) ?? 0) > 1),
    offPeriod: ids.filter((id) => Number(id.slice(PREFIX.length)) % PERIOD_SECONDS !== 0),
    unfinished: ids.filter((id) => !ended.has(id)),
  };
}
