/** Jobboard's public API: what job-type authors and embedders import. */
export { defineJobType, JobTypeRegistry, type JobContext, type JobType, type JobTypeDefinition, type Logger } from './registry.js';
export {
  ClaimLostError,
  ClaimRefusedError,
  ConfigurationError,
  ConflictError,
  InvalidStateError,
  JobboardError,
  NotFoundError,
  PermanentError,
  StorageError,
  ValidationError,
  isPermanentError,
} from './errors.js';
export { JobState, JOB_STATES, isFinal, type FinalState } from './states.js';
export { toJobView, type Job, type JobView, type JobErrorRecord } from './model.js';
export { JobStore, type ListPage, type ListQuery, type CountByState } from './store/index.js';
export { JobBoard } from './board.js';
export { Conductor, type BatchResult, type Invocation, type PostingRecord } from './conductor.js';
export { Sweeper, decideSweep } from './sweeper.js';
export { PostingSender, encodePosting, decodePosting } from './postings.js';
export { JsonLogger } from './logger.js';
export { RequestMeter } from './request-meter.js';
export * from './config.js';
