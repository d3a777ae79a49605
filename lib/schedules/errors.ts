/** The errors of schedules. */
import { JobboardError } from '../errors.js';

/** No schedule of this name. Answers 404 like a missing job. */
export class ScheduleNotFoundError extends JobboardError {
  override readonly name = 'ScheduleNotFoundError';
  readonly code = 'NotFoundError';
  constructor(readonly schedule: string) {
    super(`schedule ${schedule} does not exist`);
  }
}

/** A tick's record of a slot was refused: another ticker recorded this slot, or a later one, first. */
export class SlotTakenError extends Error {
  override readonly name = 'SlotTakenError';
}
