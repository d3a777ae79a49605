/**
 * What operators do with schedules (put, get, list, delete), and the tick that posts their
 * slots. It takes bodies as the HTTP API receives them and checks them, including that the job
 * type exists and accepts the payload, before anything is written.
 */
import { ValidationError } from '../errors.js';
import type { JobService } from '../job-service.js';
import { silentLogger, type Logger } from '../logger.js';
import type { JobTypeRegistry } from '../registry.js';
import { SCHEDULE_NAME_PATTERN, type Schedule, type ScheduleStore } from './schedule.js';
import { parseScheduleRequest } from './schedule-request.js';
import { tickSchedules, type TickReport } from './schedule-tick.js';

export interface ScheduleServiceDependencies {
  store: ScheduleStore;
  jobs: Pick<JobService, 'post' | 'get'>;
  registry: JobTypeRegistry;
  logger?: Logger;
  /** Epoch ms. */
  now?: () => number;
}

export class ScheduleService {
  private readonly logger: Logger;
  readonly now: () => number;

  constructor(private readonly deps: ScheduleServiceDependencies) {
    this.logger = deps.logger ?? silentLogger;
    this.now = deps.now ?? Date.now;
  }

  /**
   * Creates or replaces a schedule's settings (a field left out takes its default). Slots at or
   * before this moment are not posted: a new or resumed schedule starts from now.
   */
  async put(name: string, body: unknown): Promise<Schedule> {
    checkName(name);
    const spec = parseScheduleRequest(body);
    this.deps.registry.validatePayload(spec.type, spec.payload);
    const schedule = await this.deps.store.put(name, spec, this.now());
    this.logger.info('schedule_put', { schedule: name, paused: schedule.paused });
    return schedule;
  }

  get(name: string): Promise<Schedule> {
    checkName(name);
    return this.deps.store.get(name);
  }

  list(): Promise<Schedule[]> {
    return this.deps.store.list();
  }

  async delete(name: string): Promise<Schedule> {
    checkName(name);
    const schedule = await this.deps.store.delete(name);
    this.logger.info('schedule_deleted', { schedule: name });
    return schedule;
  }

  /** Posts every due slot as of `nowMs`. */
  tick(nowMs: number = this.now()): Promise<TickReport> {
    return tickSchedules({ store: this.deps.store, jobs: this.deps.jobs, logger: this.logger }, nowMs);
  }
}

function checkName(name: string): void {
  if (!SCHEDULE_NAME_PATTERN.test(name)) throw new ValidationError(`invalid schedule name ${JSON.stringify(name)}`, [{ path: 'name', message: 'must be 1–64 of A-Z a-z 0-9 _ -' }]);
}
