export type { JobStore, OpenJobsPage } from './job-store.js';
export { DynamoJobStore, type DynamoJobStoreDependencies } from './dynamo-job-store.js';
export type { JobCounts } from './counting.js';
export type { ListPage, ListQuery } from './listing.js';
export type { ClaimRequest } from './transitions.js';
export { DynamoTaskCursors, type TaskCursors } from './task-cursors.js';
export type { CountByState } from '../states.js';
