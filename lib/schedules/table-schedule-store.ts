/**
 * Schedules in the jobs table: `schedule#<name>` holds one schedule (settings plus what the
 * ticks recorded); `schedule#*` lists every name in a string set (names never contain `*`), so
 * listing needs no scan. These items carry no index attributes: they cost no index writes.
 *
 * Who writes when:
 * - PUT: the name is added to the registry first (so a listing never misses a schedule), then
 *   the settings are SET on the item; `lastSlot`/`lastJobId` are left as they are.
 * - tick: only `lastSlot` (forward only) and `lastJobId`, by a conditional update; two tickers
 *   race on the condition and one wins (the job itself is idempotent by its id).
 * - DELETE: the item is deleted (condition: it exists), then the name leaves the registry.
 */
import { itemKey } from '../table.js';
import type { ItemTable } from '../store/item-table.js';
import { registryNames, registryUpdate } from '../store/registries.js';
import { type Schedule, type ScheduleSpec, type ScheduleStore } from './schedule.js';
import { ScheduleNotFoundError } from './errors.js';
import { SlotTakenError } from './errors.js';

/** The item listing every schedule's name. */
export const SCHEDULE_REGISTRY_KEY = itemKey('schedule', '*');

/** Settings that a PUT may leave out: removed from the item when absent. */
const OPTIONAL_SETTINGS = ['board', 'priority', 'maxAttempts', 'timeoutSeconds', 'cron', 'everySeconds'] as const;

/** Reads of several schedules at once, at most this many in flight. */
const READ_CONCURRENCY = 16;

export class TableScheduleStore implements ScheduleStore {
  constructor(private readonly table: ItemTable) {}

  async put(name: string, spec: ScheduleSpec, now: number): Promise<Schedule> {
    await this.table.write(registryUpdate(SCHEDULE_REGISTRY_KEY, 'add', name, 'registerSchedule'));
    const present = Object.fromEntries(OPTIONAL_SETTINGS.filter((field) => spec[field] !== undefined).map((field) => [field, spec[field]]));
    const written = await this.table.write({
      kind: 'update',
      operation: 'putSchedule',
      key: itemKey('schedule', name),
      set: { name, type: spec.type, payload: spec.payload, timezone: spec.timezone, overlap: spec.overlap, paused: spec.paused, activeFrom: now, updatedAt: now, ...present },
      setIfAbsent: { createdAt: now },
      remove: OPTIONAL_SETTINGS.filter((field) => spec[field] === undefined),
      // A PUT replaces the settings whatever they were; `lastSlot` and `lastJobId` are left as they are.
      mayCreate: true,
      condition: '',
      refused: () => new Error(`putSchedule ${name}: an unconditional update was refused`),
    });
    return scheduleFromItem(written);
  }

  async get(name: string): Promise<Schedule> {
    const item = await this.read(itemKey('schedule', name));
    if (item === undefined) throw new ScheduleNotFoundError(name);
    return scheduleFromItem(item);
  }

  async list(): Promise<Schedule[]> {
    const names = registryNames(await this.read(SCHEDULE_REGISTRY_KEY));
    const schedules: Schedule[] = [];
    for (let start = 0; start < names.length; start += READ_CONCURRENCY) {
      const items = await Promise.all(names.slice(start, start + READ_CONCURRENCY).map((name) => this.read(itemKey('schedule', name))));
      // A name whose item is gone (deleted while listed) is left out.
      for (const item of items) if (item !== undefined) schedules.push(scheduleFromItem(item));
    }
    return schedules;
  }

  async delete(name: string): Promise<Schedule> {
    const old = await this.table.write({ kind: 'delete', operation: 'deleteSchedule', key: itemKey('schedule', name), condition: 'attribute_exists(#pk)', refused: () => new ScheduleNotFoundError(name) });
    await this.table.write(registryUpdate(SCHEDULE_REGISTRY_KEY, 'delete', name, 'unregisterSchedule'));
    return scheduleFromItem(old);
  }

  async recordSlot(name: string, slotMs: number, jobId?: string, seen?: { lastSlot: number | undefined }): Promise<boolean> {
    // A skip moves strictly forward; a post may also land on the slot a racing skip recorded, so lastJobId names the job that runs.
    // With `seen`: only if nobody recorded a slot since this ticker read the schedule (a reservation).
    const forward =
      seen !== undefined ? (seen.lastSlot === undefined ? 'attribute_not_exists(#lastSlot)' : '#lastSlot = :seen') : jobId === undefined ? '#lastSlot < :slot' : '#lastSlot <= :slot';
    try {
      await this.table.write({
        kind: 'update',
        operation: 'recordScheduleSlot',
        key: itemKey('schedule', name),
        set: { lastSlot: slotMs, ...(jobId === undefined ? {} : { lastJobId: jobId }) },
        condition: `attribute_not_exists(#lastSlot) OR ${forward}`,
        values: { ':slot': slotMs, ...(seen?.lastSlot === undefined ? {} : { ':seen': seen.lastSlot }) },
        refused: () => new SlotTakenError(`slot ${slotMs} of schedule ${name} was recorded by another ticker`),
      });
      return true;
    } catch (error) {
      if (error instanceof SlotTakenError) return false;
      throw error;
    }
  }

  private read(key: string): Promise<Record<string, unknown> | undefined> {
    return this.table.read(key, { consistent: true });
  }
}

/** A schedule from its item. */
export function scheduleFromItem(item: Record<string, unknown>): Schedule {
  const optional = <K extends string>(key: K) => (item[key] === undefined ? {} : { [key]: item[key] });
  return {
    name: String(item.name),
    type: String(item.type),
    payload: (item.payload as Record<string, unknown> | undefined) ?? {},
    ...optional('board'),
    ...optional('priority'),
    ...optional('maxAttempts'),
    ...optional('timeoutSeconds'),
    ...optional('cron'),
    ...optional('everySeconds'),
    timezone: String(item.timezone),
    overlap: item.overlap === 'allow' ? 'allow' : 'skip',
    paused: item.paused === true,
    activeFrom: Number(item.activeFrom),
    ...optional('lastSlot'),
    ...optional('lastJobId'),
    createdAt: Number(item.createdAt),
    updatedAt: Number(item.updatedAt),
  } as Schedule;
}
