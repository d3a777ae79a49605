export { JobStore, type ErrorInput, type JobStoreDependencies } from './job-store.js';
export type { CountByState, ListPage, ListQuery } from './job-queries.js';
