export type { JobStore, OpenJobsPage } from './job-store.js';
export { TableJobStore, type JobStoreDependencies } from './table-job-store.js';
export type { JobCounts } from './counting.js';
export type { CountByState } from '../states.js';
export type { ListPage, JobListQuery } from './listing.js';
export type { ClaimRequest } from './transitions.js';
export type { ItemTable } from './item-table.js';
export { TableTaskCursors, type TaskCursors } from './task-cursors.js';
