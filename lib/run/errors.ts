/** The errors of a run. */
import type { StopReason } from './outcome.js';

/** The abort reason a job's signal carries: why it must stop. */
export class RunStoppedError extends Error {
  override readonly name = 'RunStoppedError';
  constructor(readonly reason: StopReason, message: string) {
    super(message);
  }
}
