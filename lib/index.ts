/** Jobboard's public API: what job-type authors and embedders import. */
export { defineJobType, JobTypeRegistry, type JobContext, type JobType, type JobTypeDefinition } from './registry.js';
export {
  ClaimLostError,
  ClaimRefusedError,
  ConfigurationError,
  ConflictError,
  InvalidStateError,
  JobboardError,
  NotFoundError,
  BoardNotFoundError,
  PermanentError,
  SuspendError,
  isSuspendError,
  StorageError,
  ValidationError,
  isPermanentError,
} from './errors.js';
export { JobState, JOB_STATES, isFinal, type FinalState, type CountByState } from './states.js';
export type { ErrorInput, Job, JobErrorRecord, Priority, Scope, StopRequest } from './model.js';
export type { Board, BoardPatch, BoardSettings } from './boards/board.js';
export { toJobView, jobViewSchema, type JobView } from './http/job-view.js';
export { ROUTES, HTTP_ROUTES, type OperationId } from './http/contract.js';
export { type JobStore, type ListPage, type JobListQuery, type TaskCursors } from './store/index.js';
export { JobService } from './job-service.js';
export { Conductor, type BatchResponse, type Invocation } from './run/conductor.js';
export { Sweeper, decideSweep, type SweepReport } from './maintenance/index.js';
export { DEFAULT_LANE, type OutgoingPosting, type PostingQueue, type PostingRecord } from './queue/posting-queue.js';
export { SqsPostingQueue } from './queue/sqs-posting-queue.js';
export { encodePosting, decodePosting } from './queue/posting.js';
export { EventBus, logObserver, type EventObserver, type JobboardEvent, type TransitionEvent } from './events/events.js';
export { JsonLogger, type Logger } from './logger.js';
export * from './config.js';
export { DynamoJobStore, DynamoTaskCursors } from './dynamo/index.js';
export { DuplicateError } from './store/errors.js';
export { RunStoppedError } from './run/errors.js';
