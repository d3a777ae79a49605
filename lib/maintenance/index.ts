export { Sweeper, type SweepPosition, type SweepReport, type SweeperDependencies } from './sweeper.js';
export { decideExpire, decidePromote, decideRescue, decideSweep, hasUnsentDelay, type SweepAction, type SweepInput } from './open-job-tasks.js';
export { ACTION_STATES, OPERATION_ACTIONS, OPERATION_STATES, operationId, type Operation, type OperationAction, type OperationFilter, type OperationRequest, type OperationStore } from './operation.js';
export { OperationRunner, OPERATION_RUNNER_DEFAULTS, type OperationRunnerOptions, type OperationRunReport } from './operation-runner.js';
export { OperationService } from './operation-service.js';
export { ServiceOperationJobs, type OperationJobs } from './operation-jobs.js';
export { OperationLeaseError, OperationNotFoundError } from './errors.js';
