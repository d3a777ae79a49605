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
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { namesOf, readItem, registryNames, updateRegistry } from './item-io.js';
import { toStorageError } from './writer.js';
import { TABLE, itemKey } from '../table.js';
import { ScheduleNotFoundError, type Schedule, type ScheduleSpec, type ScheduleStore } from '../schedules/schedule.js';

/** The item listing every schedule's name. */
export const SCHEDULE_REGISTRY_KEY = itemKey('schedule', '*');

/** A refused condition, also from another copy of the SDK module. */const isConditionFailure = (error: unknown): boolean => error instanceof ConditionalCheckFailedException || (error instanceof Error && error.name === 'ConditionalCheckFailedException');

/** Settings that a PUT may leave out: removed from the item when absent. */
const OPTIONAL_SETTINGS = ['board', 'priority', 'maxAttempts', 'timeoutSeconds', 'cron', 'everySeconds'] as const;

/** Reads of several schedules at once, at most this many in flight. */
const READ_CONCURRENCY = 16;

export class DynamoScheduleStore implements ScheduleStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async put(name: string, spec: ScheduleSpec, now: number): Promise<Schedule> {
    await updateRegistry(this.client, this.tableName, SCHEDULE_REGISTRY_KEY, 'ADD', name, 'registerSchedule');
    const set = ['#name = :name', '#type = :type', '#payload = :payload', '#timezone = :timezone', '#overlap = :overlap', '#paused = :paused', '#activeFrom = :now', '#updatedAt = :now', '#createdAt = if_not_exists(#createdAt, :now)'];
    const values: Record<string, unknown> = { ':name': name, ':type': spec.type, ':payload': spec.payload, ':timezone': spec.timezone, ':overlap': spec.overlap, ':paused': spec.paused, ':now': now };
    const remove: string[] = [];
    for (const field of OPTIONAL_SETTINGS) {
      if (spec[field] === undefined) remove.push(`#${field}`);
      else {
        set.push(`#${field} = :${field}`);
        values[`:${field}`] = spec[field];
      }
    }
    const expression = `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`;
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({ TableName: this.tableName, Key: this.key(name), UpdateExpression: expression, ExpressionAttributeNames: namesOf(expression), ExpressionAttributeValues: values, ReturnValues: 'ALL_NEW' }),
      );
      return scheduleFromItem(Attributes ?? {});
    } catch (error) {
      throw toStorageError(error, 'putSchedule', itemKey('schedule', name));
    }
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
    let old: Record<string, unknown> | undefined;
    try {
      ({ Attributes: old } = await this.client.send(
        new DeleteCommand({ TableName: this.tableName, Key: this.key(name), ConditionExpression: 'attribute_exists(#pk)', ExpressionAttributeNames: { '#pk': TABLE.partitionKey }, ReturnValues: 'ALL_OLD' }),
      ));
    } catch (error) {
      if (isConditionFailure(error)) throw new ScheduleNotFoundError(name);
      throw toStorageError(error, 'deleteSchedule', itemKey('schedule', name));
    }
    await updateRegistry(this.client, this.tableName, SCHEDULE_REGISTRY_KEY, 'DELETE', name, 'unregisterSchedule');
    return scheduleFromItem(old ?? {});
  }

  async recordSlot(name: string, slotMs: number, jobId?: string, seen?: { lastSlot: number | undefined }): Promise<boolean> {
    // A skip moves strictly forward; a post may also land on the slot a racing skip recorded, so lastJobId names the job that runs.
    // With `seen`: only if nobody recorded a slot since this ticker read the schedule (a reservation).
    const forward =
      seen !== undefined ? (seen.lastSlot === undefined ? 'attribute_not_exists(#lastSlot)' : '#lastSlot = :seen') : jobId === undefined ? '#lastSlot < :slot' : '#lastSlot <= :slot';
    const expression = `SET #lastSlot = :slot${jobId === undefined ? '' : ', #lastJobId = :jobId'}`;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(name),
          UpdateExpression: expression,
          ConditionExpression: `attribute_exists(#pk) AND (attribute_not_exists(#lastSlot) OR ${forward})`,
          ExpressionAttributeNames: { ...namesOf(expression), '#pk': TABLE.partitionKey },
          ExpressionAttributeValues: { ':slot': slotMs, ...(jobId === undefined ? {} : { ':jobId': jobId }), ...(seen?.lastSlot === undefined ? {} : { ':seen': seen.lastSlot }) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw toStorageError(error, 'recordScheduleSlot', itemKey('schedule', name));
    }
  }

  private key(name: string): Record<string, string> {
    return { [TABLE.partitionKey]: itemKey('schedule', name) };
  }

  private read(key: string): Promise<Record<string, unknown> | undefined> {
    return readItem(this.client, this.tableName, key, 'readSchedule');
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
