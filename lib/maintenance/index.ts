export { Sweeper, type SweepPosition, type SweepReport, type SweeperDependencies } from './sweeper.js';
export { decideExpire, decidePromote, decideRescue, decideSweep, hasUnsentDelay, type SweepAction, type SweepInput } from './open-job-tasks.js';
