/** `jobboard/client`: the HTTP client the CLI uses, with the API's types (from the contract). */
export { ApiClient, ApiError, ConnectionError, type ApiClientOptions, type ApiResponse } from './http.js';
export type { ApiErrorBody, BatchResult, Health, JobPage, JobView, ListQuery, PostJobBody, RedriveResult, Stats } from '../lib/http/contract.js';
export type { ScheduleBody, ScheduleList, ScheduleView } from '../lib/http/contract.js';
